"""Draw the passages to label for the theme task (issue 13) from ../shared, stratified, and write ids only.

Units:
- Storting questions: one question text (CSV column ``question``) of at least 20 words; id ``st:<docId>``,
  offsets 0..len(question). Group = the question (each question is its own document).
- Seed captures: windows of about 90-220 words cut at sentence ends in the raw file; id ``seed:<file>:<start>``,
  group = the file. The 208 spans of tests/data/theme_dev_labels.jsonl are included as they are (to be re-labelled).

Strata per main theme: codebook hits (strong and weak: positives and hard negatives), keyword-free candidates (the
shipped model's probability high while the codebook finds nothing: paraphrase positives), plus a random draw.
Writes labels/themes/pool.jsonl (source, doc, start, end, sha1, stratum, batch). With ``--view DIR`` it also writes
one text file per batch for the readers (text stays outside the repository).

    python scripts/theme_labels/make_pool.py --shared ../shared --seed 0 --view /tmp/labelpool
"""
from __future__ import annotations

import argparse
import hashlib
import json
import random
import re
from pathlib import Path
from typing import NamedTuple

import pandas as pd

from policytekst.themes import Codebook, default_model

MAIN = ["npm", "brukermedvirkning", "kasteball", "samordning", "arbeidslinja"]
ROOT = Path(__file__).resolve().parents[2]
SENTENCE_END = re.compile(r"[.!?:]\s")


def sha(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:12]


def storting_units(shared: Path) -> list[dict]:
    frame = pd.read_csv(shared / "data/storting_questions/storting_questions_1996_2015.csv.gz",
                        usecols=["docId", "question", "year", "type"])
    out = []
    for row in frame.itertuples(index=False):
        text = row.question if isinstance(row.question, str) else ""
        if len(text.split()) < 20 or pd.isna(row.docId):
            continue
        doc = str(int(row.docId))
        out.append({"source": "storting", "doc": doc, "start": 0, "end": len(text), "sha1": sha(text),
                    "text": text, "year": int(row.year)})
    # docIds repeat across source files; keep the first of each id
    seen, unique = set(), []
    for unit in out:
        if unit["doc"] not in seen:
            seen.add(unit["doc"])
            unique.append(unit)
    return unique


def seed_units(shared: Path, dev: list[dict]) -> list[dict]:
    out = []
    for path in sorted((shared / "corpus/seeds").glob("*.txt")):
        raw = path.read_text(encoding="utf-8")
        taken = [(r["start"], r["end"]) for r in dev if r["file"] == path.name]
        for r in dev:
            if r["file"] == path.name:
                span = raw[r["start"]:r["end"]]
                out.append({"source": "seed", "doc": path.name, "start": r["start"], "end": r["end"],
                            "sha1": sha(span), "text": span, "dev": True})
        pos = 0
        while pos < len(raw):
            words = 0
            end = pos
            for m in re.finditer(r"\S+", raw[pos:]):
                words += 1
                end = pos + m.end()
                if words >= 90 and SENTENCE_END.match(raw, end - 1) or words >= 220:
                    break
            span = raw[pos:end]
            if len(span.split()) >= 60 and not any(s < end and pos < e for s, e in taken):
                out.append({"source": "seed", "doc": path.name, "start": pos, "end": end, "sha1": sha(span),
                            "text": span})
            pos = end + 1
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--per-theme-hits", type=int, default=170)
    ap.add_argument("--per-theme-free", type=int, default=50)
    ap.add_argument("--random", type=int, default=200)
    ap.add_argument("--batches", type=int, default=2)
    ap.add_argument("--view", type=Path)
    ap.add_argument("--extend", type=int, choices=sorted(ROUNDS),
                    help="add a later round of units for the rare themes to the existing pool")
    args = ap.parse_args()
    if args.extend:
        extend(args)
        return
    rng = random.Random(args.seed)
    dev = [json.loads(x) for x in (ROOT / "tests/data/theme_dev_labels.jsonl").read_text().splitlines() if x]
    units = storting_units(args.shared) + seed_units(args.shared, dev)
    texts = [" ".join(u["text"].split()) for u in units]
    book = Codebook.default()
    code = [book.score(t) for t in texts]
    proba = default_model().predict_proba(texts)
    chosen: dict[int, str] = {i: "dev" for i, u in enumerate(units) if u.get("dev")}
    for j, theme in enumerate(MAIN):
        hits = [i for i in range(len(units)) if code[i][theme] > 0 and i not in chosen]
        rng.shuffle(hits)
        # half from each source where possible so both genres carry hard negatives
        by_source = {s: [i for i in hits if units[i]["source"] == s] for s in ("storting", "seed")}
        half = args.per_theme_hits // 2
        pick = by_source["seed"][:half]
        pick += by_source["storting"][: args.per_theme_hits - len(pick)]
        for i in pick:
            chosen.setdefault(i, f"hit:{theme}")
        free = [i for i in range(len(units)) if code[i][theme] == 0 and proba[i, j] >= 0.05 and i not in chosen]
        free.sort(key=lambda i: -proba[i, j])
        top = free[: args.per_theme_free * 3]
        rng.shuffle(top)
        for i in top[: args.per_theme_free]:
            chosen.setdefault(i, f"free:{theme}")
    rest = [i for i in range(len(units)) if i not in chosen]
    rng.shuffle(rest)
    for i in rest[: args.random]:
        chosen[i] = "random"
    order = sorted(chosen)
    rng.shuffle(order)
    rows = []
    for n, i in enumerate(order):
        u = units[i]
        rows.append({"id": f"p{n:04d}", "source": u["source"], "doc": u["doc"], "start": u["start"],
                     "end": u["end"], "sha1": u["sha1"], "stratum": chosen[i], "batch": "ABC"[n % args.batches]})
    out = ROOT / "labels/themes/pool.jsonl"
    out.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    print(f"{len(rows)} units -> {out}")
    print(pd.Series([r["stratum"].split(":")[0] for r in rows]).value_counts().to_string())
    print(pd.Series([r["source"] for r in rows]).value_counts().to_string())
    if args.view:
        args.view.mkdir(parents=True, exist_ok=True)
        text_of = {f"p{n:04d}": " ".join(units[i]["text"].split()) for n, i in enumerate(order)}
        for batch in sorted({r["batch"] for r in rows}):
            lines = [f"[{r['id']}] {text_of[r['id']]}\n" for r in rows if r["batch"] == batch]
            (args.view / f"batch_{batch}.txt").write_text("\n".join(lines), encoding="utf-8")
        # the second reading: 270 units spread over the batches and strata, blind to the first readers
        second = rng.sample([r["id"] for r in rows], 270)
        (args.view / "second.txt").write_text(
            "\n".join(f"[{i}] {text_of[i]}\n" for i in sorted(second)), encoding="utf-8")
        (ROOT / "labels/themes/second_reading_ids.txt").write_text("\n".join(sorted(second)) + "\n")


# Second round (the first left kasteball and brukermedvirkning far below 150 positives). Broad recall patterns
# written for sampling only (wider than the codebook, so paraphrases and look-alikes come in); labels are still made
# by reading.
BROAD = {
    "kasteball": r"kasteball|mellom to stoler|fram og tilbake|frem og tilbake|ingen tar ansvar|ingen vil ta ansvar|"
                 r"gråsone|ansvarsfraskrivelse|faller utenfor|blir sendt|henvis|ingen instans|skyve|pulveris",
    "brukermedvirkning": r"medvirk|medverk|brukerstyrt|brukarstyrt|brukerråd|brukarråd|representant|hørt|høyrd|"
                         r"medbestemm|selvbestemm|brukerorganisasjon|elevråd|innflytelse|perspektiv",
    "arbeidslinja": r"arbeidslinj|aktivitetsplikt|i arbeid|tilbake til arbeid|kvalifiseringsprogram|attføring|"
                    r"arbeidsrettede|tiltaksplass|lønnstilskudd|introduksjonsprogram|ut i arbeid|arbeidsavklaring",
    "npm": r"konkurranseutsett|anbud|helseforetak|innsatsstyrt|stykkpris|fritt sykehusvalg|privatiser|bestiller|"
           r"resultatstyring|målstyring|kommersiell|marked",
}
# wider patterns added in a later round (the earlier rounds keep theirs, so each round can be re-drawn)
BROAD_LATER = {3: {"brukermedvirkning": r"pasientorganisasjon|pårørende|involver|påvirke|egen sak|brukerundersøk|BPA"}}


class Round(NamedTuple):
    """One later round of units: per-theme quotas, where they come from, and the reading batches they go to."""

    quotas: dict[str, int]
    batches: str
    all_seeds: bool = False  # take every remaining seed window
    # where the first half of each quota comes from: "broad" patterns, the codebook's own hits, or "" (none: the
    # whole quota is the shipped model's top-ranked units, as the second half always is)
    first_half: str = "broad"
    random: int = 0  # plus this many unread Storting questions drawn at random (an unbiased sample of the rest)


ROUNDS = {
    2: Round({"kasteball": 160, "brukermedvirkning": 200, "arbeidslinja": 90, "npm": 70}, "CD", all_seeds=True),
    # the third: the second still left brukermedvirkning, kasteball and arbeidslinja under 150 positives
    3: Round({"kasteball": 100, "brukermedvirkning": 160, "arbeidslinja": 160}, "EF"),
    # the fourth: Storting questions for the themes whose positives came mostly from one thesis (samordning: 27 of
    # 272 in Storting questions) or whose Storting figures were weakest (npm); every unread codebook hit of
    # brukermedvirkning and kasteball had been read by then
    4: Round({"samordning": 200, "npm": 160, "arbeidslinja": 40}, "GH", first_half="codebook"),
    # the fifth: further down the model's ranking for every theme, and a random sample of the unread rest, which
    # estimates how many positives are left (scripts/theme_labels/remaining.py)
    5: Round({"brukermedvirkning": 120, "kasteball": 120, "samordning": 120, "npm": 80, "arbeidslinja": 80}, "IJKL",
             first_half="", random=300),
    # the sixth: a larger random sample of the unread rest, to bound what a reading of all of it could find
    6: Round({}, "MNOPQ", first_half="", random=1000),
}


def extend(args: argparse.Namespace) -> None:
    quotas, batches, all_seeds, first_half, n_random = ROUNDS[args.extend]
    rng = random.Random(args.seed + args.extend - 1)
    path = ROOT / "labels/themes/pool.jsonl"
    rows = [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines() if x]
    if any(r["batch"] in batches for r in rows):
        raise SystemExit(f"{path}: round {args.extend} is already in the pool")
    taken = {(r["source"], r["doc"], r["start"]) for r in rows}
    dev = [json.loads(x) for x in (ROOT / "tests/data/theme_dev_labels.jsonl").read_text().splitlines() if x]
    units = [u for u in storting_units(args.shared) + seed_units(args.shared, dev)
             if (u["source"], u["doc"], u["start"]) not in taken and not u.get("dev")]
    texts = [" ".join(u["text"].split()) for u in units]
    proba = default_model().predict_proba(texts)
    tag = f"r{args.extend}"
    chosen: dict[int, str] = {i: f"{tag}:seed" for i, u in enumerate(units) if all_seeds and u["source"] == "seed"}
    book = Codebook.default()
    for theme, quota in quotas.items():
        j = MAIN.index(theme)
        found: list[int] = []
        if first_half == "broad":
            wider = [BROAD_LATER[r][theme] for r in BROAD_LATER if r <= args.extend and theme in BROAD_LATER[r]]
            pattern = re.compile("|".join([BROAD[theme], *wider]), re.IGNORECASE)
            found = [i for i, t in enumerate(texts) if pattern.search(t) and i not in chosen]
        elif first_half == "codebook":
            found = [i for i, t in enumerate(texts) if i not in chosen and book.score(t)[theme] > 0]
        rng.shuffle(found)
        for i in found[: quota // 2 if first_half else 0]:
            chosen.setdefault(i, f"{tag}{first_half}:{theme}")
        ranked = sorted((i for i in range(len(units)) if i not in chosen), key=lambda i: -proba[i, j])
        for i in ranked[: quota - quota // 2 if first_half else quota]:
            chosen.setdefault(i, f"{tag}model:{theme}")
    rest = [i for i in range(len(units)) if i not in chosen and units[i]["source"] == "storting"]
    rng.shuffle(rest)
    for i in rest[:n_random]:
        chosen[i] = f"{tag}random"
    order = sorted(chosen)
    rng.shuffle(order)
    new = []
    for n, i in enumerate(order, start=len(rows)):
        u = units[i]
        new.append({"id": f"p{n:04d}", "source": u["source"], "doc": u["doc"], "start": u["start"], "end": u["end"],
                    "sha1": u["sha1"], "stratum": chosen[i], "batch": batches[n % len(batches)]})
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows + new), encoding="utf-8")
    print(f"{len(new)} units added -> {path}")
    print(pd.Series([r["stratum"] for r in new]).value_counts().to_string())
    if args.view:
        args.view.mkdir(parents=True, exist_ok=True)
        text_of = {r["id"]: texts[i] for r, i in zip(new, order, strict=True)}
        for batch in batches:
            lines = [f"[{r['id']}] {text_of[r['id']]}\n" for r in new if r["batch"] == batch]
            (args.view / f"batch_{batch}.txt").write_text("\n".join(lines), encoding="utf-8")


if __name__ == "__main__":
    main()
