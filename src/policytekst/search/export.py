"""The Markdown handout of a result list (search hits, concordance lines, example passages).

The handout is for a trainer's slides or a course page: each passage quoted in full with its citation and the
passage id that leads back to it. Tables of results (CSV, JSON, Parquet, ...) are written by
:func:`policytekst.tables.write_table`; this module only renders handouts.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd

from policytekst.tables import check_suffix, records

HANDOUT_SUFFIXES = (".md", ".markdown")


def write_handout(frame: pd.DataFrame, path: str | Path, *, title: str | None = None) -> Path:
    """Write ``frame`` as a Markdown handout to ``path`` (a .md file; anything else raises UsageError)."""
    path = check_suffix(path, HANDOUT_SUFFIXES, "handout")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(to_markdown(frame, title=title), encoding="utf-8")
    return path


def to_markdown(frame: pd.DataFrame, *, title: str | None = None) -> str:
    """A Markdown handout: numbered passages quoted in full (or KWIC lines), each with its citation and id."""
    heading = title or frame.attrs.get("theme") or frame.attrs.get("query") or "Utdrag"
    lines = [f"# {_line(heading)}", ""]
    meta = {k: v for k, v in frame.attrs.items() if isinstance(v, (str, int, float)) and k != "fts_query"}
    if meta:
        lines += ["*" + "; ".join(f"{_line(k)}: {_line(v)}" for k, v in meta.items())
                  + f"; laget {date.today().isoformat()}*", ""]
    if {"left", "match", "right"} <= set(frame.columns):  # a concordance
        for i, row in enumerate(records(frame), 1):
            lines.append(f"{i}. … {_md(row['left'])} **{_md(row['match'])}** {_md(row['right'])} … "
                         f"({_code(row['passage_id'])})")
        return "\n".join(lines) + "\n"
    for i, row in enumerate(records(frame), 1):
        cite = row.get("citation") or row.get("doc_id") or ""
        lines.append(f"## {i}. {_line(cite)}")
        lines.append("")
        body = row.get("text") or row.get("snippet") or ""
        lines += ["> " + _md(para) for para in str(body).splitlines() if para.strip()]
        lines.append("")
        extra = [f"passasje {_code(row['passage_id'])}"]
        for key, label in (("theme_score", "temaskår"), ("usability", "brukbarhet"), ("score", "skår"),
                           ("similarity", "likhet")):
            if isinstance(row.get(key), (int, float)):
                extra.append(f"{label} {row[key]:.2f}")
        lines += ["*" + ", ".join(extra) + "*", ""]
    return "\n".join(lines)


def _md(text: object) -> str:
    """Captured text is data, not markup: neutralise characters that would start Markdown/HTML constructs
    (tags, entities, links, emphasis, code) and keep it on one line where a heading or list item needs that."""
    text = str(text if text is not None else "")
    for ch in ("\\", "`", "*", "_", "[", "]", "<", ">", "#", "|", "&", "~", "!"):
        text = text.replace(ch, "\\" + ch)
    return text


def _line(text: object) -> str:
    """Escaped text on one line (a heading ends at the first line break)."""
    return " ".join(_md(text).split())


def _code(text: object) -> str:
    """``text`` as an inline code span whose fence is longer than any run of backticks inside it."""
    text = " ".join(str(text if text is not None else "").split())
    runs = [len(r) for r in "".join(ch if ch == "`" else " " for ch in text).split()]
    fence = "`" * (max(runs, default=0) + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"
