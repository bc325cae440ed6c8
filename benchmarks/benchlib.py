"""What every benchmark needs to give a figure one can trust on a shared machine.

* :func:`alternate` times ours and the baseline in turn (a, b, a, b, ...) and gives medians, so a burst of load
  from another process hits both sides alike; the ratio of the medians is the figure, never one cold run.
* :func:`context` prints the load average, the CPU count and the versions beside the figures.
* :func:`in_child` runs a measurement in a fresh process and reads back the JSON line it prints, so a peak memory
  is the child's own (``ru_maxrss`` of ``RUSAGE_SELF`` read in the child, see :func:`peak_mb`), not the parent's.
* :func:`summary` prints one machine-readable ``SUMMARY {...}`` line per figure; ``benchmarks/run_all.py``
  (``make bench``) collects them into one table of ratios.

Usage inside a benchmark::

    times = alternate({"ours": run_ours, "raw": run_raw}, repeats=5)
    summary("pdf ingest in-process", "speed vs raw pypdfium2", ratio(times["raw"], times["ours"]), target=0.6)
"""

from __future__ import annotations

import json
import os
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("POLICYTEKST_SHARED", ROOT.parent / "shared"))
SUMMARY_PREFIX = "SUMMARY "


def seconds_of(fn: Callable[[], object]) -> float:
    """Wall-clock seconds of one call (or the seconds the call returns itself, when it returns a float: a
    measurement that must leave out its own set-up)."""
    start = time.perf_counter()
    result = fn()
    elapsed = time.perf_counter() - start
    return float(result) if isinstance(result, float) else elapsed


def alternate(runs: dict[str, Callable[[], object]], repeats: int = 5, warmup: int = 0) -> dict[str, float]:
    """Median seconds per named run, the runs taken in turn ``repeats`` times (after ``warmup`` untimed
    rounds). Alternating keeps a change of machine load from favouring one side."""
    for _ in range(warmup):
        for fn in runs.values():
            fn()
    times: dict[str, list[float]] = {name: [] for name in runs}
    for _ in range(repeats):
        for name, fn in runs.items():
            times[name].append(seconds_of(fn))
    return {name: statistics.median(values) for name, values in times.items()}


def ratio(numerator: float, denominator: float) -> float:
    return numerator / denominator if denominator else float("inf")


def peak_mb() -> float:
    """This process's own peak resident memory in MB (call it in the child that did the work).

    Linux's ``ru_maxrss`` survives ``exec``: a child started from a big parent reports the parent's peak when its
    own is lower. ``VmHWM`` of /proc/self/status belongs to the process image itself, so it is used where present.
    """
    return status_mb("VmHWM") or resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def status_mb(field: str) -> float:
    """A memory field of /proc/self/status (e.g. VmHWM, RssAnon) in MB; 0 where /proc is missing (not Linux)."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith(field + ":"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def in_child(args: Sequence[str], env: dict[str, str] | None = None) -> dict:
    """Run ``python args...`` in a fresh process; its last stdout line is a JSON object (its own figures)."""
    done = subprocess.run([sys.executable, *args], capture_output=True, text=True,
                          env={**os.environ, **(env or {})})
    if done.returncode != 0:
        raise RuntimeError(f"child {' '.join(args)} failed ({done.returncode}): {done.stderr.strip()[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load {one:.2f} {five:.2f} {fifteen:.2f} on {os.cpu_count()} cores"


def context(packages: Sequence[str] = ()) -> None:
    """Print the load and the versions the figures were measured with."""
    from policytekst.versions import PACKAGES, versions

    found = versions([*PACKAGES, *packages])
    print(f"[{load()}] " + ", ".join(f"{k} {v}" for k, v in found.items()), flush=True)


def summary(what: str, measure: str, value: float, target: str = "", note: str = "") -> None:
    """One line for ``make bench``'s table: what was measured, the figure (a ratio or a rate) and its target."""
    record = {"what": what, "measure": measure, "value": round(float(value), 3), "target": target,
              "note": note, "load": round(os.getloadavg()[0], 2)}
    print(SUMMARY_PREFIX + json.dumps(record, ensure_ascii=False), flush=True)
