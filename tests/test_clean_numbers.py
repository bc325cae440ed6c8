"""Numbers survive cleaning (issue 12, item 1): footnote markers leave the text only when a footnote names them;
section, table, figure, paragraph and legal numbers, years, decimals and amounts are never touched.

Every sentence here was written for these tests. A seeded random generator writes many more pages of the same
shapes (fuzz), and the budget proposition in ../shared is checked for damaged numbers and headings.
"""

from __future__ import annotations

import random
import re

import pytest
from conftest import REAL_PDFS

from policytekst.clean import clean_document, footnotes
from policytekst.clean.hyphenation import mend
from policytekst.model import Page, RawDocument


# -- the marker rules, one shape at a time ------------------------------------------------------------------------
@pytest.mark.parametrize("line,n,marker", [
    ("Vi fikk god oppfølging.1 Deretter gikk det bra.", 1, "1"),        # glued after a sentence end
    ("ansatte i tjenester3 og i etaten", 3, "3"),                       # glued to a word
    ("det var et ”problem”7 for dem", 7, "7"),                         # after a closing quote
    ("som beskrevet av Hansen (2005)4, og", 4, "4"),                     # after a closing bracket
    ("praksis (EBP) 14. I England", 14, " 14"),                          # set off by a space, then a full stop
    ("direktør i NC213 mener", 13, "13"),                                # a code with a marker glued on
    ("samarbeid med Midt-Norge 2", 2, " 2"),                             # a spaced marker at the line end
])
def test_marker_found(line, n, marker):
    spans = footnotes.marker_spans(line, n)
    assert spans, line
    a, b = spans[0]
    assert line[a:b] == marker


@pytest.mark.parametrize("line,n", [
    ("1.1 Bakgrunn for arbeidet", 1),
    ("Tabell 1.7 viser hovedtallene.", 7),
    ("Tabell 1.7 viser hovedtallene.", 1),
    ("0.2 Arbeidsavklaringspenger", 2),
    ("etter folketrygdloven § 8-4 første ledd", 4),
    ("etter folketrygdloven § 8-4 første ledd", 8),
    ("jf. St.meld. nr. 14", 14),
    ("Veksten anslås til 3,2 pst.", 3),
    ("se punkt 3.2.6 nedenfor", 2),
    ("Se kapittel 5.", 5),
    ("vist i figur 9.", 9),
    ("Antallet var 3.", 3),
    ("Vi intervjuet ansatte 3 ganger", 3),
    ("utslippene av CO2 økte", 2),
    ("kvotene i ETS2 ble", 2),
    ("målt i Sm3 per år", 3),
    ("i perioden 1992–2013. Satsen", 3),
    ("et bunnfradrag på 1,76 mill. kroner", 1),
    ("om lag 2 000 kroner", 2),
    ("beløpet er 500 kr 3.", 3),
    ("se kap.3 og s.12", 3),
    ("vedtatt i 2006.", 6),
])
def test_numbers_that_are_not_markers(line, n):
    assert footnotes.marker_spans(line, n) == [], line


def test_page_bottom_notes_remove_only_named_markers():
    lines = [
        "1.1 Bakgrunn",
        "Tabell 1.7 viser at veksten anslås til 3,2 pst. i 2026, jf. St.meld. nr. 14 og",
        "folketrygdloven § 8-4. Brukerne fikk tett oppfølging.1 Kontorene rapporterte om",
        "flere tjenester2 og om 0.2 prosent nedgang i saker etter punkt 3.2.6 i planen.",
        "Beløpet var 1 500 kroner per måned fra 1. januar 2026, se figur 3.",
        "1 Se rapporten fra direktoratet.",
        "2 Tallene gjelder hele landet.",
    ]
    body, notes, nxt = footnotes.split_page(lines, 1)
    assert notes == [(1, "Se rapporten fra direktoratet."), (2, "Tallene gjelder hele landet.")]
    assert body[0] == lines[0] and body[1] == lines[1]
    assert "oppfølging. Kontorene" in body[2] and "folketrygdloven § 8-4." in body[2]
    assert body[3].startswith("flere tjenester og om 0.2 prosent") and "punkt 3.2.6" in body[3]
    assert body[4] == lines[4]  # "figur 3" is a figure, even though note 3 could follow
    assert nxt == 3


def test_toc_and_table_rows_are_never_footnotes():
    """Contents entries that start with the expected numbers, on a page with glued digits, stay put."""
    lines = [
        "Innhold",
        "Oversikt over ordningen og tjenestene2 i kommunene",
        "1 Innledning ............................................ 7",
        "2 Bakgrunn ............................................. 12",
        "3 Metode ............................................... 19",
    ]
    body, notes, _ = footnotes.split_page(lines, 1)
    assert notes == [] and body == lines
    table = ["Satser i kommunene1 og fylkene2 etter år", "Skatt på inntekt ....... 22,0 22,0",
             "1 400 600 – 580 800 ........ 105 200 19,6", "2 580 800 – 671 600 ........ 133 600 21,3"]
    body, notes, _ = footnotes.split_page(table, 1)
    assert notes == [] and body == table


def test_numeric_table_cell_and_next_row_are_not_hyphen_joined():
    assert mend("Skatt på inntekt ....... 18,5 -", "Arbeidsgiveravgift ......") == \
        "Skatt på inntekt ....... 18,5 - Arbeidsgiveravgift ......"
    assert mend("tiltak i perioden 2006-", "2007 ble") == "tiltak i perioden 2006-2007 ble"
    assert mend("økte CO2-", "avgiften") == "økte CO2-avgiften"


# -- fuzz: cleaning never changes a token with a digit unless it is a marker it can name ----------------------------
_WORDS = ("arbeidet tjenestene kommunen brukerne samordning veilederne kontoret ordningen forslaget rapporten "
          "oppfølging evalueringen utviklingen ansatte direktoratet planen tiltakene styringen").split()
_SMALL = "og i på for med at som det er var til fra av om".split()
_NUMBERED = ["Tabell {a}.{b}", "Figur {a}.{b}", "tabell {a}", "figur {b}", "kapittel {a}", "punkt {a}.{b}.{c}",
             "§ {a}-{b}", "§§ {a}-{b} og {a}-{c}", "St.meld. nr. {n}", "Prop. {n} LS", "kap. {a}", "nr. {b}",
             "{y}", "{y}–{y2}", "{a},{b} pst.", "{n} {k} kroner", "{a}.{b} prosent", "side {n}", "s. {n}",
             "{a}. januar {y}", "NOU {y}: {a}", "CO2-avgiften", "ETS2", "Sm3", "{n} prosent", "{a}.{b}"]


def _number_phrase(rng: random.Random) -> str:
    values = {"a": rng.randint(0, 19), "b": rng.randint(1, 12), "c": rng.randint(1, 9), "n": rng.randint(1, 40),
              "k": f"{rng.randint(0, 999):03d}", "y": rng.randint(1990, 2030), "y2": rng.randint(1990, 2030)}
    return rng.choice(_NUMBERED).format(**values)


def _sentence(rng: random.Random) -> str:
    words = [rng.choice(_WORDS) for _ in range(rng.randint(4, 8))]
    for _ in range(rng.randint(1, 2)):
        words.insert(rng.randint(1, len(words)), _number_phrase(rng))
    for _ in range(rng.randint(0, 3)):
        words.insert(rng.randint(1, len(words)), rng.choice(_SMALL))
    text = " ".join(words)
    return text[0].upper() + text[1:] + "."


def _fuzz_page(rng: random.Random, first_note: int) -> tuple[list[str], list[tuple[str, str]], int]:
    """Lines of one page, the (marked token, clean token) pairs, and the next note number."""
    lines = []
    if rng.random() < 0.3:
        lines.append(f"{rng.randint(1, 12)}.{rng.randint(1, 9)} {rng.choice(_WORDS).capitalize()} og planer")
    sentences = [_sentence(rng) for _ in range(rng.randint(4, 8))]
    n_notes = rng.randint(0, 3)
    marked: list[tuple[str, str]] = []
    n = first_note
    for i in sorted(rng.sample(range(len(sentences)), n_notes)):
        words = sentences[i].split()
        j = rng.randrange(len(words))
        word = words[j]
        if not re.fullmatch(r"[a-zæøå]{3,}\.?", word) or word.rstrip(".") not in _WORDS + _SMALL:
            continue  # "kap.1", "pst.2": an abbreviation and a number, which the cleaning rightly keeps
        style = rng.choice(("glued", "punct")) if word.endswith(".") else "glued"
        if style == "punct":
            words[j] = f"{word}{n}"
        else:
            base = word.rstrip(".")
            words[j] = f"{base}{n}" + ("." if word.endswith(".") else "")
        marked.append((words[j], word))
        sentences[i] = " ".join(words)
        n += 1
    text = " ".join(sentences)
    # wrap at word boundaries (no line-end hyphens, which are a different step)
    line, width = "", rng.randint(60, 95)
    for word in text.split():
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}" if line else word
    lines.append(line)
    for k in range(first_note, n):
        words = " ".join(rng.choice(_WORDS + _SMALL) for _ in range(rng.randint(3, 9)))
        lines.append(f"{k} Se {rng.choice(_WORDS)} i {words}.")
    return lines, marked, n


# seeds 0-39 and 100-299 were looked at while the rules were written (100-299: 191 of 200 passed on first
# run); seeds 1000-1499 and 2000-2499 were only run after the last rule change, all passing; 1000-1059 run here
@pytest.mark.parametrize("seed", [*range(40), *range(1000, 1060)])
def test_fuzz_digit_tokens_survive_pdf_cleaning(seed):
    rng = random.Random(seed)
    pages, marked, n = [], [], 1
    for number in range(1, 5):
        lines, page_marked, n = _fuzz_page(rng, n)
        pages.append(Page(number, "\n".join(lines)))
        marked.extend(page_marked)
    raw = RawDocument("fuzz.pdf", "pdf", pages)
    blocks = clean_document(raw)
    out = " ".join(b.text for b in blocks if b.kind != "footnote").split()
    out_counts: dict[str, int] = {}
    for token in out:
        out_counts[token] = out_counts.get(token, 0) + 1
    marked_tokens = {m for m, _ in marked}
    expected: dict[str, int] = {}
    for page in pages:
        for line in page.text.split("\n"):
            if re.match(r"^\d{1,3} Se ", line):
                continue  # a footnote line
            for token in line.split():
                if any(c.isdigit() for c in token) and token not in marked_tokens:
                    expected[token] = expected.get(token, 0) + 1
    changed = {t: (c, out_counts.get(t, 0)) for t, c in expected.items() if out_counts.get(t, 0) < c}
    assert not changed, (seed, changed)
    for token, clean in marked:
        assert token not in out, (seed, token)
        assert clean in out, (seed, token, clean)
    assert sum(b.kind == "footnote" for b in blocks) == n - 1, seed


@pytest.mark.parametrize("seed", range(20))
def test_fuzz_digit_tokens_survive_transcript_footnotes(seed):
    """A transcript page (one line) with its notes glued at the end: only the named markers go."""
    rng = random.Random(1000 + seed)
    sentences = [_sentence(rng) for _ in range(8)]
    text = " ".join(sentences) + " 1 Se rapporten om planen."
    body, notes, _ = footnotes.split_inline(text, 1)
    if notes:
        text = text[:text.rindex(" 1 Se ")]
    before = [t for t in text.split() if any(c.isdigit() for c in t)]
    after = [t for t in body.split() if any(c.isdigit() for c in t)]
    if notes:  # a spaced " 1" after a word may be taken for the marker; nothing else may change
        assert len(before) - len(after) <= 1
        assert all(t in before for t in after)
    else:
        assert after == before


# -- real data: the 419-page budget proposition -----------------------------------------------------------------------
PROP = REAL_PDFS / "prop_1_LS_2025-2026.pdf"


@pytest.fixture(scope="module")
def prop_blocks():
    if not PROP.is_file():
        pytest.skip(f"the budget proposition is not at {PROP} (../shared)")
    from policytekst.read import read_file

    raw = read_file(PROP)
    return raw, clean_document(raw)


def test_prop_numbers_are_not_damaged(prop_blocks):
    raw, blocks = prop_blocks
    text = "\n".join(b.text for b in blocks)
    damaged = re.findall(r"\b(?:[Tt]abell|[Ff]igur|[Bb]oks|[Pp]unkt|[Kk]apittel)\.\d+", text)
    assert damaged == [], damaged[:10]
    assert not re.search(r"\d\.\.\d", text), "a digit between two full stops was removed"
    # every token with a digit in the output was in the raw text (no number was changed, only markers cut)
    from policytekst.clean.unicode import repair

    def strip(token: str) -> str:
        return token.strip(".,;:!?()[]«»”\"'")

    raw_tokens = {strip(t) for p in raw.pages for t in repair(p.text).split()}
    new = {strip(t) for b in blocks for t in b.text.split() if any(c.isdigit() for c in t)} - raw_tokens
    # a number cut short or split ("2.1" -> "2.", "3,2" -> ",2") is a bare number the raw text never had;
    # words joined across a table row by the layout ("18,5-Arbeidsgiveravgift") are another step's business
    cut = sorted(t for t in new if re.fullmatch(r"[\d.,]+", t))
    assert cut == [], cut[:10]


def test_prop_numbered_headings_survive(prop_blocks):
    raw, blocks = prop_blocks
    numbered = [o["title"] for o in raw.facts.get("outline") or []
                if re.match(r"^\d{1,2}(?:\.\d{1,2})+\s+\S", o.get("title") or "")]
    assert len(numbered) > 300
    headings = {" ".join(b.text.split()) for b in blocks if b.kind == "heading"}
    found = sum(" ".join(t.split()) in headings for t in numbered)
    # measured 337 of 339 (0.994) after the fix, 296 (0.873) before
    assert found >= 0.98 * len(numbered), (found, len(numbered))
    # no heading lost the number after its first full stop ("2.1 Innledning" -> "2. Innledning")
    shortened = {re.sub(r"^(\d+)\.\d+(?:\.\d+)*", r"\1.", t) for t in numbered}
    assert not [b.text for b in blocks if b.text in shortened], "a section number was cut"


def test_prop_contents_pages_are_toc_and_leader_tables_stay_text(prop_blocks):
    """The contents (pages 5-14 of the file) are kind toc, never footnotes; the tables set with dot leaders
    after them (bokførte inntekter, satser) are running text, not contents."""
    from policytekst.clean import structure

    raw, blocks = prop_blocks
    toc_pages = {b.page_start for b in blocks if b.kind == "toc"}
    first_body = min(b.page_start for b in blocks if b.kind == "heading" and re.match(r"^1 \S", b.text))
    assert toc_pages and max(toc_pages) < first_body, sorted(toc_pages)
    assert not [b.text[:60] for b in blocks if b.kind == "footnote" and re.search(r"(?:\. ?){4,}", b.text)]
    # pages of the body whose lines are table rows with leaders: their rows are in the text
    from policytekst.clean.unicode import repair

    leader_rows = [line for p in raw.pages[first_body:] for line in repair(p.text).split("\n")
                   if structure.is_toc_entry(line) and structure.toc_entry_page(line) is None]
    assert len(leader_rows) > 100
    from policytekst.clean.reflow import leader_row

    tables = "\n".join(b.text for b in blocks if b.kind == "table")
    kept = sum(1 for line in leader_rows if (leader_row(line) or "?") in tables)
    assert kept >= 0.9 * len(leader_rows), (kept, len(leader_rows))


def test_prop_passages_cite_their_own_section_and_hold_no_flattened_table(prop_blocks):
    """Each passage under a numbered section starts on or after the page where the outline puts that section
    and before the next numbered section starts; body passages never hold a table flattened into prose."""
    from policytekst.segment import segment

    raw, blocks = prop_blocks
    _, passages = segment("prop", blocks)
    starts = {" ".join(o["title"].split()): o["page"] for o in raw.facts["outline"]
              if re.match(r"^\d{1,2}(?:\.\d{1,2})+\s", o.get("title") or "") and o.get("page")}
    checked = wrong = 0
    for passage in passages:
        if passage.kind != "body" or not passage.section:
            continue
        last = passage.section.split(" > ")[-1]
        if last not in starts:
            continue
        checked += 1
        wrong += passage.page_start < starts[last]
    assert checked > 1000 and wrong <= 0.01 * checked, (wrong, checked)
    flattened = [p.passage_id for p in passages if p.kind == "body" and re.search(r"(?:\. ?){6,}\s*-?\d", p.text)]
    assert len(flattened) <= 5, flattened[:5]


# -- endnotes: notes at the end of the document name their markers ---------------------------------------------------
_P = ("Kommunene har valgt ulike løsninger for tjenestene, og de ansatte beskriver arbeidet som krevende fordi "
      "brukerne har sammensatte behov og møter mange etater i løpet av et år.")


def test_endnotes_in_flowing_text_name_their_markers():
    md = "\n\n".join([
        "# Rapport om samordning", "## 1 Innledning",
        _P + " Dette gjelder særlig oppfølging.1 Tabell 1.2 viser tallene for 2006.",
        _P + " Kontorene rapporterte om flere tjenester2 etter § 8-4.", "## 2 Metode", _P + " Vi brukte intervjuer.3",
        "## Noter", "1 Se rapporten fra direktoratet.", "2 Tallene gjelder hele landet.",
        "3 Intervjuene ble tatt opp."])
    blocks = clean_document(RawDocument("r.md", "markdown", [Page(1, md)]))
    text = " ".join(b.text for b in blocks if b.kind != "footnote")
    assert "oppfølging. Tabell 1.2" in text and "flere tjenester etter § 8-4" in text and "intervjuer." in text
    assert [(b.meta["n"], b.text) for b in blocks if b.kind == "footnote"] == [
        (1, "Se rapporten fra direktoratet."), (2, "Tallene gjelder hele landet."), (3, "Intervjuene ble tatt opp.")]


def test_endnotes_in_a_pdf_and_a_notes_section_that_is_not_numbered():
    import textwrap

    def wrap(text: str) -> list[str]:
        return textwrap.wrap(text, 70)

    pages = [["1 Innledning", *wrap(_P), *wrap(_P + " Det gjelder oppfølging.1"), "Slutt på første side."],
             ["2 Drøfting", *wrap(_P + " Flere tjenester2 ble endret i 2006."), "Slutt på andre side her."],
             ["Noter", "1 Se rapporten fra direktoratet om", "kommunene.", "2 Tallene gjelder hele landet."]]
    raw = RawDocument("x.pdf", "pdf", [Page(i, "\n".join(p)) for i, p in enumerate(pages, 1)])
    blocks = clean_document(raw)
    assert [(b.meta.get("n"), b.text) for b in blocks if b.kind == "footnote"] == [
        (1, "Se rapporten fra direktoratet om kommunene."), (2, "Tallene gjelder hele landet.")]
    text = " ".join(b.text for b in blocks if b.kind != "footnote")
    assert "oppfølging." in text and "oppfølging.1" not in text and "tjenester ble endret i 2006" in text
    # a "Noter" section of prose is not a list of endnotes: nothing is cut
    md = "\n\n".join(["# Rapport", _P + " Det var 3 kontorer og oppfølging.1", "## Noter", _P])
    blocks = clean_document(RawDocument("r.md", "markdown", [Page(1, md)]))
    assert not [b for b in blocks if b.kind == "footnote"]
    assert "oppfølging.1" in " ".join(b.text for b in blocks)
