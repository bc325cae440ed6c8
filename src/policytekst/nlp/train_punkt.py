"""Train the Punkt sentence-boundary statistics offline and save them as a data file.

Only statistics ship (abbreviation types, collocations, frequent sentence starters, and how often each word
type is seen capitalised or lower-case at and after sentence starts), never sentences. Usage::

    python -m policytekst.nlp.train_punkt TEXT_FILE_OR_DIR... [--out src/policytekst/nlp/data/punkt_nb.json.gz]
"""

from __future__ import annotations

import argparse
import gzip
import json
from pathlib import Path

from nltk.tokenize.punkt import PunktParameters, PunktTrainer

from policytekst.nlp.resources import data_path

PARAMS_FILE = "punkt_nb.json.gz"
# Word types seen fewer times than this are dropped from the shipped orthographic context: rare words carry
# little evidence and would only make the file large.
MIN_TYPE_COUNT = 2


def train(texts: list[str]) -> tuple[PunktParameters, dict[str, int]]:
    trainer = PunktTrainer()
    trainer.INCLUDE_ALL_COLLOCS = False
    trainer.INCLUDE_ABBREV_COLLOCS = True
    for text in texts:
        trainer.train(text, finalize=False)
    trainer.finalize_training()
    return trainer.get_params(), dict(trainer._type_fdist)


def params_to_json(params: PunktParameters, type_counts: dict[str, int]) -> dict:
    ortho = {w: flags for w, flags in params.ortho_context.items()
             if type_counts.get(w, 0) + type_counts.get(w + ".", 0) >= MIN_TYPE_COUNT and not w.isdigit()}
    return {
        "abbrev_types": sorted(params.abbrev_types),
        "collocations": sorted([a, b] for a, b in params.collocations),
        "sent_starters": sorted(params.sent_starters),
        "ortho_context": dict(sorted(ortho.items())),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="+", type=Path)
    parser.add_argument("--out", type=Path, default=data_path(PARAMS_FILE))
    args = parser.parse_args()
    files = [f for p in args.paths for f in (sorted(p.glob("*.txt")) if p.is_dir() else [p])]
    texts = [f.read_text(encoding="utf-8", errors="replace") for f in files]
    params, counts = train(texts)
    payload = params_to_json(params, counts)
    with gzip.open(args.out, "wt", encoding="utf-8") as handle:
        json.dump(payload, handle, ensure_ascii=False, separators=(",", ":"))
    print(f"{args.out}: {len(payload['abbrev_types'])} abbreviation types, "
          f"{len(payload['collocations'])} collocations, {len(payload['sent_starters'])} sentence starters, "
          f"{len(payload['ortho_context'])} word types from {len(files)} files")


if __name__ == "__main__":
    main()
