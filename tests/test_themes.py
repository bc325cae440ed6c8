"""Themes: codebook matching, coding tables, classifier, grouped CV, persistence, CLI (no ../shared needed)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from policytekst.themes import DEFAULT_THEMES, MAIN_THEMES, Codebook, CodebookError

# --- codebook ----------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def book():
    return Codebook.default()


def test_default_codebook_has_documented_themes(book):
    for theme in ("npm", "brukermedvirkning", "kasteball", "samordning", "arbeidslinja",
                  "skjonn_og_handlingsrom", "sosialfaglig_kompetanse", "dokumentasjon_og_kvalitet",
                  "ledelse_og_styring", "effektivitet"):
        entry = book.themes[theme]
        assert entry.description and entry.not_, f"{theme} lacks a description of what it is / is not"
    assert tuple(book.names) == DEFAULT_THEMES


@pytest.mark.parametrize("text, theme, words", [
    ("Mange brukere faller mellom to stoler.", "kasteball", "mellom to stoler"),
    ("Hun ble sendt rundt omkring i systemet.", "kasteball", "sendt rundt"),
    ("Det er ikke mitt bord, sa han.", "kasteball", "ikke mitt bord"),
    ("Mål- og resultatstyring preger etaten.", "npm", "Mål- og resultatstyring"),
    ("Bestillerenheten fatter vedtak.", "npm", "Bestillerenheten"),
    ("Reformen ga én dør inn for brukerne.", "samordning", "én dør"),
    ("Samlokaliseringen tok tid.", "samordning", "Samlokaliseringen"),
    ("Aktivitetskravet gjelder unge mottakere.", "arbeidslinja", "Aktivitetskravet"),
    ("Prinsippet er arbeid først.", "arbeidslinja", "arbeid først"),
    ("Brukarmedverknaden var svak i kommunen.", "brukermedvirkning", "Brukarmedverknaden"),
])
def test_paraphrases_hit_with_offsets(book, text, theme, words):
    hits = [m for m in book.matches(text) if m.theme == theme]
    assert [m.text for m in hits] == [words]
    assert all(text[m.start:m.end] == m.text for m in hits)


def test_exclusions_and_look_alikes(book):
    assert book.score("Jeg skjønner godt at dette er vanskelig.")["skjonn_og_handlingsrom"] == 0
    assert book.score("Saksbehandleren må bruke skjønn.")["skjonn_og_handlingsrom"] > 0
    assert book.score("Kantinen bestiller varer hver uke.")["npm"] == 0


def test_phrase_words_are_not_counted_twice(book):
    # "felles førstelinje" is a phrase; "førstelinje" alone is also a term of the same theme.
    hits = [m for m in book.matches("De etablerte en felles førstelinje.") if m.theme == "samordning"]
    assert len(hits) == 1 and hits[0].text == "felles førstelinje"


def test_user_codebook_and_clear_errors(tmp_path):
    path = tmp_path / "mine.yaml"
    path.write_text("themes:\n  bolig:\n    label: Bolig\n    min_score: 1\n    terms: ['bolig*', {pattern: husleie, weight: 2}]\n"
                    "    phrases: ['tak over hodet']\n    exclude: ['boligmappe']\n", encoding="utf-8")
    mine = Codebook.load(path)
    assert mine.names == ["bolig"]
    assert mine.score("Hun mangler tak over hodet og skylder husleie.")["bolig"] == 3.0
    assert mine.score("Legg det i boligmappen.")["bolig"] == 0
    assert mine.labels("Boligen er for dyr.") == ["bolig"]
    bad = tmp_path / "bad.yaml"
    bad.write_text("themes:\n  x: [1, 2\n", encoding="utf-8")
    with pytest.raises(CodebookError, match="bad.yaml"):
        Codebook.load(bad)
    empty = tmp_path / "empty.yaml"
    empty.write_text("themes:\n  x:\n    label: X\n", encoding="utf-8")
    with pytest.raises(CodebookError, match="neither terms nor phrases"):
        Codebook.load(empty)


# --- coding a corpus ---------------------------------------------------------------------------------------

DOCS = {
    "a.txt": ("NAV-reformen\n\nReformen skulle gi brukerne én dør inn. Samlokaliseringen av Aetat, trygdeetaten og "
              "sosialtjenesten skulle gjøre det slutt på at folk ble sendt fram og tilbake mellom kontorene, "
              "og samordningen skulle gi et helhetlig tilbud til alle som trenger hjelp fra flere etater.\n\n"
              "Samtidig var målet flere i arbeid og færre på trygd. Aktivitetskravet for unge mottakere av "
              "sosialhjelp ble en del av den samme arbeidslinja, med tett oppfølging mot jobb eller skole."),
    "b.txt": ("Om fiske\n\nTorskekvotene for neste år er fastsatt etter forhandlinger. Fiskerne i nord er "
              "fornøyde med at kvoten ble høyere enn ventet, og flere båter planlegger å fiske lenger ut på "
              "høsten. Prisene på fisk har vært stabile gjennom sommeren, og eksporten til Europa har økt."),
}


@pytest.fixture(scope="module")
def small_corpus(tmp_path_factory):
    from policytekst import Corpus

    folder = tmp_path_factory.mktemp("themes_docs")
    for name, text in DOCS.items():
        (folder / name).write_text(text, encoding="utf-8")
    corpus = Corpus(tmp_path_factory.mktemp("themes_corpus") / "corpus", create=True)
    corpus.ingest([folder], progress=False)
    yield corpus
    corpus.close()


def test_code_passages_and_matched_tokens_agree(small_corpus):
    from policytekst.themes import code_passages, matched_tokens

    coded = code_passages(small_corpus)
    frame = small_corpus.passages_frame()
    assert list(coded.index) == list(frame["passage_id"]) and coded.index.name == "passage_id"
    assert list(coded.columns) == list(DEFAULT_THEMES)  # theme columns only: usable as `scores` elsewhere
    hits = matched_tokens(small_corpus)
    summed = hits.groupby(["passage_id", "theme"])["weight"].sum()
    for (pid, theme), weight in summed.items():
        assert coded.loc[pid, theme] == pytest.approx(weight)
    names = {d.doc_id: Path(d.path).name for d in small_corpus.documents()}
    by_doc = coded[list(MAIN_THEMES)].groupby(frame.set_index("passage_id")["doc_id"].map(names)).sum()
    assert (by_doc.loc["b.txt"] == 0).all()  # fishing: no main theme
    assert (by_doc.loc["a.txt", ["samordning", "arbeidslinja", "kasteball"]] > 0).all()


def test_theme_table_counts_and_rates(small_corpus):
    from policytekst.themes import theme_table

    table = theme_table(small_corpus, by="doc")
    assert set(table.columns) >= {"doc", "theme", "hits", "n_passages", "n_docs", "rate_per_10k",
                                  "share_passages"}
    sam = table[table["theme"] == "samordning"].set_index("doc")
    assert (sam["n_docs"] == 1).all()
    assert sorted(sam["passages_hit"] > 0) == [False, True]
    row = sam[sam["hits"] > 0].iloc[0]
    assert row["rate_per_10k"] == pytest.approx(10_000 * row["hits"] / row["n_words"], rel=1e-3)
    by_genre = theme_table(small_corpus, by="genre")
    assert by_genre.groupby("theme")["n_docs"].sum().eq(2).all()


def test_theme_scores_in_unit_interval(small_corpus):
    from policytekst.themes import theme_scores

    ids = set(small_corpus.passages_frame()["passage_id"])
    for method in ("codebook", "model"):
        scores = theme_scores(small_corpus, "samordning", method=method)["samordning"]
        assert set(scores.index) == ids
        assert ((scores >= 0) & (scores <= 1)).all()
        assert scores.max() > 0.5 > scores.min()
    with pytest.raises(ValueError):
        theme_scores(small_corpus, "samordning", method="magic")


# --- classifier --------------------------------------------------------------------------------------------

# Written for this test (not in the training data): paraphrases and look-alikes.
HELD_OUT = [
    ("Ingen av kontorene ville ta saken, så hun ble skjøvet videre fra den ene instansen til den andre.",
     {"kasteball"}),
    ("Innbyggerne skal møte ett kontor for arbeid, trygd og sosiale tjenester i stedet for tre.", {"samordning"}),
    ("Stønaden skal være midlertidig, og mottakerne skal delta i tiltak som leder mot jobb.", {"arbeidslinja"}),
    ("Tjenestene ble satt ut på anbud, og kommunen styrte leverandørene gjennom kontrakter og måltall.",
     {"npm"}),
    ("Ungdommene fikk selv være med og bestemme hvilke mål planen skulle ha, og de ble hørt.",
     {"brukermedvirkning"}),
    ("Barna kastet ballen over gjerdet og løp etter den.", set()),
    ("Jeg skjønner at dette var en tung periode for familien.", set()),
    ("Møtet ble holdt i kantinen, og vi bestilte kaffe til alle.", set()),
]


def test_default_model_on_held_out_paraphrases():
    from policytekst.themes import default_model

    model = default_model()
    assert model.themes_ == list(DEFAULT_THEMES)
    predicted = model.predict_labels([t for t, _ in HELD_OUT])
    correct = sum(set(p) & set(MAIN_THEMES) == gold for p, (_, gold) in zip(predicted, HELD_OUT, strict=True))
    assert correct >= 6, list(zip(predicted, [g for _, g in HELD_OUT], strict=True))


def test_grouped_cross_validation_prevents_document_leakage():
    """Labels follow the document, not the text: grouped CV must not learn them; ungrouped CV would."""
    from policytekst.themes.classifier import ThemeClassifier
    from policytekst.themes.evaluate import cross_validate_grouped

    rng = np.random.default_rng(0)
    words = ["rapport", "kontor", "møte", "plan", "sak", "uke", "tall", "gruppe", "år", "dag"]
    texts, labels, groups = [], [], []
    for doc in range(12):
        marker = f"dokumentmerke{doc}"
        label = ["x"] if doc % 2 else []
        for _ in range(6):
            texts.append(" ".join([marker, *rng.choice(words, 8)]))
            labels.append(label)
            groups.append(f"d{doc}")
    model = ThemeClassifier(themes=["x"], codebook_features=False, char_ngrams=False, calibration=None)
    grouped = cross_validate_grouped(model, texts, labels, groups, ["x"], n_splits=4)
    leaky = cross_validate_grouped(model, texts, labels, list(range(len(texts))), ["x"], n_splits=4)
    assert grouped.loc[0, "f1"] < 0.7 < leaky.loc[0, "f1"]
    assert list(grouped.columns[:5]) == ["theme", "precision", "recall", "f1", "support"]


def test_fit_save_load_roundtrip(tmp_path):
    from policytekst.themes.classifier import ThemeClassifier
    from policytekst.themes.training import default_training_passages

    data = default_training_passages()
    model = ThemeClassifier(themes=["kasteball", "arbeidslinja"], char_ngrams=False, calibration=None)
    model.fit(data.texts, data.labels)
    path = model.save(tmp_path / "m.joblib", note="test")
    loaded = ThemeClassifier.load(path)
    probe = [t for t, _ in HELD_OUT]
    assert np.allclose(model.predict_proba(probe), loaded.predict_proba(probe))
    assert loaded.meta_["note"] == "test"
    top = [name for name, _ in loaded.top_features("kasteball", 30)]
    assert any("kasteball" in name for name in top)



def test_joined_pairs_unite_labels_of_short_passages_only():
    from policytekst.themes.training import joined_pairs

    texts = ["Kort om anbud.", "Brukerne sendes mellom kontorene.", "Ett ord", " ".join(["langt"] * 50)]
    y = np.array([[1, 0], [0, 1], [0, 0], [1, 1]])
    joined, labels = joined_pairs(texts, y, max_words=10, seed=0)
    assert len(joined) == 1 and labels.shape == (1, 2)  # three short passages: one pair, one left alone
    halves = [t for t in texts[:3] if t in joined[0]]
    assert len(halves) == 2 and "langt" not in joined[0]
    expected = np.maximum(*[y[texts.index(t)] for t in halves])
    assert labels[0].tolist() == expected.tolist()
    assert joined_pairs(texts, y, max_words=10, seed=0)[0] == joined  # seeded
    assert joined_pairs(texts, y, max_words=2, seed=0)[0] == []



def test_join_bags_fit_one_model_per_pairing_and_average_them():
    from policytekst.themes.classifier import ThemeClassifier, _Averaged
    from policytekst.themes.training import default_training_passages

    data = default_training_passages()
    base = dict(themes=["kasteball"], char_ngrams=False, calibration=None, join_short=100)
    one = ThemeClassifier(**base).fit(data.texts, data.labels)
    three = ThemeClassifier(**base, join_bags=3).fit(data.texts, data.labels)
    assert not isinstance(one.estimators_[0], _Averaged)
    assert isinstance(three.estimators_[0], _Averaged) and len(three.estimators_[0].models) == 3
    assert one.n_train_ == three.n_train_ == len(data.texts)
    probe = [t for t, _ in HELD_OUT]
    assert not np.allclose(one.predict_proba(probe), three.predict_proba(probe))
    # bags of the caller's own win: one shared pairing joins them
    bagged = ThemeClassifier(**base, join_bags=3).fit(data.texts, data.labels, bags=[0, 1] * (len(data.texts) // 2)
                                                      + [0] * (len(data.texts) % 2))
    assert len(bagged.estimators_[0].models) == 2


NN_PASSAGE = ("Eg meiner at brukarane ikkje vert høyrde når tenestene skal utformast, og kva dei sjølve ønskjer "
              "blir ikkje teke med i vedtaka om eiga sak.")
NB_PASSAGE = ("Jeg mener at brukerne ikke blir hørt når tjenestene skal utformes, og hva de selv ønsker blir ikke "
              "tatt med i vedtakene om egen sak.")


def test_a_nynorsk_passage_read_as_bokmal_meets_the_bokmal_vocabulary(book):
    from policytekst.nlp.language import reads_as_nynorsk
    from policytekst.themes.codebook import words_of

    assert reads_as_nynorsk(words_of(NN_PASSAGE)) and not reads_as_nynorsk(words_of(NB_PASSAGE))
    bokmal = set(book.word_lemmas(words_of(NB_PASSAGE)))
    plain, read = (set(book.word_lemmas(words_of(NN_PASSAGE), as_bokmal=flag)) for flag in (False, True))
    assert len(read & bokmal) >= 0.8 * len(bokmal) > len(plain & bokmal) + 0.2 * len(bokmal)
    # a bokmål passage's words are their own bokmål reading
    assert book.word_lemmas(words_of(NB_PASSAGE), as_bokmal=True)[:5] == book.word_lemmas(words_of(NB_PASSAGE))[:5]


def test_nynorsk_as_bokmal_finds_a_theme_learned_from_bokmal_passages_only():
    """Trained on bokmål alone, the model that reads nynorsk passages as bokmål gives a nynorsk paraphrase of a
    positive the probability of its bokmål original; the model that reads words as they are does not."""
    from policytekst.themes.classifier import ThemeClassifier

    positives = [NB_PASSAGE, "Brukerne må bli hørt og få være med på å bestemme i egen sak.",
                 "Hva brukerne selv ønsker skal tas med når tjenestene utformes.",
                 "Vedtakene i egen sak må bygge på det brukerne selv mener og ønsker."]
    negatives = ["Veien over fjellet stenges om vinteren og må rustes opp.", "Budsjettet for fylket økte i år.",
                 "Fergen går tre ganger om dagen mellom øyene.", "Skatten på drivstoff ble satt ned i fjor.",
                 "Flyplassen får ny rullebane neste sommer.", "Fisket etter torsk var godt i vinter."]
    texts, labels = positives + negatives, [["x"]] * 4 + [[]] * 6
    base = dict(themes=["x"], codebook_features=False, char_ngrams=False, calibration=None)
    as_read = ThemeClassifier(**base).fit(texts, labels)
    as_bokmal = ThemeClassifier(**base, nynorsk_as_bokmal=True).fit(texts, labels)
    original = as_bokmal.predict_proba([NB_PASSAGE])[0, 0]
    assert as_bokmal.predict_proba([NN_PASSAGE])[0, 0] > as_read.predict_proba([NN_PASSAGE])[0, 0] + 0.1
    assert abs(as_bokmal.predict_proba([NN_PASSAGE])[0, 0] - original) < 0.1


def test_cut_in_halves_cuts_at_the_sentence_end_nearest_the_middle():
    from policytekst.themes.classifier import cut_in_halves

    text = "Kort setning her. To ord. Dette er en lang tredje setning med mange ord i seg. Slutt."
    assert cut_in_halves(text) == ("Kort setning her. To ord.", "Dette er en lang tredje setning med mange ord i seg. Slutt.")
    assert cut_in_halves("ett to tre fire") == ("ett to", "tre fire")  # one sentence: the middle word


def test_split_long_scores_a_long_passage_as_its_best_half():
    """A passage of ``split_long`` words or more gets, per theme, the higher probability of its two halves, read
    from the passage's own words and hits as if they were passages of their own; its feature row is the mean of
    theirs. Shorter passages are not touched."""
    import copy

    from policytekst.themes.classifier import ThemeClassifier, cut_in_halves
    from policytekst.themes.training import default_training_passages

    data = default_training_passages()
    whole_only = ThemeClassifier(char_ngrams=False, calibration=None).fit(data.texts, data.labels)
    split = copy.copy(whole_only)
    split.split_long = 40
    filler = ("Kommunestyret behandlet også budsjettet for skolene, veiene og kulturhuset, og flere representanter "
              "tok ordet om vedlikehold av bygg, om nye sykkelveier og om åpningstidene i biblioteket i sentrum.")
    long = f"{filler} {HELD_OUT[0][0]} Hun måtte selv finne ut hvem som hadde ansvaret, og ingen ringte tilbake."
    short = HELD_OUT[1][0]
    first, second = cut_in_halves(long)
    expected = whole_only.predict_proba([first, second]).max(axis=0)
    X, got = split.features_and_proba([short, long])
    assert np.allclose(got[1], expected)
    assert np.allclose(X[1].toarray(), whole_only.transform([first, second]).mean(axis=0))
    assert np.allclose(got[0], whole_only.predict_proba([short])[0])
    kasteball = whole_only.themes_.index("kasteball")
    assert got[1, kasteball] > whole_only.predict_proba([long])[0, kasteball]  # the filler no longer dilutes it
    assert split.transform([short, long]).shape[0] == 2  # the halves never leave the model


def test_suggest_proposes_uncertain_distinct_passages():
    from policytekst.themes import default_model
    from policytekst.themes.active import suggest

    texts = [t for t, _ in HELD_OUT] * 3 + ["Samarbeidet mellom etatene var variabelt."]
    result = suggest(default_model(), texts, [f"p{i}" for i in range(len(texts))], n=5, diversity=0.7)
    assert len(result) == 5 and result["id"].is_unique
    assert result["text"].nunique() == 5  # duplicates are not proposed twice
    assert result["uncertainty"].between(0, 1).all()


def test_read_labels_errors_name_file_and_line(tmp_path):
    from policytekst.themes.training import LabelFileError, read_labels

    good = tmp_path / "l.csv"
    good.write_text("text,labels,doc_id\nEn tekst,npm;kasteball,d1\nTo,,d2\n", encoding="utf-8")
    data = read_labels(good)
    assert data.labels == [["npm", "kasteball"], []] and data.groups == ["d1", "d2"]
    bad = tmp_path / "l.jsonl"
    bad.write_text('{"text": "ok", "labels": []}\n{"labels": ["npm"]}\n', encoding="utf-8")
    with pytest.raises(LabelFileError, match=r"l.jsonl, line 2"):
        read_labels(bad)


# --- CLI ---------------------------------------------------------------------------------------------------


def test_cli_predict_stable_format_and_errors(tmp_path):
    from typer.testing import CliRunner

    from policytekst.cli import app

    src = tmp_path / "in.jsonl"
    src.write_text("\n".join(json.dumps({"id": i, "text": t}) for i, (t, _) in enumerate(HELD_OUT[:3])) + "\n",
                   encoding="utf-8")
    result = CliRunner().invoke(app, ["themes", "predict", "--input", str(src)])
    assert result.exit_code == 0, result.output
    lines = [json.loads(x) for x in result.stdout.splitlines()]
    assert [x["id"] for x in lines] == [0, 1, 2]
    assert all(set(x) == {"id", "labels", "scores"} and set(x["scores"]) == set(DEFAULT_THEMES) for x in lines)
    assert all(0 <= p <= 1 for x in lines for p in x["scores"].values())
    assert "kasteball" in lines[0]["labels"]
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": 1, "text": "ok"}\nnot json\n', encoding="utf-8")
    result = CliRunner().invoke(app, ["themes", "predict", "--input", str(bad)])
    assert result.exit_code == 2 and "line 2" in result.output


def test_cli_train_evaluate_suggest_table_code(tmp_path, small_corpus):
    from typer.testing import CliRunner

    from policytekst.cli import app
    from policytekst.themes.training import default_training_passages

    data = default_training_passages()
    labels = tmp_path / "labels.jsonl"
    labels.write_text("".join(json.dumps({"text": t, "labels": [x for x in lab if x == "kasteball"],
                                          "doc_id": f"g{i // 4}"}, ensure_ascii=False) + "\n"
                              for i, (t, lab) in enumerate(zip(data.texts, data.labels, strict=True))),
                      encoding="utf-8")
    runner = CliRunner()
    model = tmp_path / "m.joblib"
    result = runner.invoke(app, ["themes", "train", "--labels", str(labels), "--save", str(model), "--cv", "3",
                                 "--calibration", "none", "--json"])
    assert result.exit_code == 0, result.output
    cv = [json.loads(x) for x in result.stdout.splitlines()]
    assert cv[-1]["theme"] == "macro" and cv[0]["f1"] > cv[0]["codebook_f1"] - 0.2 and cv[0]["f1"] > 0.6
    result = runner.invoke(app, ["themes", "evaluate", "--labels", str(labels), "--model", str(model), "--json"])
    assert result.exit_code == 0 and json.loads(result.stdout.splitlines()[0])["support"] > 10
    corpus_dir = str(small_corpus.directory)
    result = runner.invoke(app, ["themes", "suggest", "--corpus", corpus_dir, "--model", str(model), "--n", "2",
                                 "--template", str(tmp_path / "todo.jsonl"), "--json"])
    assert result.exit_code == 0, result.output
    todo = [json.loads(x) for x in (tmp_path / "todo.jsonl").read_text(encoding="utf-8").splitlines()]
    assert len(todo) == 2 and all(x["labels"] == [] and x["text"] for x in todo)
    result = runner.invoke(app, ["themes", "table", "--corpus", corpus_dir, "--by", "doc", "--out",
                                 str(tmp_path / "t.csv")])
    assert result.exit_code == 0 and (tmp_path / "t.csv").read_text(encoding="utf-8").startswith("doc,theme")
    result = runner.invoke(app, ["themes", "table", "--corpus", corpus_dir, "--by", "month"])
    assert result.exit_code == 2
    result = runner.invoke(app, ["themes", "code", "--corpus", corpus_dir, "--matches", "--json"])
    hits = [json.loads(x) for x in result.stdout.splitlines()]
    assert {"kasteball", "samordning", "arbeidslinja"} <= {h["theme"] for h in hits}
    result = runner.invoke(app, ["themes", "train", "--labels", str(tmp_path / "missing.jsonl")])
    assert result.exit_code == 2 and "missing.jsonl" in result.output


def _unseen(name: str) -> list[dict]:
    path = Path(__file__).parent / "data" / name
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _macro_f1(texts: list[str], gold: list[list[str]], predicted: list[list[str]]) -> float:
    from policytekst.themes.classifier import to_label_matrix
    from policytekst.themes.evaluate import metrics_table

    table = metrics_table(to_label_matrix(gold, MAIN_THEMES), to_label_matrix(predicted, MAIN_THEMES),
                          list(MAIN_THEMES))
    return float(table.set_index("theme").loc["macro", "f1"])


def _model_and_codebook_tables(rows: list[dict]):
    """Per-theme tables (indexed by theme, with a macro row) of the shipped model and of the codebook on ``rows``."""
    from policytekst.themes import Codebook, default_model
    from policytekst.themes.classifier import to_label_matrix
    from policytekst.themes.evaluate import metrics_table

    model, book = default_model(), Codebook.default()
    texts = [r["text"] for r in rows]
    gold = to_label_matrix([r["labels"] for r in rows], MAIN_THEMES)
    learned = [[t for t in p if t in MAIN_THEMES] for p in model.predict_labels(texts)]
    return (metrics_table(gold, to_label_matrix(learned, MAIN_THEMES), list(MAIN_THEMES)).set_index("theme"),
            metrics_table(gold, to_label_matrix([book.labels(t) for t in texts], MAIN_THEMES),
                          list(MAIN_THEMES)).set_index("theme"))


def test_default_model_on_invented_passages_of_new_genres_in_both_standards():
    """Passages written for this test (speeches, op-eds, plans, reports, theses; bokmål and nynorsk; hard
    negatives with a keyword in passing), labelled by THEMES_GUIDE.md. Set b has never been used to choose
    anything (a later codebook change was kept by grouped CV on the real labels alone); set a helped find the
    codebook's npm gaps (nynorsk purchaser-provider words, the guide's health-debate cues), so it guards against
    losing them."""
    from policytekst.themes import Codebook, default_model

    model, book = default_model(), Codebook.default()
    rows_a, rows_b = _unseen("theme_unseen_passages.jsonl"), _unseen("theme_unseen_passages_b.jsonl")

    def scores(rows: list[dict]) -> tuple[float, float]:
        texts = [r["text"] for r in rows]
        gold = [r["labels"] for r in rows]
        return (_macro_f1(texts, gold, [[t for t in p if t in MAIN_THEMES] for p in model.predict_labels(texts)]),
                _macro_f1(texts, gold, [book.labels(t) for t in texts]))

    model_b, book_b = scores(rows_b)
    assert model_b >= 0.6 and model_b > book_b + 0.1, (model_b, book_b)
    for standard in ("nb", "nn"):
        model_f1, book_f1 = scores([r for r in rows_a + rows_b if r["standard"] == standard])
        assert model_f1 >= 0.7 and model_f1 > book_f1, (standard, model_f1, book_f1)


def test_default_model_on_invented_debate_speeches_beats_the_codebook():
    """Long passages of the genre the issue's outside check uses: 48 invented paragraphs of Storting and council
    debate speeches (1998-2016 in style, 170-235 words, 24 bokmål and 24 nynorsk), written for this test by two
    writers working from THEMES_GUIDE.md alone (never from the codebook or the model), with hard negatives and
    keyword-free positives, and read again blind by a third (the labels agreed on all 48). Set a was looked at
    when choosing how to read long passages; set b was only scored (each time the real labels and set a had
    already decided), and in a later round counted against two changes that were not kept."""
    rows_a, rows_b = _unseen("theme_unseen_speeches_a.jsonl"), _unseen("theme_unseen_speeches_b.jsonl")
    assert all(120 <= len(r["text"].split()) <= 250 for r in rows_a + rows_b)
    tables = _model_and_codebook_tables
    learned_b, book_b = tables(rows_b)
    assert learned_b.loc["macro", "f1"] >= 0.6 and learned_b.loc["macro", "f1"] > book_b.loc["macro", "f1"] + 0.1
    learned, coded = tables(rows_a + rows_b)
    for theme in MAIN_THEMES:
        # 11-13 positives a theme: one passage moves F1 by 0.03-0.07. Kasteball is the one that needs it (0.60 vs
        # the codebook's 0.67: a story of a person passed between offices that the cut in halves splits in two,
        # and a nynorsk speech without the theme, sb03, that reading nynorsk as bokmål lifts from 0.50 to 0.56,
        # over the threshold, while the same reading took the nynorsk speeches from 0.61 to 0.72 in all)
        assert learned.loc[theme, "f1"] >= coded.loc[theme, "f1"] - 0.07, (theme, learned.loc[theme], coded.loc[theme])
    assert learned.loc["macro", "f1"] > coded.loc["macro", "f1"] + 0.1
    for standard in ("nb", "nn"):
        learned_s, coded_s = tables([r for r in rows_a + rows_b if r["standard"] == standard])
        assert learned_s.loc["macro", "f1"] > coded_s.loc["macro", "f1"], standard


def test_default_model_on_300_guide_passages_of_three_genres_beats_the_codebook():
    """300 passages written for this test from THEMES_GUIDE.md alone by three writers, one genre each (Storting and
    council debate; theses, research reports and white papers; press, letters and hearings), 60-212 words,
    bokmål and nynorsk, each theme with 62-64 positives (over a third without the theme's obvious words) and
    hard negatives from the guide's "Not" lists. A blind second reading agreed on 299 ("second"; the one
    difference settled by the guide). Never trained on; it counted against the changes tried in the round it was
    written (src/policytekst/themes/README.md, "Tried in the next round")."""
    rows = _unseen("theme_unseen_three_genres.jsonl")
    assert len(rows) == 300 and sum(r["labels"] == r["second"] for r in rows) >= 299
    tables = _model_and_codebook_tables
    learned, coded = tables(rows)
    assert learned.loc["macro", "f1"] >= 0.68 and learned.loc["macro", "f1"] > coded.loc["macro", "f1"] + 0.03
    for theme in MAIN_THEMES:
        assert learned.loc[theme, "f1"] > coded.loc[theme, "f1"], (theme, learned.loc[theme], coded.loc[theme])
    for key in ("genre", "standard"):
        for value in sorted({r[key] for r in rows}):
            part_learned, part_coded = tables([r for r in rows if r[key] == value])
            assert part_learned.loc["macro", "f1"] > part_coded.loc["macro", "f1"], (key, value)


def test_evaluate_refuses_cross_genre_without_located_labels(tmp_path):
    from typer.testing import CliRunner

    from policytekst.cli import app

    labels = tmp_path / "l.jsonl"
    labels.write_text('{"text": "Brukerne sendes mellom etatene.", "labels": ["kasteball"]}\n', encoding="utf-8")
    result = CliRunner().invoke(app, ["themes", "evaluate", "--labels", str(labels), "--train-genre", "seed"])
    assert result.exit_code == 2 and "--train-genre need --gold" in result.output



def test_evaluate_joined_scores_passages_joined_two_by_two(tmp_path):
    """`themes evaluate --joined`: the labelled passages joined in seeded random pairs, labels united, are what is
    scored (a check that a model keeps themes in longer passages); it cannot go with --cv."""
    from typer.testing import CliRunner

    from policytekst.cli import app

    labels = tmp_path / "l.jsonl"
    rows = [(t, sorted(lab)) for t, lab in HELD_OUT]
    labels.write_text("".join(json.dumps({"text": t, "labels": lab}, ensure_ascii=False) + "\n" for t, lab in rows),
                      encoding="utf-8")
    runner = CliRunner()
    base = ["themes", "evaluate", "--labels", str(labels), "--bootstrap", "0", "--json"]
    single = {r["theme"]: r for r in map(json.loads, runner.invoke(app, base).stdout.splitlines())}
    result = runner.invoke(app, [*base, "--joined"])
    assert result.exit_code == 0, result.output
    assert f"scoring {len(rows) // 2} passages joined two by two" in result.stderr
    joined = {r["theme"]: r for r in map(json.loads, result.stdout.splitlines())}
    # a theme of either half is a theme of the pair (the pairs of training.joined_pairs with the default seed)
    from policytekst.themes.classifier import to_label_matrix
    from policytekst.themes.training import joined_pairs

    names = [name for name in single if name != "macro"]
    _, united = joined_pairs([t for t, _ in rows], to_label_matrix([lab for _, lab in rows], names), 10**9, 0)
    for j, name in enumerate(names):
        assert joined[name]["support"] == int(united[:, j].sum()) <= single[name]["support"], name
    result = runner.invoke(app, [*base, "--joined", "--cv", "2"])
    assert result.exit_code == 2 and "--joined" in result.output

def test_default_model_leaves_english_passages_to_the_codebook():
    """English abstracts of Norwegian theses (written for this test, labelled by THEMES_GUIDE.md): the learned part
    knows Norwegian words and vectors only, so an English passage gets the codebook's decision, which has English
    cues. Set c was used to write those cues; set d was written at the same time by the same hand and changed
    nothing afterwards (so its figure flatters). Norwegian passages are not affected."""
    import copy

    from policytekst.themes import Codebook, default_model

    model, book = default_model(), Codebook.default()
    learned_only = copy.copy(model)
    learned_only.codebook_languages = ()
    rows = _unseen("theme_unseen_passages_en.jsonl")
    texts, gold = [r["text"] for r in rows], [r["labels"] for r in rows]
    predicted = [[t for t in p if t in MAIN_THEMES] for p in model.predict_labels(texts)]
    assert [set(p) for p in predicted] == [{t for t in book.labels(x) if t in MAIN_THEMES} for x in texts]
    held = [i for i, r in enumerate(rows) if r["set"] == "d"]
    assert _macro_f1([texts[i] for i in held], [gold[i] for i in held], [predicted[i] for i in held]) >= 0.8
    without = [[t for t in p if t in MAIN_THEMES] for p in learned_only.predict_labels(texts)]
    # the learned part alone sees the English cues only through its codebook features: it misses more
    assert _macro_f1(texts, gold, without) < _macro_f1(texts, gold, predicted)
    norwegian = [r["text"] for r in _unseen("theme_unseen_passages_b.jsonl")]
    assert np.allclose(model.predict_proba(norwegian), learned_only.predict_proba(norwegian))
