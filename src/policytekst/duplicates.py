"""Duplicate documents and passages: exact (same words) and near (MinHash over word shingles, banded LSH).

The same thesis ingested as TXT and as PDF, a report saved twice, identical rows in a table of texts: counted twice,
they fill keyness, trends and example slots twice. Each document gets a :class:`Fingerprint` (a pure function of its
text, so it is computed in the ingest workers); the store keeps the LSH band keys in an indexed table, so finding the
candidates of a new document is a lookup, not a pass over the corpus, and memory does not grow with the corpus.

A candidate pair is a duplicate when its estimated Jaccard similarity of word 5-shingles reaches ``NEAR_JACCARD``, or
when nearly all of the shorter text's shingles are in the longer one (``NEAR_CONTAINMENT``: a PDF with a title page and
the TXT of its body). Short texts (fewer words than a shingle) are duplicates only when their words are identical.

Examples
--------
>>> a = fingerprint("Brukerne ble kasteballer mellom etatene, og ingen tok ansvar for helheten i tjenesten.")
>>> b = fingerprint("Brukerne ble kasteballer mellom etatene og ingen tok ansvar for helheten i tjenesten")
>>> a.exact == b.exact
True
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

SHINGLE = 5
NUM_PERM = 64
BANDS = 16  # 16 bands x 4 rows: pairs from Jaccard ~0.5 up become candidates, then the signatures decide
ROWS = NUM_PERM // BANDS
SEED = 1  # fixed: signatures must agree across runs, machines and worker processes
NEAR_JACCARD = 0.8
NEAR_CONTAINMENT = 0.9
MIN_PASSAGE_WORDS = 8  # shorter passages ("Innledning", "Tabell 2") repeat legitimately

_WORD = re.compile(r"[^\W_]+", re.UNICODE)
# Formats in the order a citation prefers them: a PDF has page numbers, a TXT has none.
FORMAT_RANK = {"pdf": 0, "docx": 1, "html": 2, "markdown": 3, "text": 4, "table-row": 5}


def words(text: str) -> list[str]:
    """Lower-case word tokens: punctuation, case and line breaks do not make texts different."""
    return _WORD.findall(text.lower())


def text_key(text: str) -> str:
    """Exact-duplicate key of a text: a hash of its words."""
    return hashlib.sha1(" ".join(words(text)).encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Fingerprint:
    """What duplicate detection needs of one document; ``signature`` is empty for texts shorter than a shingle."""

    exact: str
    signature: tuple[int, ...]
    n_shingles: int

    def bands(self) -> list[str]:
        """LSH band keys: documents sharing any key are candidates."""
        import numpy as np
        if not self.signature:
            return []
        sig = self.signature
        return [f"{b}:" + hashlib.sha1(np.asarray(sig[b * ROWS:(b + 1) * ROWS], dtype=np.uint32).tobytes()
                                       ).hexdigest()[:16] for b in range(BANDS)]


# MinHash as datasketch (>= 2.0, scheme "affine32") computes it, bit for bit (tests compare the two): each shingle's
# SHA-1 (first 4 bytes, little-endian), the MurmurHash3 finalizer, then per permutation a * h + b modulo 2^32, the
# minimum over the shingles. Done here because importing datasketch imports scipy, which cost more than hashing
# a 400-page document, and because the signatures stored in a corpus must not change with a library upgrade.
_FMIX32 = (16, 0x85EBCA6B, 13, 0xC2B2AE35, 16)


@lru_cache(maxsize=1)
def _permutations():
    """The (a, b) of the NUM_PERM affine permutations, drawn as datasketch draws them for seed SEED."""
    import numpy as np

    gen = np.random.RandomState(SEED)
    a = gen.randint(0, 1 << 31, NUM_PERM, dtype=np.uint32) * np.uint32(2) + np.uint32(1)
    b = gen.randint(0, 1 << 32, NUM_PERM, dtype=np.uint32)
    return a, b


def minhash_signature(shingles: Iterable[bytes]) -> tuple[int, ...]:
    """The MinHash signature (NUM_PERM values) of a set of shingles given as bytes."""
    import numpy as np

    sha1 = hashlib.sha1
    hv = np.fromiter((int.from_bytes(sha1(s).digest()[:4], "little") for s in shingles), dtype=np.uint32)
    s1, m1, s2, m2, s3 = (np.uint32(c) for c in _FMIX32)
    hv = hv ^ (hv >> s1)
    hv = hv * m1
    hv = hv ^ (hv >> s2)
    hv = hv * m2
    hv = (hv ^ (hv >> s3)).reshape(-1, 1)
    a, b = _permutations()
    return tuple(int(v) for v in (hv * a + b).min(axis=0))


def fingerprint(text: str) -> Fingerprint:
    """The fingerprint of a document's text (pure; safe in worker processes)."""
    tokens = words(text)
    exact = hashlib.sha1(" ".join(tokens).encode("utf-8")).hexdigest()
    shingles = {" ".join(tokens[i:i + SHINGLE]).encode("utf-8") for i in range(len(tokens) - SHINGLE + 1)}
    if not shingles:
        return Fingerprint(exact, (), 0)
    return Fingerprint(exact, minhash_signature(shingles), len(shingles))


def jaccard(a: Fingerprint, b: Fingerprint) -> float:
    """Estimated Jaccard similarity of the two texts' shingle sets (1.0 for identical words)."""
    import numpy as np
    if a.exact == b.exact:
        return 1.0
    if not a.signature or not b.signature:
        return 0.0
    return float(np.mean(np.asarray(a.signature) == np.asarray(b.signature)))


def containment(a: Fingerprint, b: Fingerprint) -> float:
    """Estimated share of the smaller text's shingles found in the larger one (from Jaccard and the set sizes)."""
    j = jaccard(a, b)
    small, large = sorted((a.n_shingles, b.n_shingles))
    if small == 0:
        return 1.0 if a.exact == b.exact else 0.0
    # |A∩B| = J(|A|+|B|)/(1+J); containment = |A∩B| / |smaller|
    return min(1.0, j * (small + large) / (1 + j) / small)


def is_duplicate(a: Fingerprint, b: Fingerprint) -> bool:
    return a.exact == b.exact or jaccard(a, b) >= NEAR_JACCARD or (
        min(a.n_shingles, b.n_shingles) >= 20 and containment(a, b) >= NEAR_CONTAINMENT)


def canonical_order(doc_id: str, doc_format: str | None, n_passages: int | None) -> tuple:
    """Sort key of the copy that represents a group: the most citable format, then the fuller, then by id."""
    return FORMAT_RANK.get(doc_format or "", 9), -(n_passages or 0), doc_id


def group(members: Sequence[str], pairs: Iterable[tuple[str, str]]) -> dict[str, str]:
    """Union-find over duplicate pairs: doc_id -> representative (the first of ``members`` in its group).

    ``members`` must be sorted by :func:`canonical_order`; documents in no pair map to themselves.
    """
    order = {doc_id: i for i, doc_id in enumerate(members)}
    parent = {doc_id: doc_id for doc_id in members}

    def find(x: str) -> str:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b in pairs:
        if a not in parent or b not in parent:
            continue
        ra, rb = find(a), find(b)
        if ra != rb:
            if order[rb] < order[ra]:
                ra, rb = rb, ra
            parent[rb] = ra
    return {doc_id: find(doc_id) for doc_id in members}
