"""REFI-QDA import: a project (``.qdpx``) or codebook (``.qdc``) written by NVivo, ATLAS.ti, MAXQDA, QualCoder or
policytekst becomes a codebook file, a labels file that ``themes train --labels`` reads, and a table of segments.

* Codes (nested) -> ``codebook.yaml``: one theme per codable code (key from the code's name, ``label`` its name,
  ``description`` its Description, ``parent`` the name of the code above it). REFI codes carry no search terms, so
  each theme gets its own name as a seed term: the file loads with ``--codebook`` and the terms are for the
  researcher to refine.
* Coded text selections -> ``segments.jsonl`` ({source, doc_id, start, end, text, codes}, offsets in the
  source's LF text) and ``labels.jsonl`` ({id, doc_id, text, labels}). With a corpus, a source that is one of its
  documents (same name as a doc_id, a policytekst GUID, or the same text) gives one row per analysed passage of
  that document, labelled with every code whose selections overlap it (passages no selection touches are
  negatives: the researcher read the document); other sources give one row per selection.
* Text sources -> ``sources/<name>.txt``, and into the corpus when asked.

Lenient about what tools really write: older or missing namespace versions (``urn:QDA-XML:project:0.x``),
``Sources/`` vs ``sources/``, text inline (PlainTextContent) or in a file, a BOM, CRLF line ends with offsets
counted either way, inclusive selection ends (recognised from quoted text), PDF sources with a text
representation, a project zipped inside a folder, empty selections (a warning). Strict about what would give wrong labels: a file
that is not a ZIP, has no ``project.qde``, is not XML, is in a foreign namespace, or has selections outside their
text raises :class:`~policytekst.interop.refi.RefiError` (one line naming the file) before anything is written.
"""

from __future__ import annotations

import json
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

import yaml
from lxml import etree

from policytekst.errors import UsageError
from policytekst.interop.qdpx_export import passage_spans
from policytekst.interop.refi import RefiError, RefiFileMissing, guid

_PROJECT_NS = re.compile(r"^urn:QDA-XML:project:\d+(\.\d+)*$", re.IGNORECASE)
_CODEBOOK_NS = re.compile(r"^urn:QDA-XML:(codebook|project):\d+(\.\d+)*$", re.IGNORECASE)


@dataclass
class Code:
    """A code of the imported codebook."""

    guid: str
    name: str
    key: str  # the theme name in policytekst (unique)
    description: str = ""
    parent: str | None = None  # the parent code's name
    codable: bool = True


@dataclass
class Source:
    """A text source of the project, its text with LF line ends."""

    guid: str
    name: str
    text: str


@dataclass
class Segment:
    """A coded selection of a text source (offsets in the source's LF text, end exclusive)."""

    guid: str
    source: str  # the source's GUID
    start: int
    end: int
    codes: list[str]  # code keys


@dataclass
class Project:
    """What a REFI-QDA file holds that policytekst uses."""

    path: Path
    codes: list[Code] = field(default_factory=list)
    sources: list[Source] = field(default_factory=list)
    segments: list[Segment] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def _local(element: etree._Element) -> str:
    return etree.QName(element).localname if isinstance(element.tag, str) else ""


def _kids(element: etree._Element, name: str) -> list[etree._Element]:
    return [child for child in element if _local(child) == name]


def _kid(element: etree._Element, name: str) -> etree._Element | None:
    found = _kids(element, name)
    return found[0] if found else None


def _text_of(element: etree._Element | None) -> str:
    return (element.text or "").strip() if element is not None else ""


def _parse_xml(data: bytes, path: Path, what: str) -> etree._Element:
    try:
        return etree.fromstring(data, parser=etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True))
    except etree.XMLSyntaxError as exc:
        raise RefiError(f"{path}: {what} is not valid XML ({exc})") from exc


def _check_namespace(root: etree._Element, path: Path, expected: str, pattern: re.Pattern[str]) -> None:
    namespace = etree.QName(root).namespace
    if _local(root) != expected:
        raise RefiError(f"{path}: not a REFI-QDA file (root element <{_local(root) or root.tag}>, expected "
                        f"<{expected}>)")
    if namespace is not None and not pattern.match(namespace):
        raise RefiError(f"{path}: unknown namespace {namespace!r} (expected urn:QDA-XML:...)")


def _slug(name: str) -> str:
    # keep names that already are theme keys ("npm", "skjonn_og_handlingsrom"); others become lower_case_words
    slug = re.sub(r"[^\w]+", "_", name.strip().lower()).strip("_")
    return slug or "code"


def _read_codes(codes_element: etree._Element | None) -> list[Code]:
    out: list[Code] = []
    used: set[str] = set()

    def walk(element: etree._Element, parent: Code | None) -> None:
        for item in _kids(element, "Code"):
            name = item.get("name") or item.get("guid") or "code"
            key = _slug(name)
            if key in used and parent is not None:
                key = f"{parent.key}__{key}"
            base, n = key, 2
            while key in used:
                key, n = f"{base}_{n}", n + 1
            used.add(key)
            codable = (item.get("isCodable") or "true").strip().lower() not in ("false", "0")
            code = Code(guid=(item.get("guid") or "").strip("{}").lower(), name=name, key=key,
                        description=_text_of(_kid(item, "Description")),
                        parent=parent.name if parent else None, codable=codable)
            out.append(code)
            walk(item, code)

    if codes_element is not None:
        walk(codes_element, None)
    return out


def read_qdc(path: str | Path) -> list[Code]:
    """The codes of a REFI-QDA codebook file (``.qdc``; a ``project.qde`` is read for its codebook too)."""
    path = Path(path)
    data = _read_file(path)
    root = _parse_xml(data, path, "the codebook")
    if _local(root) == "Project":
        _check_namespace(root, path, "Project", _PROJECT_NS)
        return _read_codes(_kid(_kid(root, "CodeBook"), "Codes") if _kid(root, "CodeBook") is not None else None)
    _check_namespace(root, path, "CodeBook", _CODEBOOK_NS)
    codes = _read_codes(_kid(root, "Codes"))
    if not codes:
        raise RefiError(f"{path}: the codebook has no codes")
    return codes


def _read_file(path: Path) -> bytes:
    if not path.is_file():
        raise RefiFileMissing(f"{path}: no such file")
    return path.read_bytes()


class _Archive:
    """The project's ZIP, with entry names looked up case-insensitively (``Sources/`` and ``sources/``)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        if not zipfile.is_zipfile(path):
            raise RefiError(f"{path}: not a REFI-QDA project (.qdpx is a ZIP file; this is not one)")
        try:
            self.zip = zipfile.ZipFile(path)
            self.names = {name.lower(): name for name in self.zip.namelist()}
        except (zipfile.BadZipFile, OSError) as exc:
            raise RefiError(f"{path}: damaged ZIP file ({exc})") from exc

    def read(self, name: str) -> bytes:
        try:
            return self.zip.read(name)
        except (zipfile.BadZipFile, OSError, KeyError, EOFError) as exc:
            raise RefiError(f"{self.path}: cannot read {name} from the ZIP ({exc})") from exc

    def project(self) -> bytes:
        # the standard's name at the root; else one .qde at the root; else one .qde in a folder (zipped by hand)
        qde = sorted(real for low, real in self.names.items() if low.endswith(".qde"))
        name = self.names.get("project.qde") or next((n for n in qde if "/" not in n), None) or (
            qde[0] if len(qde) == 1 else None)
        if name is None:
            raise RefiError(f"{self.path}: no project.qde inside (not a REFI-QDA project)")
        return self.read(name)

    def source(self, reference: str) -> bytes | None:
        """A source file by its ``plainTextPath`` (``internal://GUID.txt``, ``relative://...`` or a bare name)."""
        target = re.sub(r"^[a-z]+://", "", reference.strip(), flags=re.IGNORECASE).replace("\\", "/").lower()
        for candidate in (f"sources/{target}", target):
            if candidate in self.names:
                return self.read(self.names[candidate])
        base = PurePosixPath(target).name
        for low, real in sorted(self.names.items()):
            if PurePosixPath(low).name == base:
                return self.read(real)
        return None


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("utf-16") if data[:2] in (b"\xff\xfe", b"\xfe\xff") else data.decode("cp1252")


def _lf_offsets(raw: str) -> list[int]:
    """For each position of ``raw`` (and its end), the position in the text with CRLF/CR turned into LF."""
    out, at, i = [], 0, 0
    while i < len(raw):
        out.append(at)
        if raw[i] == "\r" and i + 1 < len(raw) and raw[i + 1] == "\n":
            out.append(at)  # the \n of a CRLF pair maps to the same LF
            i += 2
        else:
            i += 1
        at += 1
    out.append(at)
    return out


def _selections(text_source: etree._Element) -> list[tuple[str, int, int, str, list[str]]]:
    rows = []
    for sel in _kids(text_source, "PlainTextSelection"):
        try:
            start, end = int(sel.get("startPosition", "")), int(sel.get("endPosition", ""))
        except ValueError:
            start, end = -1, -1
        refs = [(ref.get("targetGUID") or "").strip("{}").lower()
                for coding in _kids(sel, "Coding") for ref in _kids(coding, "CodeRef")]
        rows.append(((sel.get("guid") or "").strip("{}").lower(), start, end, sel.get("name") or "", refs))
    return rows


def _reading(raw: str, text: str, selections: list) -> tuple[bool, int]:
    """How a source's offsets are to be read: (in the file as it is?, 1 if the end is inclusive else 0).

    The standard: code points of the file as it is (a CRLF is two), end exclusive. Some tools count the text's LF
    form (they keep LF text and write CRLF files), and some write the end inclusive. The reading chosen is the one
    under which selections stay inside the text, do not split a CRLF pair, and match the quoted text when a tool
    stores it in the selection's name; the standard reading wins ties, and an inclusive end needs quotes to show it.
    """
    if not selections:
        return True, 0
    quoted = any(quote for _, _, _, quote, _ in selections)
    readings = [(True, 0)] + ([(False, 0)] if "\r\n" in raw else [])
    if quoted:
        readings += [(as_raw, 1) for as_raw, _ in list(readings)]

    def score(reading: tuple[bool, int]) -> int:
        as_raw, extra = reading
        base = raw if as_raw else text
        points = 0
        for _, start, end, quote, _refs in selections:
            end += extra
            if not 0 <= start < end <= len(base):
                points -= 10
                continue
            if as_raw and "\r\n" in (base[start - 1:start + 1], base[end - 1:end + 1]):
                points -= 1
            if quote and " ".join(quote.split()) == " ".join(base[start:end].split()):
                points += 2
        return points

    return max(readings, key=lambda r: (score(r), r == (True, 0), r[1] == 0))


def _read_source(element: etree._Element, name: str, archive: _Archive, codes: dict[str, Code],
                 project: Project) -> None:
    source_guid = (element.get("guid") or "").strip("{}").lower()
    content = _kid(element, "PlainTextContent")
    if content is not None and content.text:
        raw = content.text
    else:
        reference = element.get("plainTextPath") or ""
        data = archive.source(reference) if reference else archive.source(f"{source_guid}.txt")
        if data is None:
            if _selections(element):
                raise RefiError(f"{archive.path}: the text of source {name!r} ({reference or source_guid}) is not "
                                f"in the project")
            project.warnings.append(f"source {name!r}: no text in the project; left out")
            return
        raw = _decode(data)
    if raw.startswith("\ufeff"):
        raw = raw[1:]
    text = raw.replace("\r\n", "\n").replace("\r", "\n")
    selections = _selections(element)
    as_raw, extra = _reading(raw, text, selections)
    to_lf = _lf_offsets(raw)
    limit = len(raw) if as_raw else len(text)
    for sel_guid, start, end, _quote, refs in selections:
        end += extra
        if start == end and 0 <= start <= limit:  # an empty selection codes no text: nothing to learn from
            project.warnings.append(f"source {name!r}: selection {sel_guid} is empty; left out")
            continue
        if not 0 <= start < end <= limit:
            raise RefiError(f"{archive.path}: selection {sel_guid or '?'} of source {name!r} spans "
                            f"{start}-{end - extra}, outside its text of {limit} characters")
        if as_raw:
            start, end = to_lf[start], to_lf[end]
        keys = sorted({codes[r].key for r in refs if r in codes})
        unknown = [r for r in refs if r not in codes]
        if unknown:
            project.warnings.append(f"source {name!r}: selection {sel_guid} refers to unknown code(s) "
                                    f"{', '.join(unknown)}; those codings are left out")
        if keys:
            project.segments.append(Segment(sel_guid, source_guid, start, end, keys))
    project.sources.append(Source(source_guid, name, text))


def read_qdpx(path: str | Path) -> Project:
    """Codes, text sources and coded text selections of a REFI-QDA project (``.qdpx``)."""
    path = Path(path)
    if not path.is_file():
        raise RefiFileMissing(f"{path}: no such file")
    archive = _Archive(path)
    root = _parse_xml(archive.project(), path, "project.qde")
    _check_namespace(root, path, "Project", _PROJECT_NS)
    project = Project(path=path)
    book = _kid(root, "CodeBook")
    project.codes = _read_codes(_kid(book, "Codes") if book is not None else None)
    by_guid = {code.guid: code for code in project.codes}
    sources = _kid(root, "Sources")
    for element in list(sources) if sources is not None else []:
        kind = _local(element)
        name = element.get("name") or element.get("guid") or "source"
        if kind == "TextSource":
            _read_source(element, name, archive, by_guid, project)
        elif kind == "PDFSource" and _kid(element, "Representation") is not None:
            _read_source(_kid(element, "Representation"), name, archive, by_guid, project)
        elif kind:
            project.warnings.append(f"source {name!r}: {kind} is not text; left out")
    return project


# -- outputs -----------------------------------------------------------------------------------------------------
def codebook_dict(codes: list[Code]) -> dict:
    """The codable codes as a policytekst codebook (see :mod:`policytekst.themes.codebook`)."""
    themes = {}
    for code in codes:
        if not code.codable:
            continue
        entry: dict = {"label": code.name}
        if code.description:
            entry["description"] = code.description
        if code.parent:
            entry["parent"] = code.parent
        # REFI codes have no search terms: the code's own name is the seed term the researcher refines
        entry["terms"] = [{"pattern": " ".join(re.findall(r"\w+", code.name.lower())) or code.key}]
        entry["refi_guid"] = code.guid
        themes[code.key] = entry
    return {"version": 1, "themes": themes}


def _document_for(source: Source, corpus, docs: dict[str, str]) -> str | None:
    """The corpus document a source is: its name (or file stem) is a doc_id, a policytekst GUID, or the same
    text (whitespace aside)."""
    for name in (source.name, PurePosixPath(source.name.replace("\\", "/")).stem):  # "intervju_a.txt" too
        if name in docs:
            return name
    for doc_id in docs:
        if guid("source", doc_id) == source.guid:
            return doc_id
    wanted = " ".join(source.text.split())
    for doc_id in docs:
        if " ".join(corpus.text(doc_id).split()) == wanted:
            return doc_id
    return None


def segment_rows(project: Project, corpus=None) -> list[dict]:
    """One row per coded selection: source name and GUID, corpus doc_id (when matched), offsets, text, codes."""
    docs = {d.doc_id: d.doc_id for d in corpus.documents()} if corpus is not None else {}
    sources = {s.guid: s for s in project.sources}
    matched = {s.guid: _document_for(s, corpus, docs) if corpus is not None else None for s in project.sources}
    return [{"source": sources[seg.source].name, "source_guid": seg.source, "doc_id": matched[seg.source],
             "start": seg.start, "end": seg.end, "text": sources[seg.source].text[seg.start:seg.end],
             "codes": seg.codes, "guid": seg.guid} for seg in project.segments]


def label_rows(project: Project, corpus=None, negatives: bool = True) -> list[dict]:
    """Rows for ``themes train --labels``: per passage of a matched document, else per selection."""
    docs = {d.doc_id: d.doc_id for d in corpus.documents()} if corpus is not None else {}
    by_source: dict[str, list[Segment]] = {}
    for seg in project.segments:
        by_source.setdefault(seg.source, []).append(seg)
    rows = []
    for source in project.sources:
        segments = by_source.get(source.guid, [])
        if not segments:
            continue
        doc_id = _document_for(source, corpus, docs) if corpus is not None else None
        if doc_id is None:
            for seg in segments:
                text = source.text[seg.start:seg.end].strip()
                if text:
                    rows.append({"id": f"{source.name}:{seg.start}-{seg.end}", "doc_id": source.name,
                                 "text": text, "labels": seg.codes})
            continue
        spans = passage_spans(corpus, doc_id, source.text)
        for pid, (start, end) in spans.items():
            labels = sorted({c for seg in segments if seg.start < end and seg.end > start for c in seg.codes})
            if labels or negatives:
                rows.append({"id": pid, "doc_id": doc_id, "text": source.text[start:end], "labels": labels})
    return rows


@dataclass
class ImportSummary:
    """What an import wrote."""

    out: Path
    codes: int = 0
    sources: int = 0
    segments: int = 0
    labels: int = 0
    matched_sources: int = 0
    added_documents: int = 0
    files: list[Path] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def _write_jsonl(path: Path, rows: list[dict]) -> None:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")


def _safe_name(name: str) -> str:
    return re.sub(r"[^\w.-]+", "_", name).strip("._") or "source"


def import_qdc(path: str | Path, out: str | Path) -> ImportSummary:
    """Read a ``.qdc`` codebook and write ``OUT/codebook.yaml``."""
    codes = read_qdc(path)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    target = out / "codebook.yaml"
    target.write_text(yaml.safe_dump(codebook_dict(codes), allow_unicode=True, sort_keys=False), encoding="utf-8")
    return ImportSummary(out=out, codes=sum(c.codable for c in codes), files=[target])


def import_qdpx(path: str | Path, out: str | Path, corpus=None, *, add_sources: bool = False,
                negatives: bool = True) -> ImportSummary:
    """Read a ``.qdpx`` project and write ``codebook.yaml``, ``labels.jsonl``, ``segments.jsonl`` and
    ``sources/`` into ``out``; with ``add_sources`` the text sources that are not yet documents of ``corpus`` are
    ingested into it. The whole project is read and checked before anything is written."""
    project = read_qdpx(path)
    out = Path(out)
    summary = ImportSummary(out=out, codes=sum(c.codable for c in project.codes), sources=len(project.sources),
                            segments=len(project.segments), warnings=list(project.warnings))
    if add_sources and corpus is None:
        raise UsageError("adding sources needs --corpus DIR")
    out.mkdir(parents=True, exist_ok=True)
    source_dir = out / "sources"
    source_dir.mkdir(exist_ok=True)
    source_files = []
    for source in project.sources:
        target = source_dir / f"{_safe_name(source.name)}.txt"
        target.write_text(source.text, encoding="utf-8")
        source_files.append((source, target))
    if add_sources:
        docs = {d.doc_id: d.doc_id for d in corpus.documents()}
        new = [target for source, target in source_files if _document_for(source, corpus, docs) is None]
        if new:
            corpus.ingest(new, progress=False)
            summary.added_documents = len(new)
    codebook = out / "codebook.yaml"
    codebook.write_text(yaml.safe_dump(codebook_dict(project.codes), allow_unicode=True, sort_keys=False),
                        encoding="utf-8")
    segments = segment_rows(project, corpus)
    labels = label_rows(project, corpus, negatives=negatives)
    _write_jsonl(out / "segments.jsonl", segments)
    _write_jsonl(out / "labels.jsonl", labels)
    summary.labels = len(labels)
    summary.matched_sources = len({r["source_guid"] for r in segments if r["doc_id"]})
    summary.files = [codebook, out / "labels.jsonl", out / "segments.jsonl", source_dir]
    return summary
