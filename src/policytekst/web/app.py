"""The FastAPI application: pages (Jinja2, autoescaped, htmx), the JSON API under ``/api/``, uploads.

Safety, because a trainer may open documents nobody has read yet:

* every captured text reaches the page through Jinja autoescape (search hits are marked with private-use
  characters and turned into ``<mark>`` only after escaping, see :func:`marked`);
* every POST carries the app's CSRF token (a random value made at start, embedded in each page and sent by htmx as
  a header); a request from another site cannot read it;
* ``allowed_hosts`` (set by ``policytekst serve`` to the bound host) refuses requests for other host names, which
  stops DNS-rebinding pages from talking to the local server;
* uploads: allowed suffixes only, a size limit, a sanitised file name under ``<corpus>/uploads/`` (never a path the
  client chose); nothing is fetched from the network (htmx and the CSS are served from the package).
"""

from __future__ import annotations

import io
import re
import secrets
import threading
from collections.abc import Sequence
from datetime import date
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from fastapi import Depends, FastAPI, Form, HTTPException, Query, Request, UploadFile
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from markupsafe import Markup, escape
from starlette.middleware.trustedhost import TrustedHostMiddleware

from policytekst.corpus import Corpus
from policytekst.errors import PolicytekstError, UnknownNameError, UsageError
from policytekst.selection import parse_years
from policytekst.web.labelling import Labeller, ThemeLabels, check_theme_name
from policytekst.web.uploads import UploadJobs, save_upload
from policytekst.web.views import HIT_CLOSE, HIT_OPEN, CorpusView, highlight_segments

PACKAGE = resources.files("policytekst.web")
BASKET_COOKIE = "policytekst_basket"
BASKET_MAX = 200  # passages in a basket (the cookie must stay under the browsers' 4 kB)
CSRF_HEADER = "x-csrf-token"
OVERVIEW_DOCS = 50  # documents listed on the overview (the rest on /docs, a page at a time)
DOCS_PAGE = 200
MAX_FILES_PER_REQUEST = 20  # with max_upload_mb, bounds one upload request


def marked(text: str | None) -> Markup:
    """Escape captured text, then turn the search-hit marks into <mark> elements."""
    safe = str(escape(text or ""))
    return Markup(safe.replace(HIT_OPEN, "<mark>").replace(HIT_CLOSE, "</mark>"))


def basket_ids(request: Request) -> list[str]:
    raw = request.cookies.get(BASKET_COOKIE, "")
    return [pid for pid in raw.split(" ") if pid][:BASKET_MAX]


def create_app(corpus_dir: str | Path, *, include_duplicates: bool = False,
               allowed_hosts: Sequence[str] | None = None, max_upload_mb: float = 50.0,
               warm: bool = False) -> FastAPI:
    """The web app over the corpus in ``corpus_dir`` (which must exist: `policytekst ingest` makes one).

    Parameters
    ----------
    corpus_dir : path
        The corpus directory (holds corpus.sqlite).
    include_duplicates : bool
        As ``policytekst --include-duplicates``.
    allowed_hosts : list of str, optional
        Host names the server answers to (``policytekst serve`` passes the bound host and ``localhost``);
        None answers any (tests).
    max_upload_mb : float
        Largest file accepted by the upload page.
    warm : bool
        Build the search index and the theme scores in a background thread at once (``policytekst serve`` does),
        so the first search or document page does not wait for them.
    """
    corpus = Corpus.open(corpus_dir, include_duplicates=include_duplicates)
    view = CorpusView(corpus)
    jobs = UploadJobs(corpus.directory, include_duplicates=include_duplicates)
    labeller = Labeller(corpus)
    csrf_token = secrets.token_urlsafe(32)
    max_request_bytes = int(max_upload_mb * 2**20 * MAX_FILES_PER_REQUEST) + 2**20

    async def require_csrf(request: Request) -> None:
        """Every POST carries the token (htmx sends it as a header, plain forms as a field); else 403."""
        if request.method in ("GET", "HEAD", "OPTIONS"):
            return
        sent = request.headers.get(CSRF_HEADER)
        if sent is None and request.headers.get("content-type", "").startswith(
                ("application/x-www-form-urlencoded", "multipart/form-data")):
            sent = (await request.form()).get("csrf_token")  # parsed once: FastAPI caches the form
        if not isinstance(sent, str) or not secrets.compare_digest(sent, csrf_token):
            raise HTTPException(403, "missing or wrong CSRF token: reload the page")

    app = FastAPI(title="policytekst", docs_url=None, redoc_url=None, openapi_url="/api/openapi.json",
                  dependencies=[Depends(require_csrf)])
    app.state.view = view
    if warm:
        threading.Thread(target=view.warm, daemon=True, name="policytekst-warm").start()
    app.state.csrf_token = csrf_token
    if allowed_hosts:
        app.add_middleware(TrustedHostMiddleware, allowed_hosts=list(allowed_hosts))
    app.mount("/static", StaticFiles(directory=str(PACKAGE / "static")), name="static")
    templates = Jinja2Templates(directory=str(PACKAGE / "templates"))  # .html templates: autoescape on
    templates.env.filters["marked"] = marked
    templates.env.globals.update(csrf_token=csrf_token, highlight_segments=highlight_segments,
                                 corpus_name=corpus.directory.name)

    def page(request: Request, name: str, status_code: int = 200, **context: Any) -> HTMLResponse:
        context.setdefault("basket", basket_ids(request))
        return templates.TemplateResponse(request, name, context, status_code=status_code)

    # -- errors: one message, the right status, no traceback ------------------------------------------------
    @app.exception_handler(PolicytekstError)
    async def policytekst_error(request: Request, exc: PolicytekstError) -> Response:
        status = 404 if isinstance(exc, UnknownNameError) else 400 if isinstance(exc, UsageError) else 500
        message = " ".join(str(exc).split())
        if request.url.path.startswith("/api/") or request.headers.get("hx-request"):
            if request.headers.get("hx-request"):
                return HTMLResponse(f'<p class="error">{escape(message)}</p>', status_code=status)
            return JSONResponse({"error": message}, status_code=status)
        return page(request, "error.html", status_code=status, message=message)

    @app.middleware("http")
    async def security_headers(request: Request, call_next):
        # refuse an oversized request before the multipart parser spools it to disk
        length = request.headers.get("content-length", "")
        if length.isdigit() and int(length) > max_request_bytes:
            return HTMLResponse(f"request too large (over {max_request_bytes / 2**20:.0f} MB)", status_code=413)
        response = await call_next(request)
        # the pages are self-contained: no script, style or request may come from elsewhere
        response.headers.setdefault("Content-Security-Policy",
                                    "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
                                    "frame-ancestors 'none'; form-action 'self'")
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "no-referrer")
        return response

    # -- JSON API -------------------------------------------------------------------------------------------
    @app.get("/api/docs")
    def api_docs(offset: int = Query(0, ge=0), limit: int | None = Query(None, ge=1)) -> list[dict[str, Any]]:
        docs = view.documents()
        return docs[offset:offset + limit if limit else None]

    @app.get("/api/doc/{doc_id}")
    def api_doc(doc_id: str, highlights: bool = True) -> dict[str, Any]:
        return view.document(doc_id, highlights=highlights)

    @app.get("/api/search")
    def api_search(q: str, limit: int = Query(20, ge=1, le=1000), year: str | None = None,
                   genre: str | None = None, doc_id: str | None = None, language: str | None = None,
                   kind: str | None = None, theme: str | None = None) -> dict[str, Any]:
        found = view.search(q, limit, year=year, genre=genre, doc_id=doc_id, language=language, kind=kind,
                            theme=theme)
        for row in found["results"]:  # JSON readers get plain text: the hit marks become **...**
            row["snippet"] = (row["snippet"] or "").replace(HIT_OPEN, "**").replace(HIT_CLOSE, "**")
        return found

    @app.get("/api/kwic")
    def api_kwic(q: str, window: int = Query(8, ge=1, le=50), limit: int = Query(200, ge=1, le=5000),
                 year: str | None = None, genre: str | None = None) -> list[dict[str, Any]]:
        return view.kwic(q, window, limit, year=year, genre=genre)

    @app.get("/api/passage/{passage_id}/similar")
    def api_similar(passage_id: str, n: int = Query(10, ge=1, le=100)) -> list[dict[str, Any]]:
        return view.similar(passage_id, n)

    @app.get("/api/themes")
    def api_themes() -> list[str]:
        return view.themes()

    @app.get("/api/themes/{theme}/examples")
    def api_examples(theme: str, n: int = Query(10, ge=1, le=100), year: str | None = None,
                     genre: str | None = None) -> list[dict[str, Any]]:
        return view.examples(theme, n, year=year, genre=genre)

    @app.get("/api/overview")
    def api_overview() -> dict[str, Any]:
        return view.overview()

    # -- pages ----------------------------------------------------------------------------------------------
    @app.get("/", response_class=HTMLResponse)
    def overview(request: Request) -> HTMLResponse:
        docs = view.documents()
        return page(request, "overview.html", overview=view.overview(), docs=docs[:OVERVIEW_DOCS],
                    n_docs=len(docs))

    @app.get("/docs", response_class=HTMLResponse)
    def documents_page(request: Request, offset: int = Query(0, ge=0), year: str = "") -> HTMLResponse:
        docs = view.documents()
        if year:
            lo, hi = parse_years(year).as_tuple()
            docs = [d for d in docs if d["year"] is not None and (lo is None or d["year"] >= lo)
                    and (hi is None or d["year"] <= hi)]
        return page(request, "documents.html", docs=docs[offset:offset + DOCS_PAGE], n_docs=len(docs),
                    offset=offset, step=DOCS_PAGE, year=year)

    @app.get("/search", response_class=HTMLResponse)
    def search_page(request: Request, q: str = "", view_as: str = Query("results", alias="view"),
                    limit: int = Query(20, ge=1, le=500), year: str = "", genre: str = "", theme: str = "",
                    doc_id: str = "") -> HTMLResponse:
        context: dict[str, Any] = {"q": q, "view_as": view_as, "limit": limit, "year": year, "genre": genre,
                                   "theme": theme, "doc_id": doc_id, "found": None, "lines": None}
        if q.strip():
            filters = {"year": year, "genre": genre, "theme": theme, "doc_id": doc_id}
            if view_as == "kwic":
                context["lines"] = view.kwic(q, 8, limit * 10, **filters)
            else:
                context["found"] = view.search(q, limit, **filters)
        name = "search_results.html" if request.headers.get("hx-request") else "search.html"
        return page(request, name, themes=view.themes(), **context)

    @app.get("/passage/{passage_id}/similar", response_class=HTMLResponse)
    def similar_page(request: Request, passage_id: str, n: int = Query(10, ge=1, le=50)) -> HTMLResponse:
        source = view.corpus.passage(passage_id)
        return page(request, "similar.html", source=source, rows=view.similar(passage_id, n))

    @app.get("/doc/{doc_id}", response_class=HTMLResponse)
    def document_page(request: Request, doc_id: str, highlights: bool = True) -> HTMLResponse:
        doc = view.document(doc_id, highlights=highlights)
        toc: list[tuple[str, str]] = []  # (section path, its first passage), in reading order
        seen: set[str] = set()
        for p in doc["passages"]:
            if p["section"] and p["section"] not in seen and p["kind"] not in ("footnote", "boilerplate", "toc"):
                seen.add(p["section"])
                toc.append((p["section"], p["passage_id"]))
        shown = sorted({t for p in doc["passages"] for t in [*p["themes"], *(h["theme"] for h in p["hits"])]})
        return page(request, "document.html", doc=doc, toc=toc, highlights=highlights, themes=shown)

    @app.get("/themes", response_class=HTMLResponse)
    def themes_page(request: Request) -> HTMLResponse:
        return page(request, "themes.html", themes=view.themes(), theme=None, rows=[])

    @app.get("/themes/{theme}", response_class=HTMLResponse)
    def theme_page(request: Request, theme: str, n: int = Query(10, ge=1, le=100), year: str = "",
                   genre: str = "") -> HTMLResponse:
        rows = view.examples(theme, n, year=year, genre=genre)
        return page(request, "themes.html", themes=view.themes(), theme=theme, rows=rows, n=n, year=year,
                    genre=genre)

    # -- basket and handouts --------------------------------------------------------------------------------
    @app.get("/basket", response_class=HTMLResponse)
    def basket_page(request: Request) -> HTMLResponse:
        frame = view.basket_frame(basket_ids(request))
        return page(request, "basket.html", items=frame.to_dict("records"))

    @app.post("/basket", response_class=HTMLResponse)
    def basket_change(request: Request, passage_id: str = Form(""), action: str = Form("add"),
                      csrf_token: str = Form("")) -> Response:
        ids = basket_ids(request)
        if action == "add":
            view.corpus.passage(passage_id)  # only real passages go in
            if passage_id not in ids:
                ids.append(passage_id)
        elif action == "remove":
            ids = [pid for pid in ids if pid != passage_id]
        elif action == "clear":
            ids = []
        else:
            raise UsageError(f"unknown basket action {action!r} (add, remove, clear)")
        ids = ids[:BASKET_MAX]
        if request.headers.get("hx-request"):
            response: Response = page(request, "basket_button.html", basket=ids, passage_id=passage_id)
        else:
            response = RedirectResponse("/basket", status_code=303)
        response.set_cookie(BASKET_COOKIE, " ".join(ids), samesite="strict", httponly=True, max_age=30 * 86400)
        return response

    @app.get("/basket/handout.md")
    def handout_md(request: Request, title: str = "Utdrag") -> Response:
        text = view.handout_markdown(basket_ids(request), title=title)
        return Response(text, media_type="text/markdown; charset=utf-8",
                        headers={"Content-Disposition": f'attachment; filename="{_filename(title)}.md"'})

    @app.get("/basket/handout.docx")
    def handout_docx(request: Request, title: str = "Utdrag") -> Response:
        frame = view.basket_frame(basket_ids(request))
        if frame.empty:
            raise UsageError("the basket is empty: add passages first")
        return Response(docx_handout(frame.to_dict("records"), title),
                        media_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                        headers={"Content-Disposition": f'attachment; filename="{_filename(title)}.docx"'})

    # -- adding documents -----------------------------------------------------------------------------------
    @app.get("/upload", response_class=HTMLResponse)
    def upload_page(request: Request) -> HTMLResponse:
        return page(request, "upload.html", job=None, max_mb=max_upload_mb)

    @app.post("/upload", response_class=HTMLResponse)
    async def upload(request: Request, files: list[UploadFile], csrf_token: str = Form("")) -> HTMLResponse:
        saved, refused = [], []
        for item in files:
            try:
                saved.append(await save_upload(item, corpus.directory / "uploads", int(max_upload_mb * 2**20)))
            except UsageError as exc:
                refused.append(str(exc))
        job = jobs.start(saved, refused)
        name = "upload_job.html" if request.headers.get("hx-request") else "upload.html"
        return page(request, name, job=job, max_mb=max_upload_mb)

    @app.get("/upload/jobs/{job_id}", response_class=HTMLResponse)
    def upload_job(request: Request, job_id: str) -> HTMLResponse:
        return page(request, "upload_job.html", job=jobs.get(job_id))

    # -- labelling a theme of one's own -----------------------------------------------------------------------
    @app.get("/label", response_class=HTMLResponse)
    def label_start(request: Request, theme: str = "", q: str = "") -> Response:
        if theme:
            url = f"/label/{check_theme_name(theme)}" + (f"?{urlencode({'q': q})}" if q else "")
            return RedirectResponse(url, status_code=303)
        existing = sorted(p.stem for p in (corpus.directory / "labels").glob("*.jsonl")
                          if not p.name.endswith(".curve.jsonl"))
        return page(request, "label_start.html", existing=existing)

    def label_context(theme: str, q: str) -> dict[str, Any]:
        labels = ThemeLabels(corpus, theme)
        return {"theme": labels.theme, "q": q, "counts": labels.counts(), "curve": labels.curve(),
                "proposals": labeller.proposals(labels.theme, q).to_dict("records"),
                "trained": labels.theme in labeller.models}

    @app.get("/label/{theme}", response_class=HTMLResponse)
    def label_page(request: Request, theme: str, q: str = "") -> HTMLResponse:
        return page(request, "label.html", **label_context(theme, q))

    @app.post("/label/{theme}", response_class=HTMLResponse)
    def label_answer(request: Request, theme: str, passage_id: str = Form(...), answer: str = Form(...),
                     q: str = Form(""), csrf_token: str = Form("")) -> Response:
        ThemeLabels(corpus, theme).answer(passage_id, answer)
        if request.headers.get("hx-request"):
            return page(request, "label_answered.html", answer=answer,
                        counts=ThemeLabels(corpus, theme).counts())
        return RedirectResponse(f"/label/{check_theme_name(theme)}?{urlencode({'q': q})}", status_code=303)

    @app.post("/label/{theme}/train", response_class=HTMLResponse)
    def label_train(request: Request, theme: str, q: str = Form(""), csrf_token: str = Form("")) -> Response:
        labeller.retrain(theme)
        return RedirectResponse(f"/label/{check_theme_name(theme)}?{urlencode({'q': q})}", status_code=303)

    @app.get("/label/{theme}/labels.jsonl")
    def label_export(theme: str) -> Response:
        labels = ThemeLabels(corpus, theme)
        return Response(labels.export(), media_type="application/x-ndjson; charset=utf-8",
                        headers={"Content-Disposition": f'attachment; filename="{labels.theme}.jsonl"'})

    @app.get("/api/upload/jobs/{job_id}")
    def api_upload_job(job_id: str) -> dict[str, Any]:
        return jobs.get(job_id).to_dict()

    return app


def _filename(title: str) -> str:
    return re.sub(r"[^\w.-]+", "_", title, flags=re.UNICODE).strip("._")[:60] or "utdrag"


def docx_handout(items: list[dict[str, Any]], title: str) -> bytes:
    """A Word handout: each passage quoted in full under its citation (python-docx, a core dependency)."""
    import docx  # python-docx: only when a handout is asked for

    document = docx.Document()
    document.add_heading(title, level=1)
    document.add_paragraph(f"Laget {date.today().isoformat()} med policytekst.").italic = True
    for i, item in enumerate(items, 1):
        document.add_heading(f"{i}. {item['citation'] or item['doc_id']}", level=2)
        for para in str(item["text"]).splitlines():
            if para.strip():
                document.add_paragraph(para, style="Quote")
        note = document.add_paragraph()
        note.add_run(f"passasje {item['passage_id']}").italic = True
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
