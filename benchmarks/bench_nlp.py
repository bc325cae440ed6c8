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

from benchlib import alternate, context, summary

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
    context()

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

    words = [t for tokens in token_lists for t in tokens]
    for w in words:  # warm simplemma's own cache too: a fair comparison
        simplemma.lemmatize(w, lang="nb")

    def ours() -> None:
        for text in texts:
            lemmatize(tokenize(text))

    def plain() -> None:
        for w in words:
            simplemma.lemmatize(w, lang="nb")

    # medians of alternating warm runs: the same machine load for ours and the baseline
    times = alternate({"ours": ours, "simplemma": plain}, repeats=5)
    best_warm, t_simple = times["ours"], times["simplemma"]

    chunks = [" ".join(t.split()[i:i + 120]) for t in texts for i in range(0, len(t.split()), 120)]
    start = time.perf_counter()
    sentences(texts[0][:200])  # the first call loads the sentence model (about 1.4 s): not a rate
    t_load = time.perf_counter() - start
    n_sent = sum(len(sentences(t)) for t in texts)
    t_sent = alternate({"sentences": lambda: [sentences(t) for t in texts]}, repeats=3)["sentences"]
    detect_language("oppvarming")
    t_lang = alternate({"lang": lambda: [detect_language(c) for c in chunks]}, repeats=3)["lang"]
    short = [c[:80] for c in chunks]
    t_short = alternate({"short": lambda: [detect_language(s) for s in short]}, repeats=3)["short"]
    print(f"policytekst {policytekst.__version__ if hasattr(policytekst, '__version__') else '?'}, "
          f"simplemma {simplemma.__version__ if hasattr(simplemma, '__version__') else '?'}, "
          f"python {sys.version.split()[0]}, {len(files)} seed texts, {n_tokens:,} tokens, one core")
    print(f"tokenize                     {_rate(n_tokens, t_tok)} tokens")
    print(f"lemmatize, cold cache        {_rate(n_tokens, t_cold)} tokens")
    print(f"tokenize+lemmatize, warm     {_rate(n_tokens, best_warm)} tokens   (target >= 500,000/s)")
    print(f"plain simplemma, warm        {_rate(n_tokens, t_simple)} tokens (lemmatize only, token by token)")
    print(f"ratio ours (tok+lem) / simplemma (lem only): {t_simple / best_warm:.2f}x")
    print(f"sentences, warm              {_rate(n_sent, t_sent)} sentences ({n_sent:,}; the model's first load "
          f"{t_load:.2f} s not counted)")
    print(f"detect_language, 120 words   {t_lang / len(chunks) * 1000:.3f} ms per passage ({len(chunks)} passages)")
    print(f"detect_language, 80 chars    {t_short / len(short) * 1000:.3f} ms per short text")
    print("(warm figures: medians of alternating runs)")
    summary("tokenize+lemmatize", "speed / plain simplemma (warm)", t_simple / best_warm, ">= 1")
    summary("tokenize+lemmatize", "tokens/s (warm)", n_tokens / best_warm, ">= 500000")
    summary("sentences", "sentences/s (warm)", n_sent / t_sent, "")


if __name__ == "__main__":
    main()
