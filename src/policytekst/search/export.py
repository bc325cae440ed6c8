"""Exports of any result list (search hits, concordance lines, example passages): CSV, JSON Lines, Markdown.

The Markdown handout is for a trainer's slides or a course page: each passage quoted in full with its citation and
the passage id that leads back to it.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pandas as pd

FORMATS = {".csv": "csv", ".jsonl": "jsonl", ".json": "jsonl", ".md": "markdown", ".markdown": "markdown"}


def export(frame: pd.DataFrame, path: str | Path, fmt: str | None = None, *, title: str | None = None) -> Path:
    """Write a result frame as CSV, JSON Lines or a Markdown handout (format from ``fmt`` or the file suffix)."""
    path = Path(path)
    fmt = fmt or FORMATS.get(path.suffix.lower())
    if fmt not in ("csv", "jsonl", "markdown"):
        raise ValueError(f"{path}: unknown export format (use a .csv, .jsonl or .md file name, or fmt=...)")
    path.parent.mkdir(parents=True, exist_ok=True)
    if fmt == "csv":
        frame.to_csv(path, index=False, encoding="utf-8")
    elif fmt == "jsonl":
        path.write_text("".join(json.dumps(r, ensure_ascii=False, default=_plain) + "\n" for r in records(frame)),
                        encoding="utf-8")
    else:
        path.write_text(to_markdown(frame, title=title), encoding="utf-8")
    return path


def records(frame: pd.DataFrame) -> list[dict]:
    """Rows as plain dicts (missing values as None), ready for JSON."""
    out = []
    for rec in frame.to_dict(orient="records"):
        out.append({k: (None if _missing(v) else _plain(v)) for k, v in rec.items()})
    return out


def _missing(value: object) -> bool:
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def _plain(value: object) -> object:
    if hasattr(value, "item"):
        return value.item()
    return value


def to_markdown(frame: pd.DataFrame, *, title: str | None = None) -> str:
    """A Markdown handout: numbered passages quoted in full (or KWIC lines), each with its citation and id."""
    lines = [f"# {title or frame.attrs.get('theme') or frame.attrs.get('query') or 'Utdrag'}", ""]
    meta = {k: v for k, v in frame.attrs.items() if isinstance(v, (str, int, float)) and k != "fts_query"}
    if meta:
        lines += ["*" + "; ".join(f"{k}: {v}" for k, v in meta.items()) + f"; laget {date.today().isoformat()}*", ""]
    if {"left", "match", "right"} <= set(frame.columns):  # a concordance
        for i, row in enumerate(records(frame), 1):
            lines.append(f"{i}. … {_md(row['left'])} **{_md(row['match'])}** {_md(row['right'])} … "
                         f"(`{row['passage_id']}`)")
        return "\n".join(lines) + "\n"
    for i, row in enumerate(records(frame), 1):
        cite = row.get("citation") or row.get("doc_id") or ""
        lines.append(f"## {i}. {cite}")
        lines.append("")
        body = row.get("text") or row.get("snippet") or ""
        lines += ["> " + _md(para) for para in str(body).splitlines() if para.strip()]
        lines.append("")
        extra = [f"passasje `{row['passage_id']}`"]
        for key, label in (("theme_score", "temaskår"), ("usability", "brukbarhet"), ("score", "skår"),
                           ("similarity", "likhet")):
            if isinstance(row.get(key), (int, float)):
                extra.append(f"{label} {row[key]:.2f}")
        lines += ["*" + ", ".join(extra) + "*", ""]
    return "\n".join(lines)


def _md(text: str | None) -> str:
    # Captured text is data, not markup: neutralise characters that would start Markdown/HTML constructs.
    text = str(text or "")
    for ch in ("\\", "`", "*", "_", "[", "]", "<", ">", "#", "|"):
        text = text.replace(ch, "\\" + ch)
    return text
