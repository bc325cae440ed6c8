"""Generate small test PDFs in page layouts the reader was not built on, each with a truth file.

Every text here is made up by the project (sentences assembled from word lists below with a fixed seed), so the
PDFs can be committed and their truth is known exactly. Layouts (tests/data/layouts/<name>.pdf + .truth.json):

- twocol_footnotes   two columns; footnotes at the foot of the first column (and of the second), running header
- mixed_abstract     a one-column abstract, then two columns on the same page; later pages two columns
- landscape_table    portrait one-column text, a landscape page holding a ruled table, portrait text again
- gutter_header      two columns; the running header and page number printed in the outer margin, not on top
- textbox            one column with a framed text box in the flow, and a box at the top of a two-column page
- threecol_notes     three columns, footnotes at the foot of the middle column          (held out of tuning)
- unequal_columns    a narrow and a wide column, footnotes in both, no running header   (held out of tuning)
- narrow_gutter_rows two columns 10 pt apart written row by row, footnotes after every second paragraph
                     (added after the reader was finished; failed on first scoring, then fixed)
- landscape_threecol landscape pages set in three columns with footnotes     (held out: scored once, not tuned)
- wide_narrow_rows   a wide and a narrow column written row by row, running header in the outer margin
                     (held out: scored once, not tuned)
- abstract_threecol  a one-column abstract over three columns, footnotes at column feet
                     (added after the reader was finished; failed on first scoring, then fixed)

The truth file holds ``body_text`` (headings, paragraphs, table rows and box text in reading order, paragraphs
separated by a blank line, without running headers, page numbers and footnotes), ``footnotes`` ([{n, text}]),
``n_pages`` and ``held_out`` (true for layouts the reader's rules were not tuned on).

Output is deterministic (fixed seed, creation date and file id), and only the PDF core fonts are used, so the
files stay small and need no font files.

Usage:  python scripts/make_layout_pdfs.py [--out tests/data/layouts]   (needs fpdf2, the "dev" extra)
        python scripts/make_layout_pdfs.py --score [PDF ...]   body word F1 and word-trigram F1 of each committed
        layout (or of the PDFs given, each beside its .truth.json) through the whole pipeline: ingest, then
        Corpus.text(doc_id); needs no fpdf2
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import random
import re
from dataclasses import dataclass, field
from pathlib import Path

from policytekst.textmetrics import bag_f1, trigrams

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "tests" / "data" / "layouts"
HELD_OUT = ("threecol_notes", "unequal_columns", "narrow_gutter_rows", "abstract_threecol", "landscape_threecol",
            "wide_narrow_rows")

# -- made-up Norwegian text ------------------------------------------------------------------------------------
SUBJECTS = ["Kommunen", "Nav-kontoret", "Utvalget", "Departementet", "Fylkeslegen", "Saksbehandleren",
            "Tjenesten", "Prosjektgruppa", "Helseforetaket", "Ledelsen", "Brukerrådet", "Styringsgruppa",
            "Direktoratet", "Bydelen", "Arbeidsgiveren", "Veilederen", "Kontrollutvalget", "Sekretariatet"]
VERBS = ["vurderer", "beskriver", "endrer", "styrker", "begrenser", "følger opp", "etterlyser", "prioriterer",
         "kartlegger", "samordner", "finansierer", "evaluerer", "utsetter", "forenkler", "dokumenterer"]
OBJECTS = ["tilbudet til unge mottakere", "samarbeidet mellom etatene", "kravene til rapportering",
           "brukernes medvirkning", "ventetiden for vedtak", "tiltakene for langtidsledige",
           "budsjettet for neste periode", "rutinene for tilsyn", "ansvaret for oppfølgingen",
           "kvaliteten i saksbehandlingen", "ordningen med individuell plan", "opplæringen av nye ledere",
           "fordelingen av midler", "kontakten med pårørende", "bruken av digitale skjema"]
ADVERBIALS = ["i løpet av året", "etter høringen", "uten ekstra ressurser", "i tråd med målene",
              "for tredje gang", "på tvers av sektorene", "i flere distrikter", "med støtte fra fylket",
              "etter en lang prosess", "innenfor dagens rammer", "fra neste høst", "i samråd med brukerne"]
OPENERS = ["Samtidig", "Likevel", "Derfor", "I tillegg", "Etter dette", "Som følge av dette", "Ofte",
           "I praksis", "Over tid", "Av den grunn"]
TOPICS = ["Bakgrunn", "Metode og data", "Funn fra intervjuene", "Styring og samordning", "Økonomi",
          "Drøfting", "Brukernes erfaringer", "Avslutning", "Organisering", "Videre arbeid"]
CELLS = ["Oslo", "Bergen", "Tromsø", "Bodø", "Hamar", "Molde", "Skien", "Alta", "Lillestrøm", "Førde"]


def sentence(rng: random.Random) -> str:
    verb_first = rng.random() < 0.4
    subject, verb = rng.choice(SUBJECTS), rng.choice(VERBS)
    obj, adverbial = rng.choice(OBJECTS), rng.choice(ADVERBIALS)
    if verb_first:  # Norwegian V2: an opener moves the subject behind the verb
        return f"{rng.choice(OPENERS)} {verb} {subject.lower()} {obj} {adverbial}."
    return f"{subject} {verb} {obj} {adverbial}."


def paragraph(rng: random.Random, n: tuple[int, int] = (3, 6)) -> str:
    return " ".join(sentence(rng) for _ in range(rng.randint(*n)))


# -- content model ---------------------------------------------------------------------------------------------
@dataclass
class Item:
    kind: str  # heading | para | box | table
    text: str = ""
    notes: dict[int, str] = field(default_factory=dict)  # footnote number -> text, marker after the sentence
    rows: list[list[str]] = field(default_factory=list)
    paras: list[str] = field(default_factory=list)  # box paragraphs


class Notes:
    """Hands out footnote numbers in document order and puts a marker after a sentence of a paragraph."""

    def __init__(self, rng: random.Random) -> None:
        self.rng, self.next = rng, 1

    def attach(self, text: str) -> tuple[str, dict[int, str]]:
        sentences = text.split(". ")
        at = self.rng.randrange(max(1, len(sentences) - 1))
        n = self.next
        self.next += 1
        # the marker follows the full stop of one sentence, as Norwegian style puts it ("... i fjor.3")
        sentences[at] = sentences[at].rstrip(".") + f".{{fn{n}}}"
        note = f"Se også {self.rng.choice(OBJECTS)} {self.rng.choice(ADVERBIALS)}, side {self.rng.randint(5, 90)}."
        if self.rng.random() < 0.5:
            note += " " + sentence(self.rng)
        text = " ".join(s if s.endswith("}") or i == len(sentences) - 1 else s + "." for i, s in enumerate(sentences))
        return text, {n: note}


def plain(text: str) -> str:
    """Running text without footnote markers (what the truth holds)."""
    return re.sub(r"\{fn\d+\}", "", text)


# -- typesetting -----------------------------------------------------------------------------------------------
@dataclass
class Frame:
    x: float
    top: float
    width: float
    bottom: float


class Typesetter:
    """Fills frames (columns) with headings, paragraphs and boxes; footnotes go to the foot of their frame."""

    BODY, NOTE, LEAD, NOTE_LEAD = 10.0, 7.5, 13.0, 9.5

    def __init__(self, name: str, header: str | None, margin_header: bool = False, row_order: bool = False) -> None:
        from fpdf import FPDF

        self.pdf = FPDF(unit="pt", format="A4")
        self.pdf.set_auto_page_break(False)
        self.pdf.set_creation_date(dt.datetime(2031, 3, 1, 12, 0, tzinfo=dt.UTC))
        digest = hashlib.md5(name.encode()).hexdigest().upper()  # noqa: S324 - an id, not security
        self.pdf.file_id = lambda: f"<{digest}><{digest}>"
        self.pdf.set_title(f"Testoppsett {name}")
        self.header, self.margin_header = header, margin_header
        self.ops: list | None = [] if row_order else None
        self.orientation = "P"
        self.frames: list[Frame] = []
        self.frame_notes: list[tuple[int, str]] = []
        self.y = 0.0
        self.reserved = 0.0
        self.page_no = 0
        self.layouts: list[list[Frame]] = []  # queued page layouts; the last one repeats

    # pages and frames
    def columns(self, n: int, widths: list[float] | None = None, gutter: float = 18, top: float = 70,
                bottom: float = 780, left: float = 60, right: float = 535) -> list[Frame]:
        total = right - left - gutter * (n - 1)
        widths = widths or [1 / n] * n
        frames, x = [], left
        for w in widths:
            frames.append(Frame(x, top, total * w, bottom))
            x += total * w + gutter
        return frames

    def put(self, x: float, y: float, text: str, family: str, style: str, size: float,
            row: float | None = None) -> None:
        """Write text at (x, baseline y). With ``row_order`` the page's text is written when the page is done,
        row by row across its columns (``row``: the baseline of the line a raised marker belongs to), as some
        producers do, so the file's order is not the reading order."""
        if self.ops is None:
            self.pdf.set_font(family, style, size)
            self.pdf.text(x, y, text)
        else:
            self.ops.append((round(y if row is None else row, 1), x, y, text, family, style, size))

    def flush_ops(self) -> None:
        if self.ops:
            for _, x, y, text, family, style, size in sorted(self.ops, key=lambda op: (op[0], op[1])):
                self.pdf.set_font(family, style, size)
                self.pdf.text(x, y, text)
            self.ops.clear()

    def new_page(self, orientation: str = "P") -> None:
        if self.page_no:
            self.flush_ops()
        self.pdf.add_page(orientation=orientation)
        self.page_no += 1
        self.frames = []
        if self.header is None:
            return
        if self.margin_header:
            # the running header and page number in the outer margin, level with the top of the text
            outer_x = 8 if self.page_no % 2 == 0 else 545
            # (short enough to fit the margin: the title's first two words and the page number)
            for k, word in enumerate([*self.header.split()[:2], str(self.page_no)]):
                self.put(outer_x, 90 + 10 * k, word, "Helvetica", "", 8)
        else:
            self.put(60, 45, self.header, "Helvetica", "", 8)
            self.put(520, 45, str(self.page_no), "Helvetica", "", 8)
            self.pdf.line(60, 50, 535, 50)

    def start(self, frames: list[Frame], orientation: str = "P") -> None:
        self.flush_notes()
        self.new_page(orientation)
        self.frames = list(frames)
        self.next_frame(first=True)

    def below(self, frames: list[Frame]) -> None:
        """Continue on the same page in new frames (columns under a one-column part)."""
        self.flush_notes()
        self.frames = list(frames)
        self.next_frame(first=True)

    def next_frame(self, first: bool = False) -> None:
        if not first:
            self.flush_notes()
            self.frames.pop(0)
            if not self.frames:
                self.start(self.layouts[0] if len(self.layouts) == 1 else self.layouts.pop(0), self.orientation)
                return
        self.y = self.frames[0].top
        self.reserved = 0.0

    @property
    def frame(self) -> Frame:
        return self.frames[0]

    def room(self) -> float:
        return self.frame.bottom - self.reserved - self.y

    # text
    def wrap(self, text: str, width: float, size: float, style: str = "", family: str = "Times") -> list[str]:
        self.pdf.set_font(family, style, size)
        lines, line = [], ""
        for word in text.split():
            trial = f"{line} {word}" if line else word
            if self.pdf.get_string_width(plain(trial)) <= width or not line:
                line = trial
            else:
                lines.append(line)
                line = word
        if line:
            lines.append(line)
        return lines

    def draw_line(self, x: float, y: float, line: str, size: float, style: str = "") -> None:
        """One line; a footnote marker {fnN} is drawn raised and smaller, as its own text object."""
        for part in re.split(r"(\{fn\d+\})", line):
            if not part:
                continue
            marker = re.fullmatch(r"\{fn(\d+)\}", part)
            if marker:
                self.put(x, y - size * 0.35, marker.group(1), "Times", "", size * 0.6, row=y)
                self.pdf.set_font("Times", "", size * 0.6)
                x += self.pdf.get_string_width(marker.group(1))
            else:
                self.put(x, y, part, "Times", style, size)
                self.pdf.set_font("Times", style, size)
                x += self.pdf.get_string_width(part)

    def note_height(self, text: str) -> float:
        return len(self.wrap(f"99 {text}", self.frame.width, self.NOTE)) * self.NOTE_LEAD

    def heading(self, text: str) -> None:
        if self.room() < self.LEAD * 4:
            self.next_frame()
        self.y += 6
        for line in self.wrap(text, self.frame.width, 12, "B"):
            self.y += self.LEAD
            self.draw_line(self.frame.x, self.y, line, 12, "B")
        self.y += 4

    def para(self, text: str, notes: dict[int, str]) -> None:
        if self.room() < self.LEAD * 2:
            self.next_frame()
        words = text.split()
        while words:
            # wrap what is left to the current frame's width (columns may differ in width)
            line = self.wrap(" ".join(words), self.frame.width, self.BODY)[0]
            new = [int(n) for n in re.findall(r"\{fn(\d+)\}", line)]
            need = self.LEAD + sum(self.note_height(notes[n]) for n in new) + (8 if new and not self.frame_notes else 0)
            if self.room() < need:
                self.next_frame()
                continue
            words = words[len(line.split()):]
            self.y += self.LEAD
            self.draw_line(self.frame.x, self.y, line, self.BODY)
            if new:
                self.reserved += need - self.LEAD
                self.frame_notes.extend((n, notes[n]) for n in new)
        self.y += 5

    def flush_notes(self) -> None:
        """Footnotes at the foot of the current frame, under a short rule."""
        if not self.frame_notes:
            return
        frame = self.frame
        height = sum(self.note_height(t) for _, t in self.frame_notes)
        y = frame.bottom - height
        self.pdf.line(frame.x, y - 4, frame.x + 60, y - 4)
        for n, text in self.frame_notes:
            for line in self.wrap(f"{n} {text}", frame.width, self.NOTE):
                y += self.NOTE_LEAD
                self.put(frame.x, y - 2, line, "Times", "", self.NOTE)
        self.frame_notes = []

    def box(self, title: str, paras: list[str]) -> None:
        size, lead = 9.0, 11.5
        lines = [(line, "B") for line in self.wrap(title, self.frame.width - 16, size, "B", "Helvetica")]
        for p in paras:
            lines += [(line, "") for line in self.wrap(p, self.frame.width - 16, size, "", "Helvetica")] + [("", "")]
        height = len(lines) * lead + 12
        if self.room() < height:
            self.next_frame()
        self.pdf.set_fill_color(230, 230, 230)
        self.pdf.rect(self.frame.x, self.y + 4, self.frame.width, height, style="DF")
        y = self.y + 6
        for line, style in lines:
            y += lead
            if line:
                self.put(self.frame.x + 8, y, line, "Helvetica", style, size)
        self.y += height + 10

    def table(self, caption: str, rows: list[list[str]]) -> None:
        widths = [self.frame.width * w for w in (0.34, 0.22, 0.22, 0.22)]
        if self.room() < (len(rows) + 2) * 16:
            self.next_frame()
        self.heading(caption)
        for r, row in enumerate(rows):
            self.y += 16
            x = self.frame.x
            for cell, w in zip(row, widths, strict=True):
                self.put(x + 3, self.y, cell, "Helvetica", "B" if r == 0 else "", 9)
                x += w
            self.pdf.line(self.frame.x, self.y + 4, self.frame.x + self.frame.width, self.y + 4)
        self.y += 12

    def flow(self, items: list[Item]) -> None:
        for item in items:
            getattr(self, item.kind)(*{
                "heading": lambda i: (i.text,), "para": lambda i: (i.text, i.notes),
                "box": lambda i: (i.text, i.paras), "table": lambda i: (i.text, i.rows),
            }[item.kind](item))

    def finish(self) -> bytes:
        self.flush_notes()
        self.flush_ops()
        return bytes(self.pdf.output())


# -- documents -------------------------------------------------------------------------------------------------
def body_items(rng: random.Random, notes: Notes, sections: int, paras: tuple[int, int], note_every: int,
               number_from: int = 1) -> list[Item]:
    items: list[Item] = []
    count = 0
    for s in range(sections):
        items.append(Item("heading", f"{number_from + s} {TOPICS[(number_from + s) % len(TOPICS)]}"))
        for _ in range(rng.randint(*paras)):
            text, note = paragraph(rng), {}
            count += 1
            if note_every and count % note_every == 0:
                text, note = notes.attach(text)
            items.append(Item("para", text, note))
    return items


def truth_of(items: list[Item]) -> tuple[str, list[dict]]:
    paras, footnotes = [], []
    for item in items:
        if item.kind in ("heading", "para"):
            paras.append(plain(item.text))
            footnotes += [{"n": n, "text": t} for n, t in sorted(item.notes.items())]
        elif item.kind == "box":
            paras += [item.text, *item.paras]
        elif item.kind == "table":
            paras += [item.text, *(" ".join(row) for row in item.rows)]
    return "\n\n".join(paras), footnotes


def table_rows(rng: random.Random) -> list[list[str]]:
    rows = [["Kommune", "Søkere 2029", "Søkere 2030", "Endring"]]
    for town in rng.sample(CELLS, 8):
        a, b = rng.randint(120, 990), rng.randint(120, 990)
        rows.append([town, str(a), str(b), f"{(b - a) / a * 100:.1f}"])
    return rows


def build(name: str) -> tuple[bytes, dict]:
    """Typeset one layout; returns (PDF bytes, truth)."""
    rng = random.Random(f"layout-{name}")
    notes = Notes(rng)
    header = "Rapport 7/2031 Levekår ved kysten"
    ts = Typesetter(name, None if name == "unequal_columns" else header, margin_header=name == "gutter_header",
                    row_order=name == "gutter_header")
    if name in ("twocol_footnotes", "gutter_header", "threecol_notes", "unequal_columns"):
        n_cols = 3 if name == "threecol_notes" else 2
        widths = [0.36, 0.64] if name == "unequal_columns" else None
        ts.layouts = [ts.columns(n_cols, widths=widths, gutter=14 if n_cols == 3 else 18)]
        items = body_items(rng, notes, 10 if name == "gutter_header" else 9, (3, 4),
                           note_every=0 if name == "gutter_header" else 3)
        ts.start(ts.layouts[0])
        ts.flow(items)
    elif name == "narrow_gutter_rows":
        ts = Typesetter(name, header, row_order=True)
        ts.layouts = [ts.columns(2, gutter=10)]
        items = body_items(rng, notes, 9, (3, 4), note_every=2)
        ts.start(ts.layouts[0])
        ts.flow(items)
    elif name == "landscape_threecol":
        ts.layouts = [ts.columns(3, gutter=16, right=782, bottom=540)]
        items = body_items(rng, notes, 9, (3, 4), note_every=3)
        ts.orientation = "L"  # the pages that follow are landscape too
        ts.start(ts.layouts[0], orientation="L")
        ts.flow(items)
    elif name == "wide_narrow_rows":
        ts = Typesetter(name, header, margin_header=True, row_order=True)
        ts.layouts = [ts.columns(2, widths=[0.62, 0.38], gutter=16)]
        items = body_items(rng, notes, 8, (3, 4), note_every=3)
        ts.start(ts.layouts[0])
        ts.flow(items)
    elif name == "abstract_threecol":
        abstract = [Item("heading", "Sammendrag"), Item("para", paragraph(rng, (5, 7)))]
        rest = body_items(rng, notes, 9, (3, 4), note_every=3)
        ts.layouts = [ts.columns(3, gutter=14)]
        ts.start([Frame(60, 70, 475, 780)])
        ts.flow(abstract)
        ts.below(ts.columns(3, gutter=14, top=ts.y + 12))
        ts.flow(rest)
        items = abstract + rest
    elif name == "mixed_abstract":
        abstract = [Item("heading", "Sammendrag"), *(Item("para", paragraph(rng, (4, 6))) for _ in range(2))]
        rest = body_items(rng, notes, 8, (3, 4), note_every=3)
        ts.layouts = [ts.columns(2)]
        ts.start([Frame(60, 70, 475, 780)])
        ts.flow(abstract)
        ts.below(ts.columns(2, top=ts.y + 12))  # the two columns start under the abstract
        ts.flow(rest)
        items = abstract + rest
    elif name == "landscape_table":
        first = body_items(rng, notes, 2, (3, 4), note_every=3)
        lead_in = Item("para", paragraph(rng, (2, 3)))
        table = Item("table", "Tabell 2.1 Søkere etter kommune", rows=table_rows(rng))
        rest = body_items(rng, notes, 2, (3, 4), note_every=3, number_from=3)
        ts.layouts = [ts.columns(1)]
        ts.start(ts.columns(1))
        ts.flow(first)
        ts.start([Frame(60, 70, 722, 540)], orientation="L")
        ts.flow([lead_in, table])
        ts.start(ts.columns(1))
        ts.flow(rest)
        items = first + [lead_in, table] + rest
    elif name == "textbox":
        first = body_items(rng, notes, 2, (2, 3), note_every=0)
        first.insert(3, Item("box", "Boks 1.1 Hva er en individuell plan?", paras=[paragraph(rng, (2, 3))]))
        box2 = Item("box", "Boks 2.1 Tre råd fra brukerrådet", paras=[paragraph(rng, (1, 2)) for _ in range(2)])
        more = body_items(rng, notes, 5, (3, 4), note_every=0, number_from=3)
        ts.layouts = [ts.columns(2)]
        ts.start(ts.columns(1))
        ts.flow(first)
        ts.start([Frame(60, 70, 475, 780)])  # a box across both columns at the top of a two-column page
        ts.flow([box2])
        ts.below(ts.columns(2, top=ts.y))
        ts.flow(more)
        items = first + [box2] + more
    else:
        raise ValueError(name)
    pdf = ts.finish()
    return pdf, _truth(name, items, ts)


def _truth(name: str, items: list[Item], ts: Typesetter) -> dict:
    body, footnotes = truth_of(items)
    return {"name": name, "held_out": name in HELD_OUT, "n_pages": ts.page_no, "body_text": body,
            "footnotes": footnotes}


LAYOUTS = ("twocol_footnotes", "mixed_abstract", "landscape_table", "gutter_header", "textbox", *HELD_OUT)


def words(text: str) -> list[str]:
    return re.findall(r"\w+(?:[-'’]\w+)*", text)


def score(pdfs: list[Path]) -> list[dict]:
    """Ingest each PDF into a scratch corpus and compare Corpus.text(doc_id) with its truth's body_text."""
    import tempfile

    from policytekst import Corpus

    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        corpus = Corpus(Path(tmp) / "corpus", create=True)
        try:
            corpus.ingest(pdfs, progress=False)
            by_path = {Path(d.path).name: d.doc_id for d in corpus.documents()}
            for pdf in pdfs:
                truth = json.loads(pdf.with_suffix(".truth.json").read_text(encoding="utf-8"))
                pred, gold = words(corpus.text(by_path[pdf.name])), words(truth["body_text"])
                rows.append({"name": pdf.stem, "held_out": truth.get("held_out", False),
                             "word_f1": round(bag_f1(pred, gold), 4),
                             "trigram_f1": round(bag_f1(trigrams(pred), trigrams(gold)), 4)})
        finally:
            corpus.close()
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--score", nargs="*", type=Path, default=None, metavar="PDF")
    args = parser.parse_args(argv)
    if args.score is not None:
        for row in score(args.score or [OUT / f"{name}.pdf" for name in LAYOUTS]):
            print(f"{row['name']:<20} word F1 {row['word_f1']:.4f}  trigram F1 {row['trigram_f1']:.4f}"
                  + ("  (held out)" if row["held_out"] else ""))
        return 0
    args.out.mkdir(parents=True, exist_ok=True)
    for name in LAYOUTS:
        pdf, truth = build(name)
        (args.out / f"{name}.pdf").write_bytes(pdf)
        (args.out / f"{name}.truth.json").write_text(json.dumps(truth, ensure_ascii=False, indent=1) + "\n",
                                                     encoding="utf-8")
        print(f"{name}: {truth['n_pages']} pages, {len(truth['body_text'].split())} words, "
              f"{len(truth['footnotes'])} footnotes")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
