"""REFI-QDA basics shared by export and import: namespaces, deterministic GUIDs, a reproducible ZIP, XSD checks.

REFI-QDA (www.qdasoftware.org) is the exchange standard NVivo, ATLAS.ti, MAXQDA and QualCoder import and export:
a ``.qdpx`` project is a ZIP with ``project.qde`` (XML in namespace ``urn:QDA-XML:project:1.0``) and a flat
``sources/`` folder of ``<GUID>.<ext>`` files; a ``.qdc`` codebook is one XML file (``urn:QDA-XML:codebook:1.0``).
Text positions count Unicode code points from 0, end exclusive.
"""

from __future__ import annotations

import uuid
import zipfile
from pathlib import Path

from lxml import etree

from policytekst.errors import PolicytekstError, UsageError

PROJECT_NS = "urn:QDA-XML:project:1.0"
CODEBOOK_NS = "urn:QDA-XML:codebook:1.0"

#: the namespace every policytekst GUID is derived from (uuid5), so the same corpus exports the same GUIDs
GUID_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "https://github.com/policytekst/policytekst/refi-qda")

#: one fixed timestamp for every ZIP entry: a re-export must be byte-identical
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)


class RefiError(PolicytekstError):
    """A .qdpx/.qdc file that cannot be read (the message names the file and the problem)."""


class RefiFileMissing(RefiError, UsageError):
    """The file named on the command line is not there: a usage mistake (exit 2), like a missing ingest path."""


def guid(kind: str, *key: object) -> str:
    """A deterministic GUID for one exported object: the same kind and key give the same GUID on every run."""
    name = "\x1f".join([kind, *map(str, key)])
    return str(uuid.uuid5(GUID_NAMESPACE, name))


def xml_bytes(root: etree._Element) -> bytes:
    """The document as UTF-8 (no BOM) with LF line ends and an XML declaration."""
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def write_zip(path: Path, entries: dict[str, bytes]) -> None:
    """A ZIP whose bytes depend only on ``entries`` (sorted names, fixed times and permissions)."""
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name in sorted(entries):
            info = zipfile.ZipInfo(name, date_time=_ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            info.create_system = 3  # unix, whatever machine writes it
            archive.writestr(info, entries[name])


def validate(document: bytes | etree._Element, schema: str | Path) -> list[str]:
    """Errors of ``document`` against the XSD file ``schema`` (an empty list when it is valid)."""
    xsd = etree.XMLSchema(etree.parse(str(schema)))
    tree = etree.fromstring(document) if isinstance(document, bytes) else document
    if xsd.validate(tree):
        return []
    return [f"line {e.line}: {e.message}" for e in xsd.error_log]
