"""Writing result tables (CSV, JSON, JSON Lines) and plots (PNG, SVG) for the topics and compare commands."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd

TABLE_SUFFIXES = (".csv", ".json", ".jsonl")
PLOT_SUFFIXES = (".png", ".svg")


def _plain(value):
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (np.floating, float)):
        return None if np.isnan(value) else float(value)
    if isinstance(value, np.bool_):
        return bool(value)
    if isinstance(value, np.ndarray):
        return value.tolist()
    if value is pd.NA:
        return None
    return value


def records(frame: pd.DataFrame) -> list[dict]:
    """Rows as plain JSON-ready dicts (NaN -> null, numpy scalars -> Python)."""
    return [{str(k): _plain(v) for k, v in row.items()} for row in frame.to_dict(orient="records")]


def check_suffix(path: Path, allowed: tuple[str, ...], what: str) -> None:
    if path.suffix.lower() not in allowed:
        raise ValueError(f"{path}: unsupported {what} format {path.suffix or '(none)'}; use {', '.join(allowed)}")


def write_table(frame: pd.DataFrame, path: str | Path) -> Path:
    """CSV (lists joined with "; "), JSON (an array) or JSON Lines, chosen by the file suffix."""
    path = Path(path)
    check_suffix(path, TABLE_SUFFIXES, "table")
    path.parent.mkdir(parents=True, exist_ok=True)
    suffix = path.suffix.lower()
    if suffix == ".csv":
        flat = frame.copy()
        for column in flat.columns:
            if flat[column].map(lambda v: isinstance(v, (list, tuple))).any():
                flat[column] = flat[column].map(lambda v: "; ".join(map(str, v)) if isinstance(v, (list, tuple)) else v)
        flat.to_csv(path, index=False)
    elif suffix == ".json":
        path.write_text(json.dumps(records(frame), ensure_ascii=False, indent=1), encoding="utf-8")
    else:
        path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records(frame)), encoding="utf-8")
    return path
