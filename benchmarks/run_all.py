"""Run every benchmarks/bench_*.py in turn and end with one table of their figures (`make bench`).

Each benchmark prints its own details; the figures meant for the table are its ``SUMMARY {...}`` lines
(:func:`benchlib.summary`): what was measured, the value (mostly a ratio against the raw library measured in the
same run), the target and the machine load at the time. A benchmark without such lines is listed as such.

    python benchmarks/run_all.py                  # all of them
    python benchmarks/run_all.py startup ingest   # those whose name contains one of the words
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from benchlib import SUMMARY_PREFIX, load  # noqa: E402


def run(script: Path) -> tuple[int, list[dict]]:
    """Run one benchmark, echoing its output; its summary records."""
    found: list[dict] = []
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(HERE), os.environ.get("PYTHONPATH", "")])}
    with subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE, text=True, env=env) as child:
        assert child.stdout is not None
        for line in child.stdout:
            if line.startswith(SUMMARY_PREFIX):
                found.append(json.loads(line[len(SUMMARY_PREFIX):]))
            else:
                sys.stdout.write(line)
                sys.stdout.flush()
    return child.returncode, found


def table(rows: list[dict], silent: list[str], failed: list[str]) -> str:
    header = ("benchmark", "what", "measure", "value", "target", "load")
    lines = [tuple(str(r.get(k, "")) for k in ("bench", "what", "measure", "value", "target", "load"))
             for r in rows]
    widths = [max(len(h), *(len(line[i]) for line in lines)) if lines else len(h) for i, h in enumerate(header)]
    out = ["  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)),
           "  ".join("-" * w for w in widths)]
    out += ["  ".join(cell.ljust(w) for cell, w in zip(line, widths, strict=True)) for line in lines]
    if silent:
        out.append("no summary line: " + ", ".join(silent))
    if failed:
        out.append("failed: " + ", ".join(failed))
    return "\n".join(out)


def main() -> int:
    only = sys.argv[1:]
    failed: list[str] = []
    silent: list[str] = []
    rows: list[dict] = []
    for script in sorted(HERE.glob("bench_*.py")):
        if only and not any(name in script.stem for name in only):
            continue
        print(f"\n=== {script.name} [{load()}]", flush=True)
        start = time.perf_counter()
        code, found = run(script)
        print(f"--- {script.name}: exit {code}, {time.perf_counter() - start:.0f} s", flush=True)
        if code:
            failed.append(script.name)
        if not found:
            silent.append(script.name)
        rows += [{"bench": script.stem.removeprefix("bench_"), **record} for record in found]
    print("\n=== summary (medians of alternating runs; ratios against the raw libraries measured in the same run)")
    print(table(rows, silent, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
