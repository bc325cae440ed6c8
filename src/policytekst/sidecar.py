"""Metadata sidecars: `metadata.csv`, `metadata.yaml` or `metadata.yml` beside the documents override fields.

CSV: a `file` column (file name or path relative to the sidecar) plus any of title, authors (separated by ';'),
year, genre, language, institution and further columns. YAML: a mapping from file name to a mapping of fields.
A row naming a table of texts (CSV/TSV) gives defaults to every row of that table; the row's own columns win.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

SIDECAR_NAMES = ("metadata.csv", "metadata.yaml", "metadata.yml")
_YEAR = re.compile(r"\b(1[5-9]\d\d|20\d\d)\b")


def is_sidecar(path: Path) -> bool:
    return path.name.lower() in SIDECAR_NAMES


def load_sidecar(folder: Path) -> tuple[dict[str, dict[str, Any]], list[str]]:
    """Map of resolved file path -> fields from the sidecars in ``folder``, and the problems found in them.

    A problem never stops the ingest: a file that cannot be parsed is ignored, a field that cannot be read is left
    out of its row, and each is told as one line naming the sidecar, the row and the field.
    """
    entries: dict[str, dict[str, Any]] = {}
    problems: list[str] = []
    for name in SIDECAR_NAMES:
        path = folder / name
        if not path.is_file():
            continue
        try:
            data = path.read_bytes()
        except OSError as exc:
            problems.append(f"{path}: metadata sidecar cannot be read ({exc.strerror or exc}); ignored")
            continue
        try:
            content = data.decode("utf-8-sig")
        except UnicodeDecodeError:  # saved by Excel on Windows: cp1252, the legacy code page of Norwegian text
            content = data.decode("cp1252", errors="replace")
        if name.endswith(".csv"):
            try:
                rows = [(f"row {number}", row) for number, row in
                        enumerate(csv.DictReader(io.StringIO(content, newline="")), start=2)]
            except csv.Error as exc:
                problems.append(f"{path}: metadata sidecar is not a readable CSV ({exc}); ignored")
                continue
            if rows and "file" not in rows[0][1]:
                problems.append(f"{path}: metadata sidecar has no 'file' column; ignored")
                continue
            named = [(where, (row.pop("file", "") or "").strip(), row) for where, row in rows]
        else:
            try:
                loaded = yaml.safe_load(content) or {}
            except yaml.YAMLError as exc:
                mark = getattr(exc, "problem_mark", None)
                where = f" at line {mark.line + 1}" if mark is not None else ""
                problems.append(f"{path}: metadata sidecar is not valid YAML{where}; ignored")
                continue
            if not isinstance(loaded, dict):
                problems.append(f"{path}: metadata sidecar must map file names to fields; ignored")
                continue
            named = [(f"entry '{key}'", str(key), fields) for key, fields in loaded.items()]
        for where, file_name, fields in named:
            if not file_name:
                continue
            if not isinstance(fields, dict):
                problems.append(f"{path}, {where}: fields must be a mapping; row ignored")
                continue
            entries[str((folder / file_name).resolve())] = _normalise(
                fields, lambda message, where=where, path=path: problems.append(f"{path}, {where}: {message}"))
    return entries, problems


def _normalise(fields: dict[Any, Any], problem: Callable[[str], None]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in fields.items():
        if key is None:  # a CSV row with more cells than the header: nothing to name them by
            problem(f"more cells than the header has columns ({value!r:.60}); extra cells ignored")
            continue
        key = str(key).strip().lower()
        if value is None or (isinstance(value, str) and not value.strip()):
            continue
        if key == "authors" and isinstance(value, str):
            value = [a.strip() for a in value.split(";") if a.strip()]
        elif key == "year":
            years = _YEAR.findall(str(value))
            if len(years) != 1 or not re.fullmatch(r"\s*(?:ca\.?|c\.|omkr\.?|~)?\s*\d{4}\s*\??\s*", str(value)):
                problem(f"field year: '{str(value)[:40]}' is not a year; left out")
                continue
            if not str(value).strip().isdigit():
                problem(f"field year: '{str(value).strip()}' read as {years[0]}")
            value = int(years[0])
        elif isinstance(value, str):
            value = value.strip()
        out[key] = value
    return out
