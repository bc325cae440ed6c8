"""The one table writer: every result table leaves policytekst through here, its format chosen by the file suffix.

``.csv`` ``.tsv`` (lists joined with "; "), ``.json`` (an array of objects), ``.jsonl`` (one object a line), ``.md``
(a pipe table), ``.parquet`` and ``.feather`` (pyarrow) and ``.xlsx`` (openpyxl). On the command line ``--out/-o FILE`` means "write
the table to FILE" in every command. The file is written to a temporary name beside it and moved into place, so an
interrupted write never leaves half a table.

Spreadsheet formats (``.csv``, ``.tsv``, ``.xlsx``) are opened by Excel and LibreOffice, which run a cell that starts
with ``=``, ``+``, ``-``, ``@`` (or a tab or carriage return) as a formula: captured text such as
``=HYPERLINK(...)`` in a title would then act on the reader's machine. :func:`spreadsheet_safe` prefixes such text
cells with an apostrophe (OWASP's advice for CSV injection); numbers, and text that is a plain number ("-12"), are
left alone. JSON, Parquet and Markdown keep the text as it is.

Examples
--------
>>> import pandas as pd
>>> write_table(pd.DataFrame({"theme": ["npm"], "share": [0.25]}), "out.csv")   # doctest: +SKIP
PosixPath('out.csv')
"""

from __future__ import annotations

import json
import math
import os
import re
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from policytekst.errors import UsageError

if TYPE_CHECKING:
    import pandas as pd

TABLE_SUFFIXES = (".csv", ".tsv", ".json", ".jsonl", ".md", ".parquet", ".feather", ".xlsx")
PLOT_SUFFIXES = (".png", ".svg", ".pdf")


def plain(value: Any) -> Any:
    """A JSON-ready Python value: numpy scalars -> Python, NaN/NA -> None, arrays/tuples -> lists."""
    import numpy as np
    import pandas as pd
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, np.bool_):
        return bool(value)
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, (np.floating, float)):
        return None if math.isnan(value) else float(value)
    if isinstance(value, np.ndarray):
        return [plain(v) for v in value.tolist()]
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, pd.Timestamp):
        return value.isoformat()
    return value


def records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows as plain JSON-ready dicts (lists stay lists, booleans stay booleans, NaN becomes null)."""
    return [{str(k): plain(v) for k, v in row.items()} for row in frame.to_dict(orient="records")]


def check_suffix(path: str | Path, allowed: tuple[str, ...] = TABLE_SUFFIXES, what: str = "table") -> Path:
    """Refuse (UsageError) a file name whose format we cannot write."""
    path = Path(path)
    if path.suffix.lower() not in allowed:
        raise UsageError(f"{path}: unsupported {what} format {path.suffix or '(none)'}; use {', '.join(allowed)}")
    return path


def _flat(frame: pd.DataFrame) -> pd.DataFrame:
    """Lists joined with "; " (for formats whose cells hold one value)."""
    flat = frame.copy()
    for column in flat.columns:
        if flat[column].dtype == object and flat[column].map(lambda v: isinstance(v, (list, tuple))).any():
            flat[column] = flat[column].map(lambda v: "; ".join(map(str, v)) if isinstance(v, (list, tuple)) else v)
    return flat


# A text cell starting with one of these is a formula to a spreadsheet.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?(\d+([.,]\d*)?|[.,]\d+)([eE][+-]?\d+)?%?")


def defuse(value: Any) -> Any:
    """``value`` made inert for a spreadsheet: text that would start a formula gets a leading apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS) and not _NUMBER.fullmatch(value):
        return "'" + value
    return value


def spreadsheet_safe(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` whose text cells (and column names) cannot run as spreadsheet formulas."""
    import pandas as pd
    safe = frame.copy()
    for column in safe.columns:
        if safe[column].dtype == object or pd.api.types.is_string_dtype(safe[column].dtype):
            safe[column] = safe[column].map(defuse)
    safe.columns = [defuse(c) for c in safe.columns]
    return safe


def cell_text(value: Any, *, round_floats: bool = True) -> str:
    """One table cell as text for a screen or a text table: missing -> "", floats to 4 significant digits (unless
    ``round_floats`` is False), lists joined with "; "."""
    value = plain(value)
    if value is None:
        return ""
    if isinstance(value, float) and round_floats:
        return f"{value:.4g}"
    if isinstance(value, list):
        return "; ".join(map(str, value))
    return str(value)


def to_markdown_table(frame: pd.DataFrame) -> str:
    """A GitHub-flavoured pipe table; cell text is escaped so captured text cannot break the table."""
    def cell(value: Any) -> str:
        return cell_text(value).replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")

    columns = [str(c) for c in frame.columns]
    lines = ["| " + " | ".join(columns) + " |", "|" + "|".join("---" for _ in columns) + "|"]
    for row in frame.itertuples(index=False):
        lines.append("| " + " | ".join(cell(v) for v in row) + " |")
    return "\n".join(lines) + "\n"


def _arrow_ready(frame: pd.DataFrame) -> pd.DataFrame:
    table = frame.copy()
    for column in table.columns:  # mixed object columns (ints and strings) are not one Arrow type: keep as text
        if table[column].dtype == object and not table[column].map(lambda v: isinstance(v, (list, str)) or v is None
                                                                   ).all():
            table[column] = table[column].map(lambda v: None if v is None else str(v))
    return table


def _write_parquet(frame: pd.DataFrame, path: Path) -> None:
    _arrow_ready(frame).to_parquet(path, index=False)


def _write_feather(frame: pd.DataFrame, path: Path) -> None:
    _arrow_ready(frame).reset_index(drop=True).to_feather(path)


def _write_xlsx(frame: pd.DataFrame, path: Path) -> None:
    spreadsheet_safe(_flat(frame)).to_excel(path, index=False, engine="openpyxl")


_WRITERS: dict[str, Callable[[pd.DataFrame, Path], None]] = {
    ".csv": lambda f, p: spreadsheet_safe(_flat(f)).to_csv(p, index=False, encoding="utf-8"),
    ".tsv": lambda f, p: spreadsheet_safe(_flat(f)).to_csv(p, index=False, sep="\t", encoding="utf-8"),
    ".json": lambda f, p: p.write_text(json.dumps(records(f), ensure_ascii=False, indent=1), encoding="utf-8"),
    ".jsonl": lambda f, p: p.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records(f)),
                                        encoding="utf-8"),
    ".md": lambda f, p: p.write_text(to_markdown_table(f), encoding="utf-8"),
    ".parquet": _write_parquet,
    ".feather": _write_feather,
    ".xlsx": _write_xlsx,
}


def write_table(frame: pd.DataFrame, path: str | Path) -> Path:
    """Write ``frame`` to ``path`` in the format its suffix names (see the module docstring); returns the path."""
    path = check_suffix(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=path.suffix, dir=path.parent)
    os.close(handle)
    try:
        _WRITERS[path.suffix.lower()](frame, Path(tmp))
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path
