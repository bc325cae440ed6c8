"""`policytekst serve`: the JSON API, the pages, the basket and handouts, and the safety rules, through FastAPI's
TestClient (no server, no network).

The read-only checks use the demo corpus (shared by the session, never changed here); everything that writes
(uploads, a hostile document) uses a small corpus of text written below.
"""

from __future__ import annotations

import io
import re
import time
import zipfile

import pytest

pytest.importorskip("fastapi", reason="the web app needs the [web] extra (pip install -e '.[web]'; make test does)")
pytest.importorskip("httpx", reason="FastAPI's TestClient needs httpx (in the [web] extra)")

from fastapi.testclient import TestClient  # noqa: E402

from policytekst import Corpus  # noqa: E402
from policytekst.search import search  # noqa: E402
from policytekst.web import host_warning  # noqa: E402
from policytekst.web.app import BASKET_COOKIE, create_app  # noqa: E402
from policytekst.web.uploads import safe_name  # noqa: E402

HOSTILE = """Brukermedvirkning <b onmouseover=alert(2)>og</b> ansvar

Kontoret la vekt på brukermedvirkning i alle saker, og brukerne fikk si sin mening om tiltakene i planen.
<script>alert("stjålet")</script> Veilederne skrev ned hva brukerne ønsket, og planen ble endret etter samtalen.

Mange opplevde likevel å bli en kasteball mellom etatene <img src=x onerror=alert(1)> og ble sendt fra kontor
til kontor uten at noen tok ansvar for helheten i saken eller for den samlede oppfølgingen.
"""
PLAIN = """Samordning av tjenester

Kommunen og staten samarbeidet om et felles kontor der brukerne kunne få hjelp med arbeid, trygd og
sosialhjelp på ett sted, og de ansatte delte kartlegging og planer for oppfølgingen av hver bruker.
"""


@pytest.fixture(scope="module")
def demo(demo_corpus):
    """A client of the app over the demo corpus (read-only use)."""
    with TestClient(create_app(demo_corpus.directory)) as client:
        yield client


@pytest.fixture()
def small(tmp_path):
    """A client over a fresh two-document corpus, one of them full of markup; the test may change it."""
    source = tmp_path / "src"
    source.mkdir()
    (source / "hostile.txt").write_text(HOSTILE, encoding="utf-8")
    (source / "plain.txt").write_text(PLAIN, encoding="utf-8")
    with Corpus(tmp_path / "corpus", create=True) as corpus:
        corpus.ingest([source], progress=False)
    app = create_app(tmp_path / "corpus", max_upload_mb=0.05)
    with TestClient(app) as client:
        client.app_state = app.state
        yield client


def csrf(client: TestClient) -> str:
    page = client.get("/basket").text
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1) if "csrf_token" in page else \
        re.search(r'"X-CSRF-Token": "([^"]+)"', page).group(1)


# -- JSON API ------------------------------------------------------------------------------------------------
def test_api_search_matches_the_library_search(demo, demo_corpus):
    got = demo.get("/api/search", params={"q": "brukermedvirkning", "limit": 5}).json()
    expected = search(demo_corpus, "brukermedvirkning", limit=5)
    assert [r["passage_id"] for r in got["results"]] == expected["passage_id"].tolist()
    first = got["results"][0]
    assert {"passage_id", "doc_id", "text", "snippet", "citation"} <= set(first)
    assert "**" in first["snippet"] and first["citation"]
    assert "\ue000" not in first["snippet"]  # the private hit marks never leak into JSON


def test_api_search_filters_and_bad_query(demo):
    rows = demo.get("/api/search", params={"q": "nav", "year": "2010..", "limit": 50}).json()["results"]
    assert rows and all(r["year"] >= 2010 for r in rows)
    bad = demo.get("/api/search", params={"q": "nav", "year": "tjue"})
    assert bad.status_code == 400 and "error" in bad.json() and "Traceback" not in bad.text
    assert demo.get("/api/search", params={"q": "nav", "limit": 0}).status_code == 422


def test_api_docs_and_doc(demo, demo_corpus):
    docs = demo.get("/api/docs").json()
    assert {d["doc_id"] for d in docs} == {d.doc_id for d in demo_corpus.documents()}
    doc_id = max(docs, key=lambda d: d["n_passages"])["doc_id"]
    doc = demo.get(f"/api/doc/{doc_id}").json()
    assert doc["doc_id"] == doc_id and doc["title"] and doc["evidence"]
    passages = doc["passages"]
    assert [p["passage_id"] for p in passages] == [p.passage_id for p in demo_corpus.passages(doc_id)]
    hits = [(p["text"], h) for p in passages for h in p["hits"]]
    assert hits, "a long demo document has codebook hits"
    for text, hit in hits:  # offsets point at the words that hit
        assert text[hit["start"]:hit["end"]].strip() and hit["theme"]
    assert any(p["themes"] for p in passages), "some passages are coded by the theme model"
    assert all(0.5 <= s <= 1 for p in passages for s in p["themes"].values())
    assert demo.get("/api/doc/no-such-doc").status_code == 404


def test_api_theme_examples(demo):
    rows = demo.get("/api/themes/brukermedvirkning/examples", params={"n": 4}).json()
    assert 1 <= len(rows) <= 4 and [r["rank"] for r in rows] == list(range(1, len(rows) + 1))
    assert all(r["citation"] and r["theme_score"] > 0 for r in rows)
    assert len({r["doc_id"] for r in rows}) == len(rows)  # spread over documents
    missing = demo.get("/api/themes/ingen_slik/examples")
    assert missing.status_code == 404 and "brukermedvirkning" in missing.json()["error"]


# -- pages ---------------------------------------------------------------------------------------------------
def test_pages_render(demo):
    home = demo.get("/")
    assert home.status_code == 200 and "Tema over tid" in home.text and "/static/htmx.min.js" in home.text
    assert 'href="/themes/brukermedvirkning?year=' in home.text  # a trend point links to its passages
    results = demo.get("/search", params={"q": "kasteball"}).text
    assert "<mark>" in results and "Legg i kurven" in results and "/similar" in results
    kwic = demo.get("/search", params={"q": "kasteball", "view": "kwic"}).text
    assert 'class="match"' in kwic
    assert "temaskår" in demo.get("/themes/kasteball").text
    assert demo.get("/static/htmx.min.js").status_code == 200
    listing = demo.get("/docs", params={"year": "2010.."}).text
    years = [int(y) for y in re.findall(r"<tr><td>(\d{4})</td>", listing)]
    assert years and min(years) >= 2010
    assert demo.get("/search", params={"q": "kasteball"}, headers={"HX-Request": "true"}).text.lstrip()[:1] == "<"


def test_document_page_highlights_and_toggle(demo):
    docs = demo.get("/api/docs").json()
    doc_id = max(docs, key=lambda d: d["n_passages"])["doc_id"]
    page = demo.get(f"/doc/{doc_id}").text
    assert 'class="hl" data-theme=' in page and 'class="page-label"' in page and "Innhold" in page
    plain = demo.get(f"/doc/{doc_id}", params={"highlights": "false"}).text
    assert "<mark class=\"hl\"" not in plain
    assert demo.get("/doc/no-such-doc").status_code == 404


def test_more_like_this(demo, demo_corpus):
    pid = demo_corpus.passage_ids()[3]
    rows = demo.get(f"/api/passage/{pid}/similar", params={"n": 3}).json()
    assert rows and pid not in [r["passage_id"] for r in rows]
    assert demo.get(f"/passage/{pid}/similar").status_code == 200


# -- basket and handouts -------------------------------------------------------------------------------------
def test_basket_and_handouts(small):
    token = csrf(small)
    pids = [r["passage_id"] for r in small.get("/api/search", params={"q": "brukermedvirkning OR samordning"}
                                               ).json()["results"]]
    assert len(pids) >= 2
    for pid in pids:
        answer = small.post("/basket", data={"passage_id": pid, "action": "add", "csrf_token": token},
                            headers={"HX-Request": "true"})
        assert answer.status_code == 200 and "I kurven" in answer.text
    assert small.cookies.get(BASKET_COOKIE).strip('"').split(" ") == pids
    markdown = small.get("/basket/handout.md", params={"title": "Kurs"})
    assert markdown.status_code == 200 and markdown.text.startswith("# Kurs")
    assert markdown.text.count("\n## ") == len(pids)
    assert "&lt;" not in markdown.text and "\\<script\\>" in markdown.text  # Markdown-escaped, not HTML
    docx = small.get("/basket/handout.docx")
    assert docx.status_code == 200
    body = zipfile.ZipFile(io.BytesIO(docx.content)).read("word/document.xml").decode()
    assert "Kontoret la vekt" in body and "<script>" not in body
    small.post("/basket", data={"passage_id": pids[0], "action": "remove", "csrf_token": token})
    assert small.cookies.get(BASKET_COOKIE).strip('"').split(" ") == pids[1:]
    bad = small.post("/basket", data={"passage_id": "nope:1", "action": "add", "csrf_token": token})
    assert bad.status_code == 404
    small.post("/basket", data={"action": "clear", "csrf_token": token})
    assert small.get("/basket/handout.md").status_code == 400


# -- safety --------------------------------------------------------------------------------------------------
def test_captured_markup_is_shown_as_text(small):
    pages = [small.get("/doc/hostile").text, small.get("/search", params={"q": "mening"}).text,
             small.get("/").text, small.get("/search", params={"q": "kasteball", "view": "kwic"}).text]
    for page in pages:
        assert "<script>alert" not in page and "<img src=x" not in page and "<b onmouseover" not in page
    assert "&lt;script&gt;alert" in pages[0] and "onerror=alert(1)&gt;" in pages[0]
    assert "&lt;script&gt;" in pages[1]
    assert "Content-Security-Policy" in small.get("/").headers


def test_every_post_needs_the_csrf_token(small):
    pid = small.get("/api/search", params={"q": "kontoret"}).json()["results"][0]["passage_id"]
    for data in ({"passage_id": pid}, {"passage_id": pid, "csrf_token": "forged"}):
        assert small.post("/basket", data=data).status_code == 403
    assert small.post("/upload", files={"files": ("a.txt", b"tekst")}).status_code == 403
    huge = small.post("/upload", content=b"x", headers={"content-length": str(2**30), "X-CSRF-Token": csrf(small)})
    assert huge.status_code == 413
    assert BASKET_COOKIE not in small.cookies
    assert small.post("/basket", data={"passage_id": pid}, headers={"X-CSRF-Token": csrf(small)},
                       follow_redirects=False).status_code == 303


def test_unknown_hosts_are_refused(demo_corpus):
    client = TestClient(create_app(demo_corpus.directory, allowed_hosts=["127.0.0.1", "localhost"]),
                        base_url="http://127.0.0.1:8765")
    assert client.get("/api/docs").status_code == 200
    assert client.get("/api/docs", headers={"host": "evil.example"}).status_code == 400


def test_host_warning():
    assert host_warning("127.0.0.1") is None and host_warning("localhost") is None
    assert "0.0.0.0" in host_warning("0.0.0.0")


@pytest.mark.parametrize("name, expected", [
    ("../../etc/passwd.txt", "passwd.txt"), ("..\\..\\win.ini.txt", "win.ini.txt"), (".hidden.md", "hidden.md"),
    ("rapport 2020 (ny).pdf", "rapport_2020_ny_.pdf"), ("", "upload"), ("/abs/path/x.html", "x.html")])
def test_safe_upload_names(name, expected):
    assert safe_name(name) == expected


# -- uploads -------------------------------------------------------------------------------------------------
def wait_for(client: TestClient, job_id: str, timeout: float = 60) -> dict:
    end = time.time() + timeout
    while time.time() < end:
        job = client.get(f"/api/upload/jobs/{job_id}").json()
        if job["done"]:
            return job
        time.sleep(0.2)
    raise AssertionError(f"upload job {job_id} did not finish in {timeout} s")


def test_upload_ingests_and_refuses_bad_files(small, tmp_path):
    token = csrf(small)
    new = "Arbeidslinja i kommunen\n\nKommunen stilte krav om aktivitet for alle som fikk sosialhjelp, og " \
          "veilederne fulgte opp hver enkelt med en plan for arbeid eller utdanning i løpet av året.\n"
    files = [("files", ("../../ny rapport.txt", new.encode(), "text/plain")),
             ("files", ("skadelig.exe", b"MZ", "application/octet-stream")),
             ("files", ("stor.txt", b"a " * 40_000, "text/plain")),
             ("files", ("hostile.txt", HOSTILE.encode(), "text/plain"))]
    page = small.post("/upload", files=files, data={"csrf_token": token}, headers={"HX-Request": "true"})
    assert page.status_code == 200
    job_id = re.search(r"/upload/jobs/([0-9a-f]+)", page.text)
    job = wait_for(small, job_id.group(1)) if job_id else None
    assert job is not None, page.text
    assert any("skadelig.exe" in r and ".exe" in r for r in job["refused"])
    assert any("stor.txt" in r and "limit" in r for r in job["refused"])
    assert job["files"] == ["ny_rapport.txt", "hostile.txt"]
    statuses = {r["path"]: r["status"] for r in job["results"]}
    assert statuses["ny_rapport.txt"] == "added"
    by_name = {r["path"]: r for r in job["results"]}
    assert by_name["hostile.txt"]["duplicate_of"] == "hostile"  # the same text as a document already there
    assert by_name["ny_rapport.txt"]["duplicate_of"] is None
    uploads = small.app_state.view.corpus.directory / "uploads"
    assert sorted(p.name for p in uploads.iterdir()) == ["hostile.txt", "ny_rapport.txt"]
    assert not list(tmp_path.glob("**/*.part")) and not (tmp_path / "ny rapport.txt").exists()
    docs = {d["doc_id"] for d in small.get("/api/docs").json()}
    assert len(docs) >= 3  # the new document is visible to the running app at once
    found = small.get("/api/search", params={"q": "sosialhjelp"}).json()["results"]
    assert any("Kommunen stilte krav" in r["text"] and r["doc_id"] == "ny_rapport" for r in found)


def test_warm_start_builds_index_and_scores_ahead(small):
    view = small.app_state.view
    from policytekst.search.index import is_current

    view.warm()
    assert is_current(view.corpus) and view._scores is not None and view._overview is not None
    assert small.get("/api/search", params={"q": "kontoret"}).json()["results"]


# -- labelling a theme of one's own --------------------------------------------------------------------------
@pytest.fixture()
def labelling(tmp_path):
    """A client over four demo documents (the label files are written into this corpus)."""
    from conftest import DEMO

    with Corpus(tmp_path / "corpus", create=True) as corpus:
        corpus.ingest(sorted(DEMO.glob("*.md"))[:4], progress=False)
    with TestClient(create_app(tmp_path / "corpus")) as client:
        yield client, tmp_path / "corpus"


def test_label_ten_passages_retrain_and_export(labelling):
    from policytekst.themes.training import read_labels

    client, corpus_dir = labelling
    token = csrf(client)
    start = client.get("/label", params={"theme": "Digital", "q": "bruker*"}, follow_redirects=False)
    assert start.status_code == 303 and start.headers["location"].startswith("/label/digital")
    assert client.post("/label/digital/train", data={"csrf_token": token}).status_code == 400  # nothing yet
    answered: dict[str, str] = {}
    for _ in range(6):  # the page proposes passages a few at a time; answer until 10 are labelled
        page = client.get("/label/digital", params={"q": "bruker* OR tjeneste*"}).text
        ids = list(dict.fromkeys(re.findall(r'name="passage_id" value="([^"]+)"', page)))  # 3 forms per card
        for pid in ids:
            if len(answered) == 10:
                break
            answer = "yes" if len(answered) % 2 == 0 else "no"
            reply = client.post("/label/digital", data={"passage_id": pid, "answer": answer, "csrf_token": token},
                                headers={"HX-Request": "true"})
            assert reply.status_code == 200 and "Merket" in reply.text
            answered[pid] = answer
    assert len(answered) == 10, "the seed query proposed too few passages"
    client.post("/label/digital", data={"passage_id": next(iter(answered)), "answer": "skip", "csrf_token": token})
    answered[next(iter(answered))] = "skip"
    assert client.post("/label/digital/train", data={"csrf_token": token}).status_code == 200
    curve = [line for line in (corpus_dir / "labels" / "digital.curve.jsonl").read_text().splitlines() if line]
    point = __import__("json").loads(curve[-1])
    assert point["n_labels"] == 9 and 0.0 <= point["f1"] <= 1.0
    page = client.get("/label/digital").text
    assert "Læringskurve" in page and "modellen er usikker" in page
    proposed = set(re.findall(r'name="passage_id" value="([^"]+)"', page))
    assert proposed and not proposed & set(answered)  # never proposes a passage already answered
    exported = client.get("/label/digital/labels.jsonl")
    path = corpus_dir / "exported.jsonl"
    path.write_bytes(exported.content)
    labels = read_labels(path)
    assert len(labels) == 10 and sum(1 for row in labels.labels if row == ["digital"]) == \
        sum(1 for a in answered.values() if a == "yes")
    assert client.get("/label/..%2Fetc").status_code in (400, 404)
    assert client.post("/label/digital", data={"passage_id": "x:1", "answer": "kanskje", "csrf_token": token}
                       ).status_code == 400
