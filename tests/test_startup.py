"""Start-up stays light: `import policytekst` and the command line load no heavy library until a command needs it.

Timings are measured by benchmarks/bench_startup.py (ratios, medians); here we check the cause instead, which can
fail on any machine: which heavy modules a bare import and the CLI's start-up bring along.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src"
HEAVY = ("pandas", "numpy", "scipy", "sklearn", "matplotlib", "gensim", "tomotopy", "nltk", "datasketch",
         "simplemma", "pypdfium2", "lxml")


def _loaded_after(code: str) -> list[str]:
    probe = f"import sys\n{code}\nimport json\nprint(json.dumps(sorted(m for m in {HEAVY!r} if m in sys.modules)))"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(SRC), os.environ.get("PYTHONPATH", "")])}
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, env=env, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("code", ["import policytekst", "import policytekst.cli",
                                  "from policytekst.cli import app; import typer.main; typer.main.get_command(app)"])
def test_no_heavy_library_at_start_up(code):
    assert _loaded_after(code) == []


def test_public_names_still_import_from_the_package():
    import policytekst
    from policytekst import Corpus, Passage

    assert Corpus.__name__ == "Corpus" and Passage.__name__ == "Passage"
    assert set(policytekst.__all__) <= set(dir(policytekst))
    with pytest.raises(AttributeError):
        policytekst.NoSuchThing  # noqa: B018


def test_version_and_help_run_without_a_corpus():
    env = {**os.environ, "PYTHONPATH": str(SRC)}
    version = subprocess.run([sys.executable, "-m", "policytekst", "--version"], capture_output=True, text=True,
                             env=env, check=True).stdout
    assert version.startswith("policytekst ")
    shown = subprocess.run([sys.executable, "-m", "policytekst", "--help"], capture_output=True, text=True, env=env,
                           check=True).stdout
    assert "ingest" in shown and "report" in shown
