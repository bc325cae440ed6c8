#!/usr/bin/env python
"""Speed of `themes predict` with the shipped model on 10,000 passages, on one core.

Prints: end-to-end CLI time (read JSONL, predict, write JSONL), in-process predict_proba time, the time of the
bare scikit-learn predict_proba on the same (precomputed) features, and their ratio; plus codebook coding
speed. Passages are composed from the package's own hand-written training passages (no ../shared text), each
about 100-200 words like real passages.

    .venv/bin/python benchmarks/bench_themes.py [--n 10000] [--seed 0]
"""

from __future__ import annotations

import os

# One core: keep BLAS and friends single-threaded (must happen before numpy is imported).
for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[var] = "1"

import argparse  # noqa: E402
import json  # noqa: E402
import random  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

from benchlib import summary  # noqa: E402


def passages(n: int, seed: int) -> list[str]:
    from policytekst.themes.training import default_training_passages

    base = default_training_passages().texts
    rng = random.Random(seed)
    return [" ".join(rng.sample(base, rng.choice((3, 4, 5)))) for _ in range(n)]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    from policytekst.themes import Codebook, default_model

    texts = passages(args.n, args.seed)
    words = sum(len(t.split()) for t in texts)
    print(f"{args.n} passages, {words / args.n:.0f} words on average, one core "
          f"(affinity: {sorted(os.sched_getaffinity(0)) if hasattr(os, 'sched_getaffinity') else 'n/a'})")

    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "in.jsonl"
        src.write_text("".join(json.dumps({"id": i, "text": t}, ensure_ascii=False) + "\n"
                               for i, t in enumerate(texts)), encoding="utf-8")
        cmd = [sys.executable, "-m", "policytekst", "themes", "predict", "--input", str(src)]
        if hasattr(os, "sched_setaffinity"):
            cmd = ["taskset", "-c", "0", *cmd] if subprocess.run(["which", "taskset"], capture_output=True
                                                                 ).returncode == 0 else cmd
        import resource

        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.perf_counter()
        done = subprocess.run(cmd, capture_output=True, text=True, check=True)
        cli_seconds = time.perf_counter() - started
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cli_cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        assert len(done.stdout.splitlines()) == args.n
    print(f"CLI `themes predict` end to end (incl. start-up and model load): {cli_seconds:.2f} s wall, "
          f"{cli_cpu:.2f} s CPU ({args.n / cli_seconds:,.0f} passages/s wall); load average "
          f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores (wall time suffers when the machine is busy)")

    model = default_model()
    model.predict_proba(texts[:50])  # warm caches (lemma dictionaries) as the CLI run did
    started = time.perf_counter()
    cpu_started = time.process_time()
    model.predict_proba(texts)
    full = time.perf_counter() - started
    full_cpu = time.process_time() - cpu_started
    features = model.transform(texts)
    started = time.perf_counter()
    for estimator in model.estimators_:
        if not isinstance(estimator, float):
            estimator.predict_proba(features)
    bare = time.perf_counter() - started
    print(f"in-process predict_proba (features + models): {full:.2f} s wall, {full_cpu:.2f} s CPU "
          "(CPU time is the fairer figure on a busy machine; target: 10,000 passages under 3 s)")
    print(f"bare scikit-learn predict_proba on the same features: {bare:.3f} s")
    print(f"ratio full / bare: {full / max(bare, 1e-9):.0f}x (the difference is tokenising, lemmatising and "
          "codebook matching)")

    book = Codebook.default()
    started = time.perf_counter()
    for text in texts:
        book.score(text)
    coding = time.perf_counter() - started
    print(f"codebook coding alone: {coding:.2f} s ({words / coding:,.0f} words/s)")
    summary(f"themes predict {args.n:,} passages", "CPU s in-process", full_cpu, "< 3 s")
    summary(f"themes predict {args.n:,} passages", "CPU s whole command", cli_cpu, "< 10 s")
    summary(f"themes predict {args.n:,} passages", "time / bare predict_proba", full / max(bare, 1e-9), "")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
