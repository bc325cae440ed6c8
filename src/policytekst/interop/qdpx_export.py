"""REFI-QDA export: a corpus and its theme coding as a ``.qdpx`` project, and the codebook alone as a ``.qdc``.

What goes into the project:

* every document (duplicates left out unless the corpus keeps them) as a TextSource whose plain text is the
  document's running text (``policytekst text``), stored as ``sources/<GUID>.txt`` (UTF-8, no BOM, LF);
* the codebook's themes as codes (name = theme name, so an import gives the same names back; the label and the
  description as the code's Description), under one parent code that is not itself codable;
* codebook hits (the words that matched a theme) as PlainTextSelections, each coded with its theme;
* passages whose theme score reaches ``min_score`` (``method`` "model": the classifier; "codebook": the
  codebook's probability) as PlainTextSelections over the whole passage, coded with each such theme;
* document variables (year, genre, author, language, title) as Variables with a value on each source;
* one user, "policytekst", who made every coding.

GUIDs are uuid5 of what they stand for and nothing carries a time stamp, so the same corpus gives the same bytes.

Examples
--------
>>> export_qdpx(corpus, "coding.qdpx", method="model", min_score=0.6)   # doctest: +SKIP
ExportSummary(documents=22, codes=12, selections=1874, ...)
"""

from __future__ import annotations

import os
import re
import tempfile
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
from lxml import etree

from policytekst import __version__
from policytekst.errors import UsageError
from policytekst.interop.refi import CODEBOOK_NS, PROJECT_NS, guid, write_zip, xml_bytes
from policytekst.model import ANALYSIS_KINDS
from policytekst.themes import Codebook, matched_tokens, theme_scores

METHODS = ("model", "codebook", "none")
PARENT_CODE = "policytekst themes"
USER_NAME = "policytekst"
#: variables every source gets, with their REFI type (values missing for a document are left out)
VARIABLES = (("year", "Integer"), ("genre", "Text"), ("author", "Text"), ("language", "Text"), ("title", "Text"))
# distinct, readable code colours (cycled); fixed so the export stays byte-identical
_COLOURS = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22",
            "#17becf", "#393b79", "#637939", "#8c6d31", "#843c39", "#7b4173", "#3182bd")


@dataclass
class ExportSummary:
    """What an export wrote (for the command's report and for tests)."""

    path: Path
    documents: int = 0
    codes: int = 0
    selections: int = 0
    hit_selections: int = 0
    passage_selections: int = 0
    skipped_passages: int = 0  # passages whose text could not be placed in the exported text
    warnings: list[str] = field(default_factory=list)


def _q(ns: str, tag: str) -> str:
    return f"{{{ns}}}{tag}"


def _description(theme) -> str:
    text = theme.label if theme.label and theme.label != theme.name else ""
    if theme.description:
        text = f"{text}: {theme.description}" if text else theme.description
    return text


def _add_codes(parent: etree._Element, ns: str, book: Codebook) -> dict[str, str]:
    """The parent code with one child per theme; returns theme name -> code GUID."""
    top = etree.SubElement(parent, _q(ns, "Code"), guid=guid("code-family", PARENT_CODE), name=PARENT_CODE,
                           isCodable="false")
    etree.SubElement(top, _q(ns, "Description")).text = f"Themes of the codebook {book.source or 'default'}"
    codes = {}
    for i, (name, theme) in enumerate(book.themes.items()):
        code = etree.SubElement(top, _q(ns, "Code"), guid=guid("code", name), name=name, isCodable="true",
                                color=_COLOURS[i % len(_COLOURS)])
        description = _description(theme)
        if description:
            etree.SubElement(code, _q(ns, "Description")).text = description
        codes[name] = code.get("guid")
    return codes


def codebook_xml(book: Codebook) -> etree._Element:
    """The codebook as a REFI-QDA ``.qdc`` document (namespace ``urn:QDA-XML:codebook:1.0``)."""
    root = etree.Element(_q(CODEBOOK_NS, "CodeBook"), nsmap={None: CODEBOOK_NS}, origin=f"policytekst {__version__}")
    _add_codes(etree.SubElement(root, _q(CODEBOOK_NS, "Codes")), CODEBOOK_NS, book)
    return root


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _atomic_write(path: Path, write) -> None:
    """Write through a temporary file beside ``path`` so an interrupted export leaves nothing half-written."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    os.close(handle)
    try:
        write(Path(tmp))
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes the file private; an export is an ordinary file
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def export_qdc(path: str | Path, codebook: Codebook | str | Path | None = None) -> Path:
    """Write the codebook (default: the shipped one) as a REFI-QDA ``.qdc`` file; returns the path."""
    book = codebook if isinstance(codebook, Codebook) else Codebook.load(codebook)
    path = Path(path)
    data = xml_bytes(codebook_xml(book))
    _atomic_write(path, lambda p: p.write_bytes(data))
    return path


def _variable_values(doc) -> dict[str, object]:
    return {"year": doc.year, "genre": doc.genre, "author": "; ".join(doc.authors) or None,
            "language": doc.language, "title": doc.title}


def _add_variable_value(source: etree._Element, var_guid: str, kind: str, value: object) -> None:
    holder = etree.SubElement(source, _q(PROJECT_NS, "VariableValue"))
    etree.SubElement(holder, _q(PROJECT_NS, "VariableRef"), targetGUID=var_guid)
    tag = "IntegerValue" if kind == "Integer" else "TextValue"
    etree.SubElement(holder, _q(PROJECT_NS, tag)).text = str(value)


def passage_spans(corpus, doc_id: str, text: str) -> dict[str, tuple[int, int]]:
    """passage_id -> (start, end) in ``text`` for the analysed passages: by their stored span, else found in the
    text (exactly, else with any whitespace between its words); passages not found are left out."""
    spans = {}
    for p in corpus.passages(doc_id, ANALYSIS_KINDS):
        if text[p.char_start:p.char_end] == p.text:
            spans[p.passage_id] = (p.char_start, p.char_end)
            continue
        at = text.find(p.text)
        if at >= 0:
            spans[p.passage_id] = (at, at + len(p.text))
            continue
        # a text from another tool may wrap lines where the passage has spaces: match word by word
        words = p.text.split()
        found = re.search(r"\s+".join(map(re.escape, words)), text) if words else None
        if found:
            spans[p.passage_id] = found.span()
    return spans


def export_qdpx(corpus, path: str | Path, *, method: str = "model", min_score: float = 0.5,
                codebook: Codebook | str | Path | None = None, hits: bool = True,
                name: str | None = None) -> ExportSummary:
    """Write the corpus and its theme coding as a REFI-QDA project (``.qdpx``).

    Parameters
    ----------
    corpus : Corpus
    path : output file (``.qdpx``)
    method : {"model", "codebook", "none"}
        How passages are scored for passage-level coding ("none": no passage selections).
    min_score : a passage is coded with a theme when its score reaches this (0..1).
    codebook : the codebook for codes, hits and ``method="codebook"`` (default: the shipped one).
    hits : also code every codebook hit (the matched words) as its own selection.
    name : the project's name (default: the corpus directory's name).

    Returns
    -------
    ExportSummary
    """
    if method not in METHODS:
        raise UsageError(f"unknown method {method!r}; use {', '.join(METHODS)}")
    if not 0.0 <= min_score <= 1.0:
        raise UsageError(f"--min-score must be between 0 and 1, got {min_score}")
    book = codebook if isinstance(codebook, Codebook) else Codebook.load(codebook)
    path = Path(path)
    summary = ExportSummary(path=path)

    docs = [d for d in corpus.documents() if corpus.include_duplicates or not d.duplicate_of]
    hit_rows = matched_tokens(corpus, book) if hits else pd.DataFrame(columns=["passage_id", "theme"])
    hits_by_passage = {pid: rows for pid, rows in hit_rows.groupby("passage_id", sort=False)}
    passage_themes: dict[str, list[tuple[str, float]]] = defaultdict(list)
    if method != "none":
        model_kwargs = {"codebook": book} if method == "codebook" else {}
        scores = theme_scores(corpus, method=method, **model_kwargs)
        for theme in scores.columns:
            if theme not in book.themes:
                summary.warnings.append(f"theme {theme!r} of the model is not in the codebook: left out")
                continue
            column = scores[theme]
            for pid, value in column[column >= min_score].items():
                passage_themes[pid].append((theme, float(value)))

    root = etree.Element(_q(PROJECT_NS, "Project"), nsmap={None: PROJECT_NS},
                         name=name or Path(corpus.directory).name, origin=f"policytekst {__version__}")
    user = guid("user", USER_NAME)
    root.set("creatingUserGUID", user)
    users = etree.SubElement(root, _q(PROJECT_NS, "Users"))
    etree.SubElement(users, _q(PROJECT_NS, "User"), guid=user, name=USER_NAME, id=USER_NAME)
    codes = _add_codes(etree.SubElement(etree.SubElement(root, _q(PROJECT_NS, "CodeBook")), _q(PROJECT_NS, "Codes")),
                       PROJECT_NS, book)
    summary.codes = len(codes) + 1
    variables = etree.SubElement(root, _q(PROJECT_NS, "Variables"))
    var_guids = {}
    for var, kind in VARIABLES:
        var_guids[var] = guid("variable", var)
        etree.SubElement(variables, _q(PROJECT_NS, "Variable"), guid=var_guids[var], name=var, typeOfVariable=kind)

    files: dict[str, bytes] = {}
    sources = etree.SubElement(root, _q(PROJECT_NS, "Sources")) if docs else None
    for doc in docs:
        text = corpus.text(doc.doc_id)
        if "\r" in text:  # REFI text is LF; the store's text already is, this only guards the offsets
            text = text.replace("\r\n", "\n").replace("\r", "\n")
        source_guid = guid("source", doc.doc_id)
        files[f"sources/{source_guid}.txt"] = text.encode("utf-8")
        source = etree.SubElement(sources, _q(PROJECT_NS, "TextSource"), guid=source_guid, name=doc.doc_id,
                                  plainTextPath=f"internal://{source_guid}.txt", creatingUser=user)
        if doc.title:
            etree.SubElement(source, _q(PROJECT_NS, "Description")).text = doc.title
        spans = passage_spans(corpus, doc.doc_id, text)
        summary.skipped_passages += sum(1 for _ in corpus.passages(doc.doc_id, ANALYSIS_KINDS)) - len(spans)
        # (start, end) -> [(theme, note)]: one selection per span, one coding per theme on it
        selections: dict[tuple[int, int, str], list[tuple[str, str]]] = defaultdict(list)
        for pid, (start, end) in spans.items():
            for theme, value in passage_themes.get(pid, ()):
                selections[(start, end, "passage")].append((theme, f"{pid}: {method} {theme} {value:.3f}"))
            if pid in hits_by_passage:
                for row in hits_by_passage[pid].itertuples(index=False):
                    if row.theme in codes:
                        selections[(start + int(row.start), start + int(row.end), "hit")].append(
                            (row.theme, f"{pid}: codebook term {row.term}"))
        for (start, end, kind), coded in sorted(selections.items()):
            sel_guid = guid("selection", doc.doc_id, start, end, kind)
            selection = etree.SubElement(source, _q(PROJECT_NS, "PlainTextSelection"), guid=sel_guid,
                                         name=text[start:end] if kind == "hit" else f"passage {start}-{end}",
                                         startPosition=str(start), endPosition=str(end), creatingUser=user)
            etree.SubElement(selection, _q(PROJECT_NS, "Description")).text = "; ".join(
                sorted({note for _, note in coded}))
            for theme in sorted({theme for theme, _ in coded}):
                coding = etree.SubElement(selection, _q(PROJECT_NS, "Coding"),
                                          guid=guid("coding", sel_guid, theme), creatingUser=user)
                etree.SubElement(coding, _q(PROJECT_NS, "CodeRef"), targetGUID=codes[theme])
            summary.selections += 1
            if kind == "hit":
                summary.hit_selections += 1
            else:
                summary.passage_selections += 1
        for var, kind in VARIABLES:
            value = _variable_values(doc)[var]
            if value not in (None, ""):
                _add_variable_value(source, var_guids[var], kind, value)
        summary.documents += 1
    files["project.qde"] = xml_bytes(root)
    _atomic_write(path, lambda p: write_zip(p, files))
    return summary
