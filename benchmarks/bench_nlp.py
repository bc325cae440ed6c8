"""Throughput of the language layer on the seed texts (../shared/corpus/seeds/*.txt), one core.

Prints tokens/second for tokenize + lemmatize with a warm cache (the second pass over the same texts, as in a
corpus where words repeat), the cold first pass, plain simplemma on the same tokens, and the ratio between
them; then sentence splitting and language identification per passage-sized chunk.

    .venv/bin/python benchmarks/bench_nlp.py [SEED_DIR]
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SEEDS = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT.parent / "shared" / "corpus" / "seeds"


def _rate(n: int, seconds: float) -> str:
    return f"{n / seconds:,.0f}/s"


def main() -> None:
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})  # one core
    files = sorted(SEEDS.glob("*.txt"))
    if not files:
        sys.exit(f"no seed texts in {SEEDS}")
    texts = [f.read_text(encoding="utf-8", errors="replace") for f in files]

    import simplemma

    import policytekst
    from policytekst.nlp import detect_language, lemmatize, sentences, tokenize
    from policytekst.nlp.lemmas import _dictionary

    _dictionary("nb")  # load the dictionary outside the timings
    lemmatize(["start"])

    start = time.perf_counter()
    token_lists = [tokenize(t) for t in texts]
    t_tok = time.perf_counter() - start
    n_tokens = sum(map(len, token_lists))

    start = time.perf_counter()
    for tokens in token_lists:
        lemmatize(tokens)
    t_cold = time.perf_counter() - start

    best_warm = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        for text in texts:
            lemmatize(tokenize(text))
        best_warm = min(best_warm, time.perf_counter() - start)

    words = [t for tokens in token_lists for t in tokens]
    for w in words:  # warm simplemma's own cache too: a fair comparison
        simplemma.lemmatize(w, lang="nb")
    start = time.perf_counter()
    for w in words:
        simplemma.lemmatize(w, lang="nb")
    t_simple = time.perf_counter() - start

    chunks = [" ".join(t.split()[i:i + 120]) for t in texts for i in range(0, len(t.split()), 120)]
    start = time.perf_counter()
    n_sent = sum(len(sentences(t)) for t in texts)
    t_sent = time.perf_counter() - start
    detect_language("oppvarming")
    start = time.perf_counter()
    for chunk in chunks:
        detect_language(chunk)
    t_lang = time.perf_counter() - start
    short = [c[:80] for c in chunks]
    start = time.perf_counter()
    for s in short:
        detect_language(s)
    t_short = time.perf_counter() - start

    print(f"policytekst {policytekst.__version__ if hasattr(policytekst, '__version__') else '?'}, "
          f"simplemma {simplemma.__version__ if hasattr(simplemma, '__version__') else '?'}, "
          f"python {sys.version.split()[0]}, {len(files)} seed texts, {n_tokens:,} tokens, one core")
    print(f"tokenize                     {_rate(n_tokens, t_tok)} tokens")
    print(f"lemmatize, cold cache        {_rate(n_tokens, t_cold)} tokens")
    print(f"tokenize+lemmatize, warm     {_rate(n_tokens, best_warm)} tokens   (target >= 500,000/s)")
    print(f"plain simplemma, warm        {_rate(n_tokens, t_simple)} tokens (lemmatize only, token by token)")
    print(f"ratio ours (tok+lem) / simplemma (lem only): {t_simple / best_warm:.2f}x")
    print(f"sentences                    {_rate(n_sent, t_sent)} sentences ({n_sent:,})")
    print(f"detect_language, 120 words   {t_lang / len(chunks) * 1000:.3f} ms per passage ({len(chunks)} passages)")
    print(f"detect_language, 80 chars    {t_short / len(short) * 1000:.3f} ms per short text")


if __name__ == "__main__":
    main()
