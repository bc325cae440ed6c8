// policytekst serve: the page behaviour that htmx does not cover. A file (not inline handlers), so the
// Content-Security-Policy can forbid inline script: captured text can never run as code.
document.addEventListener("change", (event) => {
  const box = event.target.closest("input.theme-toggle");
  if (!box) return;
  document.querySelectorAll(".hl[data-theme]").forEach((el) => {
    if (el.dataset.theme === box.dataset.theme && el.tagName !== "INPUT") el.classList.toggle("off", !box.checked);
  });
});

document.addEventListener("click", (event) => {
  const button = event.target.closest("button.copy");
  if (!button) return;
  const done = () => { button.textContent = "Kopiert ✓"; };
  if (navigator.clipboard && window.isSecureContext) {
    navigator.clipboard.writeText(button.dataset.citation).then(done, () => {});
  } else {  // plain http on another host name: fall back to a selection copy
    const area = document.createElement("textarea");
    area.value = button.dataset.citation;
    document.body.appendChild(area);
    area.select();
    try { document.execCommand("copy"); done(); } catch (e) { /* nothing to do */ }
    area.remove();
  }
});

// Drag and drop onto the upload area puts the files into the form's file input.
document.addEventListener("dragover", (event) => {
  if (event.target.closest("label.drop")) { event.preventDefault(); event.target.closest("label.drop").classList.add("over"); }
});
document.addEventListener("dragleave", (event) => {
  const zone = event.target.closest("label.drop");
  if (zone) zone.classList.remove("over");
});
document.addEventListener("drop", (event) => {
  const zone = event.target.closest("label.drop");
  if (!zone) return;
  event.preventDefault();
  zone.classList.remove("over");
  const input = zone.querySelector("input[type=file]");
  input.files = event.dataTransfer.files;
  const names = [...input.files].map((f) => f.name).join(", ");
  zone.querySelector(".chosen").textContent = names;
});
document.addEventListener("change", (event) => {
  const input = event.target.closest("label.drop input[type=file]");
  if (input) input.closest("label.drop").querySelector(".chosen").textContent = [...input.files].map((f) => f.name).join(", ");
});
