"""Execute the notebooks on the demo corpus and store their outputs in place (``make notebooks``).

The notebooks ship executed, so a reader sees the tables and plots before running anything. Every run starts from a
fresh demo corpus at the notebooks' default ``CORPUS_DIR`` (``build/notebooks/corpus``, rebuilt by notebook 01), and
volatile metadata (cell timings, the kernel's Python version) is left out, so the stored outputs change only when
the code or the demo corpus does. Run it after changing a notebook or an analysis it shows, and commit the result.

Usage:  python scripts/execute_notebooks.py [NOTEBOOK ...]      (default: every notebooks/NN_*.ipynb, in order)

tests/test_notebooks.py uses :func:`execute` to run them again into memory (never over the stored files).
"""

from __future__ import annotations

import argparse
import shutil
import sys
from collections.abc import Mapping
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbformat import NotebookNode

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
# what the notebooks' parameter cells write by default (CORPUS_DIR, OUT_DIR): removed first for a fresh run
BUILD = ROOT / "build" / "notebooks"


def notebook_paths() -> list[Path]:
    """The project's notebooks in reading order (01 builds the corpus the others read)."""
    return sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))


def parameter_cell(nb: NotebookNode) -> NotebookNode:
    """The one code cell tagged ``parameters`` (papermill's convention)."""
    cells = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    if len(cells) != 1:
        raise ValueError(f"expected one cell tagged 'parameters', found {len(cells)}")
    return cells[0]


def execute(path: Path, overrides: Mapping[str, object] | None = None, *, timeout: int = 600) -> NotebookNode:
    """Run one notebook top to bottom with its own folder as working directory; return it with its outputs.

    The file itself is not written. ``overrides`` are assignments appended to the parameter cell (as papermill
    does), e.g. ``{"CORPUS_DIR": "/tmp/c", "N_BOOT": 200}``. A failing cell raises
    ``nbclient.exceptions.CellExecutionError`` naming the cell and the error.
    """
    nb = nbformat.read(path, as_version=4)
    if overrides:
        cell = parameter_cell(nb)
        cell.source += "\n# injected\n" + "\n".join(f"{name} = {value!r}" for name, value in overrides.items())
    client = NotebookClient(nb, timeout=timeout, kernel_name="python3", record_timing=False,
                            resources={"metadata": {"path": str(path.parent)}})
    client.execute()
    return normalise(nb)


def normalise(nb: NotebookNode) -> NotebookNode:
    """Drop what differs between identical runs: per-cell timings and the kernel's exact language version."""
    nb.metadata["language_info"] = {"name": "python"}
    nb.metadata.pop("widgets", None)
    for cell in nb.cells:
        cell.metadata.pop("execution", None)
    return nb


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", type=Path, help="notebooks to run (default: all, in order)")
    args = parser.parse_args(argv)
    paths = [p.resolve() for p in args.notebooks] or notebook_paths()
    shutil.rmtree(BUILD, ignore_errors=True)  # fresh corpus: notebook 01's ingest counts are the same every run
    first = notebook_paths()[0]
    if first not in paths:  # the others read the corpus 01 builds; build it the same way (01 itself is not saved)
        print(f"executing {first.relative_to(ROOT)} to build the corpus (not saved) ...", flush=True)
        execute(first)
    for path in paths:
        print(f"executing {path.relative_to(ROOT)} ...", flush=True)
        nbformat.write(execute(path), path)
    print(f"{len(paths)} notebook(s) executed and saved with their outputs")
    return 0


if __name__ == "__main__":
    sys.exit(main())
