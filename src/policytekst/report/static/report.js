/* policytekst report: sortable and filterable tables, hover labels on chart points.
   Written for the project (no dependencies, no network); inlined into index.html. The page reads the same with
   scripts off: every row is in the HTML, every point carries an SVG <title> the browser shows on hover, and every
   point and row is a plain link to the passages behind it. */
(function () {
  "use strict";
  function cellValue(cell) {
    var raw = cell.getAttribute("data-sort");
    if (raw === null) raw = cell.textContent;
    var text = raw.replace(/\u202f|\u00a0|\s/g, "");
    if (/^-?\d+([.,]\d+)?(e-?\d+)?$/i.test(text)) return {n: parseFloat(text.replace(",", ".")), s: raw};
    return {n: NaN, s: raw.trim().toLowerCase()};
  }
  function sortBy(table, index, header) {
    var body = table.tBodies[0];
    var rows = Array.prototype.slice.call(body.rows);
    var descending = header.getAttribute("aria-sort") === "ascending";
    rows.sort(function (a, b) {
      var x = cellValue(a.cells[index]), y = cellValue(b.cells[index]);
      var r;
      if (!isNaN(x.n) && !isNaN(y.n)) r = x.n - y.n;
      else if (!isNaN(x.n)) r = -1;
      else if (!isNaN(y.n)) r = 1;
      else r = x.s.localeCompare(y.s, "nb");
      return descending ? -r : r;
    });
    rows.forEach(function (row) { body.appendChild(row); });
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th) { th.removeAttribute("aria-sort"); });
    header.setAttribute("aria-sort", descending ? "descending" : "ascending");
  }
  function enhance(table) {
    if (!table.tHead || !table.tBodies.length) return;
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th, index) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "sort";
      button.textContent = th.textContent;
      button.title = "Sorter · sort";
      th.textContent = "";
      th.appendChild(button);
      button.addEventListener("click", function () { sortBy(table, index, th); });
    });
    if (table.tBodies[0].rows.length < 8) return;
    var box = document.createElement("input");
    box.type = "search";
    box.className = "filter";
    box.placeholder = "Filtrer tabellen · filter the table";
    box.setAttribute("aria-label", "Filtrer tabellen");
    var count = document.createElement("span");
    count.className = "filter-count";
    table.parentNode.insertBefore(box, table);
    table.parentNode.insertBefore(count, table);
    box.addEventListener("input", function () {
      var words = box.value.toLowerCase().split(/\s+/).filter(Boolean);
      var shown = 0, rows = table.tBodies[0].rows;
      for (var i = 0; i < rows.length; i++) {
        var text = rows[i].textContent.toLowerCase();
        var keep = words.every(function (w) { return text.indexOf(w) >= 0; });
        rows[i].hidden = !keep;
        if (keep) shown++;
      }
      count.textContent = words.length ? shown + " av " + rows.length + " rader" : "";
    });
  }
  function tooltips() {
    var tip = document.createElement("div");
    tip.className = "tip";
    tip.hidden = true;
    document.body.appendChild(tip);
    // the SVG <title> becomes an aria-label and the styled tip (two tooltips at once would be noise)
    Array.prototype.forEach.call(document.querySelectorAll("a.point"), function (point) {
      var title = point.querySelector("title");
      if (!title) return;
      point.setAttribute("data-label", title.textContent);
      point.setAttribute("aria-label", title.textContent);
      title.parentNode.removeChild(title);
    });
    document.addEventListener("mouseover", function (event) {
      var point = event.target.closest ? event.target.closest("a.point") : null;
      if (!point || !point.getAttribute("data-label")) return;
      tip.textContent = point.getAttribute("data-label");
      tip.hidden = false;
    });
    document.addEventListener("mousemove", function (event) {
      if (!tip.hidden) { tip.style.left = (event.pageX + 12) + "px"; tip.style.top = (event.pageY + 12) + "px"; }
    });
    document.addEventListener("mouseout", function (event) {
      if (event.target.closest && event.target.closest("a.point")) tip.hidden = true;
    });
  }
  document.documentElement.classList.add("js");
  document.addEventListener("DOMContentLoaded", function () {
    Array.prototype.forEach.call(document.querySelectorAll("table.data"), enhance);
    tooltips();
  });
})();
