"""HTML reader: trafilatura's main-text extraction and its metadata (title, date, author, site).

Besides trafilatura's metadata the page's own title evidence is kept apart, so describing can weigh it: the
`<h1>` headlines, `og:title`, `<title>`, the site name (`og:site_name`, `application-name`) and a byline
(`<meta name="author">`, an element whose class says byline/author). The kicker or section label above a headline
is never recorded as a title.
"""

from __future__ import annotations

from pathlib import Path

from policytekst.model import Page, RawDocument
from policytekst.read.errors import ReadError
from policytekst.read.text import decode_text


def read_html(path: Path) -> RawDocument:
    import trafilatura

    html, encoding = decode_text(path.read_bytes())
    # Markdown output keeps headings (#), lists and tables as structure the cleaner can use.
    text = trafilatura.extract(
        html,
        output_format="markdown",
        include_comments=False,
        include_tables=True,
        include_links=False,
        favor_recall=True,
        with_metadata=False,
    )
    if not text or not text.strip():
        raise ReadError("no main text found in the HTML page")
    meta = {}
    found = trafilatura.extract_metadata(html)
    if found is not None:
        for name in ("title", "author", "date", "sitename", "description", "url"):
            value = getattr(found, name, None)
            if value:
                meta[name] = str(value)
    facts = {"encoding": encoding, "n_pages": 1, "extractor": "trafilatura", "title_evidence": title_evidence(html)}
    return RawDocument(str(path), "html", [Page(1, text)], meta=meta, facts=facts)


def title_evidence(html: str) -> dict[str, object]:
    """The page's own headline evidence: h1 (list), og_title, html_title, site_name, byline (empty when absent)."""
    from lxml import html as lxml_html

    try:
        tree = lxml_html.fromstring(html)
    except (ValueError, TypeError, Exception):  # noqa: BLE001 - a page lxml cannot parse still has its main text
        return {}
    found: dict[str, object] = {}

    def first(xpath: str) -> str:
        for value in tree.xpath(xpath):
            text = " ".join(str(value).split())
            if text:
                return text
        return ""

    h1 = [" ".join(node.text_content().split()) for node in tree.xpath("//body//h1")]
    h1 = [text for text in h1 if text]
    if h1:
        found["h1"] = h1[:5]
    for name, xpath in (("og_title", "//meta[@property='og:title' or @name='og:title']/@content"),
                        ("html_title", "//head/title/text()|//title/text()"),
                        ("site_name", "//meta[@property='og:site_name' or @name='application-name']/@content"),
                        ("meta_author", "//meta[@name='author' or @property='article:author']/@content")):
        value = first(xpath)
        if value:
            found[name] = value
    bylines = tree.xpath("//*[contains(concat(' ', normalize-space(@class), ' '), ' byline ') or "
                         "contains(concat(' ', normalize-space(@class), ' '), ' author ') or @rel='author' or "
                         "@itemprop='author']")
    for node in bylines:
        text = " ".join(node.text_content().split())
        if text and len(text) < 200:
            found["byline"] = text
            break
    return found
