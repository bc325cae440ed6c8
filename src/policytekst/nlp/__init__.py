"""The Norwegian language layer (interim foundation version; the language-layer work replaces it).

Stable functions: tokenize, sentences, lemmatize (see DESIGN.md); also detect_language, stopwords, content_lemmas.
"""

from __future__ import annotations

import re

import simplemma

_TOKEN = re.compile(r"\w+(?:[-.]\w+)*|[^\w\s]", re.UNICODE)
_SENT = re.compile(r"(?<=[.!?])\s+(?=[A-ZÆØÅ])")


def tokenize(text: str) -> list[str]:
    return _TOKEN.findall(text)


def sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENT.split(text) if s.strip()]


def lemmatize(tokens: list[str], lang: str = "nb") -> list[str]:
    return [simplemma.lemmatize(t, lang=lang) if t.isalpha() else t for t in tokens]


def detect_language(text: str) -> str:
    return "nb"


def stopwords(lang: str = "nb", domain: bool = False) -> frozenset[str]:
    return frozenset()


def content_lemmas(text: str, lang: str | None = None) -> list[str]:
    return [lemma.lower() for lemma in lemmatize(tokenize(text)) if lemma.isalpha() and len(lemma) > 1]
