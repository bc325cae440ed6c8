"""The web app in a real browser: Playwright drives Debian's Chromium (``executable_path``; no browser download).

Clicks through the trainer's task on the demo corpus: search -> open a document -> see the highlighted themes ->
add passages to the basket -> download the Markdown handout; and adds a PDF through the upload page and waits for
it to be ingested. Screenshots of each page go to build/web-screenshots/ (look at them when the layout changes).

Skips with the reason when the ``playwright`` package (``pip install -e '.[browser]'``) or Chromium
(``make browser``) is missing.
"""

from __future__ import annotations

import shutil
import socket
import threading
import time
from pathlib import Path

import pytest

pytest.importorskip("fastapi", reason="the web app needs the [web] extra (pip install -e '.[web]')")
pytest.importorskip("playwright.sync_api", reason="the playwright package is missing: pip install -e '.[browser]' "
                    "(make browser); only the Python package, the browser is Debian's chromium")

from playwright.sync_api import expect, sync_playwright  # noqa: E402

from policytekst import Corpus  # noqa: E402
from policytekst.web.app import create_app  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
SHOTS = ROOT / "build" / "web-screenshots"
CHROMIUM = next((p for p in (shutil.which("chromium"), "/usr/bin/chromium", shutil.which("chromium-browser"))
                 if p and Path(p).exists()), None)
pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(CHROMIUM is None, reason="headless Chromium not found (/usr/bin/chromium); "
                                 "run `make browser` as root to install Debian's package")]


def serve(corpus_dir: Path):
    """Run the app under uvicorn on 127.0.0.1 in a thread; returns (base url, server)."""
    import uvicorn

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(create_app(corpus_dir, allowed_hosts=["127.0.0.1"]), host="127.0.0.1",
                                           port=port, log_level="warning"))
    threading.Thread(target=server.run, daemon=True).start()
    deadline = time.time() + 30
    while not server.started:
        assert time.time() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    return f"http://127.0.0.1:{port}", server


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, headless=True,
                                     args=["--no-sandbox", "--disable-gpu"])
        yield chromium
        chromium.close()


@pytest.fixture()
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    yield page
    context.close()
    assert not errors, f"the browser reported errors: {errors}"


def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=False)


def test_search_read_basket_handout(demo_corpus, page, tmp_path):
    base, server = serve(demo_corpus.directory)
    try:
        page.goto(base + "/")
        expect(page.locator("h1")).to_contain_text("Oversikt")
        expect(page.locator("table.trend a.point").first).to_be_visible()
        shot(page, "1-overview")

        page.goto(base + "/search")
        page.fill("form.search input[name=q]", "brukermedvirkning")
        page.click("form.search button[type=submit]")  # htmx swaps the results in and pushes the URL
        expect(page.locator("ol.results li.card").first).to_be_visible()
        assert "q=brukermedvirkning" in page.url
        expect(page.locator("ol.results mark").first).to_be_visible()
        shot(page, "2-search")

        page.locator("ol.results li.card").first.locator(".add-basket").click()  # htmx POST with the CSRF header
        expect(page.locator("#basket-count")).to_have_text("1")
        page.locator("ol.results li.card p.cite a").first.click()
        expect(page.locator("article.text h1")).to_be_visible()
        assert "/doc/" in page.url
        highlights = page.locator("article.text mark.hl")
        expect(highlights.first).to_be_visible()
        colour = highlights.first.evaluate("e => getComputedStyle(e).backgroundColor")
        assert colour not in ("rgba(0, 0, 0, 0)", "transparent")
        shot(page, "3-document")
        theme = highlights.first.get_attribute("data-theme")
        page.locator(f'input.theme-toggle[data-theme="{theme}"]').uncheck()  # toggling a theme hides its marks
        off = highlights.first.evaluate("e => getComputedStyle(e).backgroundColor")
        assert off in ("rgba(0, 0, 0, 0)", "transparent")

        page.locator("article.text .add-basket").first.click()
        expect(page.locator("#basket-count")).to_have_text("2")

        page.click("#basket-link")
        expect(page.locator("ol.results li.card")).to_have_count(2)
        shot(page, "4-basket")
        with page.expect_download() as info:
            page.click("#handout-md")
        handout = tmp_path / "handout.md"
        info.value.save_as(handout)
        text = handout.read_text(encoding="utf-8")
        assert text.startswith("# ") and text.count("\n## ") == 2

        page.goto(base + "/themes/brukermedvirkning")
        expect(page.locator("ol.results li.card").first).to_be_visible()
        shot(page, "5-theme")
    finally:
        server.should_exit = True


def test_upload_a_pdf(page, tmp_path):
    pdf = sorted((ROOT / "corpus").glob("*.pdf"))[0]
    with Corpus(tmp_path / "corpus", create=True) as corpus:
        corpus.ingest(sorted((ROOT / "corpus").glob("*.md"))[:1], progress=False)
    base, server = serve(tmp_path / "corpus")
    try:
        page.goto(base + "/upload")
        page.set_input_files("input[type=file]", str(pdf))
        page.click("#upload button[type=submit]")
        expect(page.locator("#job")).to_contain_text("Ferdig", timeout=60_000)
        expect(page.locator("#job table.ingest tr.status-added")).to_have_count(1)
        shot(page, "6-upload")
        page.locator("#job table.ingest a").first.click()
        expect(page.locator("article.text h1")).to_be_visible()
        assert (tmp_path / "corpus" / "uploads" / pdf.name).is_file()
    finally:
        server.should_exit = True


def test_label_ten_passages_and_retrain(page, tmp_path):
    with Corpus(tmp_path / "corpus", create=True) as corpus:
        corpus.ingest(sorted((ROOT / "corpus").glob("*.md"))[:4], progress=False)
    base, server = serve(tmp_path / "corpus")
    try:
        page.goto(base + "/label")
        page.fill("form.search input[name=theme]", "digital")
        page.fill("form.search input[name=q]", "bruker* OR tjeneste*")
        page.click("form.search button[type=submit]")
        expect(page.locator("h1")).to_contain_text("digital")
        labelled = 0
        for _ in range(6):
            cards = page.locator("li.label-card")
            for i in range(cards.count()):
                if labelled == 10:
                    break
                button = "button.answer-yes" if labelled % 2 == 0 else "button.answer-no"
                cards.nth(i).locator(button).click()  # htmx POST with the CSRF header
                expect(cards.nth(i).locator(".answered")).to_be_visible()
                labelled += 1
            if labelled == 10:
                break
            page.click("text=Nye forslag")
        assert labelled == 10
        expect(page.locator("#label-counts")).to_contain_text("5 ja · 5 nei")
        shot(page, "7-label")
        page.click("#retrain")
        expect(page.locator("table.curve tr")).to_have_count(2)
        expect(page.locator("li.label-card").first).to_contain_text("modellen er usikker")
        shot(page, "8-label-trained")
    finally:
        server.should_exit = True
