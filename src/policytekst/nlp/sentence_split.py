"""Sentence splitting: Punkt with Norwegian statistics trained offline, the shipped abbreviation list, and a
few rules Punkt cannot know (colons before a new clause, ordinals before month names, dialogue dashes).
"""

from __future__ import annotations

import gzip
import json
import re
from functools import lru_cache

from nltk.tokenize.punkt import PunktLanguageVars, PunktParameters, PunktSentenceTokenizer

from policytekst.nlp.resources import data_path
from policytekst.nlp.tokens import abbreviations

PARAMS_FILE = "punkt_nb.json.gz"

# Full month names only: short forms such as "Jan" are also first names.
MONTHS = ("januar", "februar", "mars", "april", "mai", "juni", "juli", "august", "september", "oktober",
          "november", "desember")
# Words that follow an ordinal ("5. ledd", "3. kvartal") and so never start a sentence after a number.
AFTER_ORDINAL = MONTHS + ("ledd", "punktum", "kapittel", "kvartal", "klasse", "trinn", "plass", "gang", "år",
                          "århundre", "etasje", "utgave", "juledag", "pinsedag", "påskedag", "mai")

# A colon closes a sentence in UD Norwegian when a new clause follows: a capital letter, a quote or a dash.
_COLON_SPLIT = re.compile(r"(?<=\w[:])\s+(?=[«\"“]|[-–—]\s|[A-ZÆØÅ])")
# A dialogue dash after end punctuation or after a headline-like run without it: "… fulgte opp - Som …"
_DASH_SPLIT = re.compile(r"(?<=[.!?\w\"»”])\s+(?=[-–—]\s+[A-ZÆØÅ][a-zæøå])")
# A numbered heading glued to the text before it: "… der. 11.4 Utvalgets vurderinger"
_HEADING_SPLIT = re.compile(r"(?<=[.!?])\s+(?=\d+(?:\.\d+)+\.?\s+[A-ZÆØÅ])"
                            r"|(?<=[a-zæøå]{3})\s+(?=\d+\.\d+(?:\.\d+)+\s+[A-ZÆØÅ][a-zæøå])")
# Function words that only carry a capital letter at the start of a sentence. One of them capitalised right
# after a short run of words without end punctuation marks a heading glued to the next sentence
# ("Kjedelige pressekonferanser En ny og artig ..."). "I" is left out: it is also English.
_SENTENCE_OPENERS = frozenset("""
alle alt andre at både da dag de dem den denne der derfor dermed dersom det dette disse du eller en ene enda
er et etter flere for fordi han hans hun hvis hva hvem hvor hvordan hvorfor ingen jeg kanskje men mens mange
med nå når når og også om på selv siden skal slik som så til ved vi vil
""".split())
_PREPOSITIONS = frozenset("i på av til fra med ifølge for om ved hos mot under over etter mellom og eller".split())
_WORD = re.compile(r"\w[\w'’-]*")
MAX_HEADING_WORDS = 8


def _heading_split(piece: str) -> list[str]:
    """Split a short punctuation-free heading from the sentence glued to it."""
    words = list(_WORD.finditer(piece))
    for i, match in enumerate(words[1:MAX_HEADING_WORDS + 1], start=1):
        between = piece[words[0].start():match.start()]
        if any(ch in between for ch in ".,;:!?()«»\"[]"):
            return [piece]
        word = match.group()
        if not (word[0].isupper() and word.lower() in _SENTENCE_OPENERS and word[1:].islower()):
            continue
        if words[i - 1].group().lower() in _PREPOSITIONS:
            continue
        following = words[i + 1].group() if i + 1 < len(words) else ""
        if following and following[0].isupper():  # "Den Norske Kirke": part of a name
            continue
        return [piece[:match.start()].strip(), *_heading_split(piece[match.start():])]
    return [piece]


# Pieces that cannot start a sentence: lower-case words (speech tags "spør pappa", lists after "m.v."),
# closing quotes and brackets, and stray end punctuation.
_NO_START = re.compile(r"^(?:[a-zæøå]|[»”)\]},;.!?])")


class _NorwegianVars(PunktLanguageVars):
    """Punkt language variables: Norwegian quote marks may follow the end punctuation."""

    sent_end_chars = (".", "?", "!")
    internal_punctuation = ",:;"
    re_boundary_realignment = re.compile(r'["\')\]}»”’]+?(?:\s+|(?=--)|$)', re.MULTILINE)


@lru_cache(maxsize=1)
def _tokenizer() -> PunktSentenceTokenizer:
    params = PunktParameters()
    try:
        with gzip.open(data_path(PARAMS_FILE), "rt", encoding="utf-8") as handle:
            trained = json.load(handle)
    except OSError:
        trained = {"ortho_context": {}, "sent_starters": [], "collocations": []}
    abbrevs = abbreviations()
    params.abbrev_types = {a[:-1] for a in abbrevs}
    params.ortho_context.update(trained["ortho_context"])
    params.sent_starters = set(trained["sent_starters"])
    params.collocations = {(a, b) for a, b in trained["collocations"]
                           if a == "##number##" or f"{a}." in abbrevs}
    params.collocations |= {("##number##", month) for month in AFTER_ORDINAL}
    return PunktSentenceTokenizer(params, lang_vars=_NorwegianVars())


@lru_cache(maxsize=1)
def _final_pattern() -> re.Pattern[str] | None:
    finals = [a for a, final in abbreviations().items() if final]
    if not finals:
        return None
    return re.compile(r"(?<!\w)(?i:" + "|".join(re.escape(a) for a in sorted(finals, key=len, reverse=True))
                      + r")(?=\s+[«\"]?[A-ZÆØÅ][a-zæøå])")


def _final_abbrev_split(sentence: str) -> list[str]:
    """Break after abbreviations that often end a sentence (osv., mv.) when a capitalised word follows."""
    pattern = _final_pattern()
    if pattern is None or "." not in sentence:
        return [sentence]
    out, start = [], 0
    for match in pattern.finditer(sentence):
        out.append(sentence[start:match.end()].strip())
        start = match.end()
    out.append(sentence[start:].strip())
    return [s for s in out if s]


def _outside_quotes(text: str, pos: int) -> bool:
    """True when ``pos`` is not inside an open «...» quote (a title such as «Guitar Hero: World Tour»)."""
    before = text[:pos]
    return before.count("«") <= before.count("»")


def _split_at(pattern: re.Pattern[str], text: str, check_quotes: bool = False) -> list[str]:
    out, start = [], 0
    for match in pattern.finditer(text):
        if check_quotes and not _outside_quotes(text, match.start()):
            continue
        out.append(text[start:match.start()])
        start = match.end()
    out.append(text[start:])
    return [p.strip() for p in out if p.strip()]


def _split_rules(sentence: str) -> list[str]:
    pieces = _split_at(_COLON_SPLIT, sentence, check_quotes=True)
    pieces = [p for piece in pieces for p in _split_at(_DASH_SPLIT, piece)]
    pieces = [p for piece in pieces for p in _split_at(_HEADING_SPLIT, piece)]
    pieces = [p for piece in pieces for p in _heading_split(piece)]
    return [s for piece in pieces for s in _final_abbrev_split(piece)]


def _merged_spans(text: str) -> list[tuple[int, int]]:
    """Punkt's spans, with a piece that cannot start a sentence joined to the one before it."""
    merged: list[tuple[int, int]] = []
    for start, end in _tokenizer().span_tokenize(text):
        if merged and _NO_START.match(text[start:end]):
            merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return merged


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """Character spans (start, end) of the sentences of ``text``."""
    if not isinstance(text, str) or not text.strip():
        return []
    spans: list[tuple[int, int]] = []
    for start, end in _merged_spans(text):
        chunk = text[start:end]
        cursor = 0
        for piece in _split_rules(chunk):
            offset = chunk.find(piece, cursor)
            if offset < 0:  # cannot happen for strip()ped pieces; keep the chunk whole if it does
                spans.append((start, end))
                break
            spans.append((start + offset, start + offset + len(piece)))
            cursor = offset + len(piece)
    return spans


def sentences(text: str) -> list[str]:
    """Split a text into sentences.

    Parameters
    ----------
    text : str
        A paragraph or longer text. Paragraph breaks (blank lines) always end a sentence.

    Returns
    -------
    list[str]
        Sentences with surrounding whitespace removed. Abbreviations in the shipped list ("f.eks.", "jf.",
        "St.prp.", "kap.") never end a sentence; "osv." and "mv." do when a capitalised word follows.

    Examples
    --------
    >>> sentences("Se St.prp. nr. 46 (2004-2005) kap. 5. Den kom i fjor.")
    ['Se St.prp. nr. 46 (2004-2005) kap. 5.', 'Den kom i fjor.']
    """
    if not isinstance(text, str):
        return []
    out: list[str] = []
    for block in re.split(r"\n\s*\n", text):
        out.extend(text_ for s, e in sentence_spans(block) if (text_ := block[s:e].strip()))
    return out
