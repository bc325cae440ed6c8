"""A real browser opens the report from disk: every section lays out, every plot renders, the styling applies.

Uses Debian's headless Chromium (`make browser` installs it best-effort); skips with the reason when it is absent.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from test_report import shared_demo_report

CHROMIUM = next((p for p in (shutil.which("chromium"), "/usr/bin/chromium", shutil.which("chromium-browser"))
                 if p and Path(p).exists()), None)
pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(CHROMIUM is None, reason="headless Chromium not found (/usr/bin/chromium); "
                                 "run `make browser` as root to install Debian's package")]

# Injected into a copy of the report: the browser itself measures what it laid out and rendered.
PROBE = """<script>
window.addEventListener("load", () => {
  const box = (el) => { const r = el.getBoundingClientRect(); return [Math.round(r.width), Math.round(r.height)]; };
  const sections = [...document.querySelectorAll("section.report-section")].map(s => ({
    id: s.id, status: s.dataset.status, size: box(s),
    plots: [...s.querySelectorAll("figure svg")].map(box),
    headings: s.querySelector("h2") ? s.querySelector("h2").textContent : ""}));
  const header = getComputedStyle(document.querySelector("header.top")).backgroundColor;
  const pre = document.createElement("pre"); pre.id = "render-check";
  pre.textContent = JSON.stringify({sections, header, width: document.body.scrollWidth});
  document.body.appendChild(pre);
});
</script>"""


def chromium(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    command = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
               "--no-first-run", "--disable-extensions", f"--user-data-dir={cwd / 'profile'}", *args]
    return subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=120)


@pytest.fixture(scope="module")
def report(demo_corpus, tmp_path_factory):
    """The full demo report: the one tests/test_report.py checks (built once per session)."""
    return shared_demo_report(demo_corpus, tmp_path_factory)


def test_report_renders_in_headless_chromium(report, tmp_path):
    probe = report.out_dir / "probe.html"
    probe.write_text(report.path.read_text(encoding="utf-8").replace("</body>", PROBE + "</body>"), encoding="utf-8")
    done = chromium("--virtual-time-budget=10000", "--window-size=1280,2000", "--dump-dom", probe.as_uri(),
                    cwd=tmp_path)
    match = re.search(r'<pre id="render-check">(.*?)</pre>', done.stdout, re.S)
    assert match, f"the browser did not run the page: {done.stderr[-500:]}"
    import html

    check = json.loads(html.unescape(match.group(1)))
    assert check["header"] == "rgb(31, 95, 139)", "inline CSS not applied"
    assert check["width"] <= 1280, "the page is wider than the window"
    rendered = {s["id"]: s for s in check["sections"]}
    for key in ("overview", "similarity", "provenance"):
        assert key in rendered
    for key, section in rendered.items():
        assert section["size"][1] > 60, f"section {key} has no height"
        if section["status"] == "ok" and key not in ("provenance", "examples", "behind"):
            assert section["plots"], f"section {key} shows no plot"
            for width, height in section["plots"]:
                assert width > 200 and height > 80, f"a plot in {key} rendered at {width}x{height}"
    assert "Korpusoversikt" in rendered["overview"]["headings"]


def test_screenshot_shows_the_report(report, tmp_path):
    from PIL import Image

    shot = tmp_path / "report.png"
    done = chromium(f"--screenshot={shot}", "--window-size=1280,3000", report.path.as_uri(), cwd=tmp_path)
    assert shot.is_file(), f"no screenshot: {done.stderr[-500:]}"
    image = Image.open(shot).convert("RGB")
    assert image.size == (1280, 3000)
    # The header band carries the accent colour; the body below has many colours (plots, text) - not blank.
    assert image.getpixel((20, 20)) == (31, 95, 139)
    body = image.crop((0, 200, 1280, 3000)).resize((320, 700))
    assert len(set(body.getdata())) > 50, "the page below the header looks blank"
