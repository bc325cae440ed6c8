"""Start-up: `import policytekst`, `policytekst --help` and `--version` against a bare typer app with two
commands (the floor any typer CLI pays), medians of alternating runs in fresh processes.

Targets (issue 19): `import policytekst` < 150 ms; `--help` and `--version` < 0.2 s. Also lists the heavy
libraries a bare `import policytekst` and the CLI's start-up load (none is the aim).

Usage: python benchmarks/bench_startup.py [--repeats 9]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

from benchlib import ROOT, alternate, context, ratio, summary

HEAVY = ("pandas", "numpy", "scipy", "sklearn", "matplotlib", "gensim", "tomotopy", "nltk", "datasketch")
BARE = """import typer
app = typer.Typer()
@app.command()
def a(x: int = 1): pass
@app.command()
def b(x: int = 1): pass
app()
"""


def run(args: list[str]) -> None:
    subprocess.run([sys.executable, *args], check=True, stdout=subprocess.DEVNULL, cwd=ROOT)


def heavy_loaded(code: str) -> list[str]:
    probe = f"import sys\n{code}\nimport json; print(json.dumps(sorted(m for m in {HEAVY!r} if m in sys.modules)))"
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=9)
    args = parser.parse_args()
    context(["typer", "click", "rich"])
    # byte-compiled, as an installed package is (PYTHONDONTWRITEBYTECODE would otherwise make every run compile)
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(ROOT / "src" / "policytekst")], check=True,
                   stdout=subprocess.DEVNULL)
    with tempfile.TemporaryDirectory() as tmp:
        bare = Path(tmp) / "bare.py"
        bare.write_text(BARE)
        times = alternate({
            "python -c pass": lambda: run(["-c", "pass"]),
            "import policytekst": lambda: run(["-c", "import policytekst"]),
            "bare typer --help": lambda: run([str(bare), "--help"]),
            "policytekst --help": lambda: run(["-m", "policytekst", "--help"]),
            "policytekst --version": lambda: run(["-m", "policytekst", "--version"]),
        }, repeats=args.repeats, warmup=1)
    for name, seconds in times.items():
        print(f"  {name:24s} {seconds * 1000:7.0f} ms (median of {args.repeats})")
    imp = times["import policytekst"] - times["python -c pass"]
    print(f"  import policytekst beyond the interpreter: {imp * 1000:.0f} ms")
    print(f"  heavy modules after `import policytekst`: {heavy_loaded('import policytekst') or 'none'}")
    print(f"  heavy modules after importing the CLI: {heavy_loaded('import policytekst.cli') or 'none'}")
    summary("startup", "import policytekst, ms beyond python", imp * 1000, "< 150 ms")
    summary("startup", "policytekst --help, s", times["policytekst --help"], "< 0.2 s")
    summary("startup", "policytekst --version, s", times["policytekst --version"], "< 0.2 s")
    summary("startup", "--help time / bare typer app", ratio(times["policytekst --help"], times["bare typer --help"]),
            "~1")


if __name__ == "__main__":
    main()
