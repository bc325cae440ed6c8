"""Metadata sidecars: `metadata.csv`, `metadata.yaml` or `metadata.yml` beside the documents override fields.

CSV: a `file` column (file name or path relative to the sidecar) plus any of title, authors (separated by ';'),
year, genre, language, institution and further columns. YAML: a mapping from file name to a mapping of fields.
A row naming a table of texts (CSV/TSV) gives defaults to every row of that table; the row's own columns win.
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import yaml

SIDECAR_NAMES = ("metadata.csv", "metadata.yaml", "metadata.yml")


def is_sidecar(path: Path) -> bool:
    return path.name.lower() in SIDECAR_NAMES


def load_sidecar(folder: Path) -> dict[str, dict[str, Any]]:
    """Map of resolved file path -> fields, from the sidecars in ``folder`` (empty when there are none)."""
    entries: dict[str, dict[str, Any]] = {}
    for name in SIDECAR_NAMES:
        path = folder / name
        if not path.is_file():
            continue
        if name.endswith(".csv"):
            with open(path, encoding="utf-8-sig", newline="") as handle:
                rows = {row.pop("file", "") or "": row for row in csv.DictReader(handle)}
        else:
            rows = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for file_name, fields in rows.items():
            if file_name and isinstance(fields, dict):
                entries[str((folder / file_name).resolve())] = _normalise(fields)
    return entries


def _normalise(fields: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in fields.items():
        key = key.strip().lower()
        if value is None or (isinstance(value, str) and not value.strip()):
            continue
        if key == "authors" and isinstance(value, str):
            value = [a.strip() for a in value.split(";") if a.strip()]
        elif key == "year":
            value = int(str(value).strip())
        elif isinstance(value, str):
            value = value.strip()
        out[key] = value
    return out
