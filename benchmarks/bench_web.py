"""Web app latency (issue 15): p50/p95 of the overview, search pages and document pages over real HTTP.

Corpus: the Storting questions (every ``--every``-th row; 1 = all 32,315), ingested once and cached in
build/bench_web/ (``--fresh`` rebuilds it). The theme scores are computed ahead (the issue allows caching the first
theme scoring), then the app runs under uvicorn on 127.0.0.1 in a thread and an HTTP client (httpx) measures:

* ``/`` (overview) ``--repeat`` times;
* ``/search?q=...`` for 25 realistic queries (snippets, citations, basket buttons included);
* ``/doc/{id}`` for 25 documents spread over the years (reader with codebook highlights and model scores);
* the matching JSON endpoints once each, for comparison.

Usage: python benchmarks/bench_web.py [--shared ../shared] [--every 1] [--repeat 20] [--fresh]
"""

from __future__ import annotations

import argparse
import shutil
import socket
import statistics
import sys
import threading
import time
from pathlib import Path

import benchlib
from bench_report import sample_csv  # benchmarks run as scripts: their folder is on sys.path

ROOT = Path(__file__).resolve().parents[1]
CACHE = ROOT / "build" / "bench_web"
QUERIES = ["kasteball", "brukermedvirkning", "samordning", "arbeidslinja", "NAV-reformen", "sosialhjelp",
           '"økonomisk sosialhjelp"', "NAV AND kommune", "Aetat OR trygdeetaten", "sykehus NOT privat",
           "eldreomsorg", "barnevern*", "uføretrygd", "attføring", "kvalifiseringsprogrammet", "statsråden",
           "(NAV OR Aetat) AND ledighet", '"tverrfaglig samarbeid"', "effektivisering", "fastlege*",
           "ventetid*", "politi", "sosialkontor*", "helse- og omsorgstjenester", "arbeidsevne"]


def build(shared: Path, every: int, fresh: bool) -> Path:
    from policytekst import Corpus

    folder = CACHE / f"every{every}"
    if fresh and folder.exists():
        shutil.rmtree(folder)
    if (folder / "done").exists():
        return folder / "corpus"
    folder.mkdir(parents=True, exist_ok=True)
    source = shared / "data" / "storting_questions" / "storting_questions_1996_2015.csv.gz"
    sample = sample_csv(source, folder / "storting.csv", every)  # every Nth question, as bench_report
    start = time.perf_counter()
    with Corpus(folder / "corpus", create=True) as corpus:
        corpus.ingest([sample], text_column="question", id_column="docId", date_column="dateAsked",
                      meta_columns=["type", "fromParty", "toDepMinister", "cabinet_name"], progress=False)
    print(f"ingest: {time.perf_counter() - start:.0f} s", flush=True)
    (folder / "done").touch()
    return folder / "corpus"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def timed(client, url: str, params: dict | None = None) -> float:
    start = time.perf_counter()
    response = client.get(url, params=params)
    elapsed = (time.perf_counter() - start) * 1000
    if response.status_code != 200:
        raise SystemExit(f"{url} {params}: HTTP {response.status_code}: {response.text[:300]}")
    return elapsed


def describe(name: str, times: list[float]) -> str:
    ordered = sorted(times)
    p95 = ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]
    return f"{name:<22} n={len(times):>3}  p50 {statistics.median(times):7.1f} ms  p95 {p95:7.1f} ms  " \
           f"max {max(times):7.1f} ms"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    parser.add_argument("--every", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--fresh", action="store_true")
    args = parser.parse_args()
    try:
        import httpx
        import uvicorn

        from policytekst.web.app import create_app
    except ImportError as exc:
        print(f"skipped: the [web] extra is not installed ({exc})")
        return 0
    if not (args.shared / "data" / "storting_questions").is_dir():
        print(f"skipped: Storting questions not found under {args.shared}")
        return 0
    corpus_dir = build(args.shared, args.every, args.fresh)
    app = create_app(corpus_dir)
    view = app.state.view
    start = time.perf_counter()
    view.warm()  # what `policytekst serve` starts in the background: search index, theme scores, overview
    print(f"warm-up (index, theme scores, overview; cached in the corpus after the first run): "
          f"{time.perf_counter() - start:.1f} s")
    docs = view.documents()
    print(f"corpus: {len(docs)} documents, {view.corpus.status().get('passages', '?')} passages")
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    threading.Thread(target=server.run, daemon=True).start()
    while not server.started:
        time.sleep(0.05)
    step = max(1, len(docs) // 25)
    doc_ids = [d["doc_id"] for d in docs[::step]][:25]
    with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=60) as client:
        timed(client, "/")  # first request: the overview's tables are built once per corpus generation
        results = {
            "overview /": [timed(client, "/") for _ in range(args.repeat)],
            "search /search?q=": [timed(client, "/search", {"q": q}) for q in QUERIES],
            "document /doc/{id}": [timed(client, f"/doc/{d}") for d in doc_ids],
            "api /api/search": [timed(client, "/api/search", {"q": q}) for q in QUERIES],
            "api /api/doc/{id}": [timed(client, f"/api/doc/{d}") for d in doc_ids],
            "theme examples": [timed(client, "/themes/kasteball") for _ in range(5)],
        }
    server.should_exit = True
    for name, times in results.items():
        print(describe(name, times))
        ordered = sorted(times)
        benchlib.summary(f"web app {name}", "p95 ms", ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))],
                         "")
    return 0


if __name__ == "__main__":
    sys.exit(main())
