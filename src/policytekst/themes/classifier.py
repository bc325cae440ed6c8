"""A multi-label theme classifier over passages (scikit-learn estimator API).

Features, all computed from one pass over each text:

- TF-IDF of lemma unigrams and bigrams (what the passage talks about, beyond the codebook's words);
- TF-IDF of character 3-5-grams inside words (compounds and inflections: "samlokaliseringen",
  "brukarmedverknad", "arbeidsretta");
- the codebook's weighted hit counts per theme, on a log scale and relative to passage length, so the model
  can learn how much to trust a keyword hit and tell a passing mention from a passage about the theme.

One logistic regression per theme (class-balanced), optionally calibrated with a sigmoid fitted by
cross-validation, and a per-theme decision threshold. ``cross_validate_grouped`` scores it with folds grouped
by document, so no document is ever on both sides of a split.

Examples
--------
>>> model = ThemeClassifier(themes=["kasteball"]).fit(texts, labels)    # doctest: +SKIP
>>> model.predict_proba(["Brukerne ble sendt rundt omkring."])          # doctest: +SKIP
"""

from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import joblib
import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.calibration import CalibratedClassifierCV
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

from policytekst.nlp.language import could_be, detect_language, reads_as_nynorsk
from policytekst.themes.codebook import Codebook, _lemma, codebook_probability, words_of
from policytekst.themes.embedding import LemmaSpace
from policytekst.themes.score_cache import file_fingerprint
from policytekst.themes.training import joined_pairs

MODEL_FORMAT = 1

# Texts a fitted model's fingerprint is read from (invented; one per kind of cue the features look at).
_PROBES = ("Brukerne ble kasteballer mellom Nav-kontoret og kommunen.",
           "Mål- og resultatstyring og bestiller-utfører-modellen preget etaten.",
           "Brukarmedverknad i tenestene var eit viktig prinsipp for kommunane.",
           "Aktivitetskravet skal få flere over fra trygd til arbeid.",
           "Saksbehandleren må bruke skjønn innenfor et handlingsrom.",
           "Samordning av tjenestene krever felles førstelinje og én dør inn.",
           "Dokumentasjon av kvalitet og effektivitet i ledelse og styring.",
           "Været var fint i går.")


# Sentence ends for the sentence features: end punctuation and white space (never inside a word).
_SENTENCE_END = re.compile(r"(?<=[.!?:;])\s+")


def lemma_string(text: str) -> str:
    """The passage as the models see it: lemmas of its words (digits dropped) joined by single spaces."""
    return " ".join(_lemma(w) for w in words_of(text) if not w.isdigit())


def _split_words(text: str) -> list[str]:
    """Analyzer for pre-lemmatised text: lemmas are joined by single spaces (module level so it pickles)."""
    return text.split()


def _coefficients(model) -> np.ndarray:
    if isinstance(model, _Averaged):
        return np.mean([_coefficients(m) for m in model.models], axis=0)
    if isinstance(model, CalibratedClassifierCV):
        return np.mean([c.estimator.coef_[0] for c in model.calibrated_classifiers_], axis=0)
    return model.coef_[0]


class _Averaged:
    """Models fitted on different bags of the training data; their probabilities are averaged."""

    def __init__(self, models: list[Any]) -> None:
        self.models = models

    def predict_proba(self, X: sp.csr_matrix) -> np.ndarray:
        return np.mean([m.predict_proba(X) for m in self.models], axis=0)


def _logit(p: np.ndarray) -> np.ndarray:
    p = np.clip(np.asarray(p, dtype=float), 1e-4, 1 - 1e-4)
    return np.log(p / (1 - p))


def _platt(p: np.ndarray, ab: Sequence[float]) -> np.ndarray:
    """Platt scaling on the log-odds: sigmoid(a * logit(p) + b)."""
    return 1.0 / (1.0 + np.exp(-(ab[0] * _logit(p) + ab[1])))


def to_label_matrix(labels: Iterable[Sequence[str]], themes: Sequence[str]) -> np.ndarray:
    """Label lists (["npm", "kasteball"], ...) as a 0/1 matrix with one column per theme."""
    index = {t: i for i, t in enumerate(themes)}
    rows = list(labels)
    matrix = np.zeros((len(rows), len(themes)), dtype=np.int8)
    for r, row in enumerate(rows):
        for label in row:
            if label in index:
                matrix[r, index[label]] = 1
    return matrix


class ThemeClassifier(BaseEstimator, ClassifierMixin):
    """Multi-label theme classifier.

    Parameters
    ----------
    themes:
        Theme names (columns). ``None`` takes the codebook's themes.
    codebook:
        A :class:`Codebook` (or a dict as produced by ``Codebook.to_dict``) whose hits are features;
        ``None`` uses the default codebook. It is stored inside the fitted model, so a saved model needs
        nothing else to predict.
    C:
        Inverse regularisation strength of the logistic regressions.
    char_ngrams:
        Add character 3-5-gram features (robust to compounds and spelling variants).
    codebook_features:
        Add codebook hit features.
    calibration:
        ``"sigmoid"`` fits Platt scaling by internal cross-validation; ``None`` keeps the logistic
        regression's own probabilities.
    threshold:
        Default probability a theme needs to be predicted (per-theme values can be set in ``thresholds_``).
    max_char_features:
        Vocabulary cap for character n-grams (keeps the model small and prediction fast).
    text_weight:
        Scale of the text (lemma and character) features against the codebook features; below 1 the
        model leans more on the curated codebook, which generalises better from little training data.
    class_weight:
        ``"balanced"`` reweights rare themes; ``None`` trusts the label frequencies of the training data.
    max_df:
        Drop lemmas found in more than this share of training passages (generic words such as "bruker"
        or "arbeid" that say little about any one theme).
    codebook_weight:
        Share of the codebook's own probability in the final one (0 = classifier only). The codebook's
        probability maps weighted hits to [0, 1] with 0.5 at the theme's ``min_score``; averaging the two
        views keeps the curated keywords as an anchor while the classifier adds paraphrases and discounts
        passing mentions. Needs ``codebook_features``.
    embedding:
        Distributional lemma features: ``"default"`` (the shipped FastText lemma vectors, :mod:`policytekst.themes.embedding`),
        a path to a space file, a :class:`LemmaSpace`, or ``None`` for none.
    embedding_weight:
        Scale of the dense embedding block against the sparse TF-IDF and codebook features.
    sentence_features:
        Add, per codebook theme, how many sentences carry a hit, their share of the passage's sentences and
        whether the first sentence does (a discussed theme spans sentences; a passing mention does not).
    gated_embedding:
        Add, per codebook theme, the passage's embedding vector where the codebook hits that theme (zero
        elsewhere): the model learns in which contexts a keyword means the theme and in which it is a
        passing mention or another sense (needs ``embedding`` and ``codebook_features``).
    join_short:
        Also train on the training passages shorter than this many words joined in random pairs (labels
        united; :func:`policytekst.themes.training.joined_pairs`): a model learned from short units otherwise
        misses themes in longer passages. 0 = off. Built inside ``fit`` from its own passages, so cross-validation
        never joins a test passage to a training one.
    join_bags:
        With ``join_short``, how many different random pairings to train on, one model each, their probabilities
        averaged (ignored when ``fit`` is given bags of its own).
    codebook_languages:
        Languages (codes of :func:`policytekst.nlp.language.detect_language`) the learned part was not trained
        on: a passage in one of them gets the codebook's own decision instead (its probability moved so that the
        theme's ``min_score`` lands on the model's threshold). The shipped model learned from Norwegian
        (bokmål and nynorsk); on the English abstracts of Norwegian theses its words and vectors say nothing,
        while the codebook's English cues do. Empty: every passage goes through the learned part.
    split_long:
        A passage of at least this many words is scored as its two halves (cut at the sentence end nearest its
        middle), each theme taking the higher of their probabilities. By the guide a theme that one half
        discusses over several sentences is a theme of the whole; a model learned from units of 60-120 words
        dilutes it in a passage twice as long (and read whole, long passages also drew samordning more often than
        their labels). 120 makes each half at least the guide's shortest passage (60 words). 0 = off.
    nynorsk_as_bokmal:
        Read a nynorsk passage (:func:`policytekst.nlp.language.reads_as_nynorsk`: by its nynorsk-only and
        bokmål-only marker words) as its words' bokmål lemmas, in fitting and predicting,
        so that it meets the mostly bokmål labels in one vocabulary; bokmål passages are read as they are.
    tuning_repeats:
        :meth:`fit_tuned` averages the out-of-fold probabilities of this many grouped cross-validations, each
        with its own split of the documents, before it calibrates and chooses thresholds. Which documents share a
        fold alone moved a rare theme's chosen threshold by 0.05-0.13 (sd over nine splits of the real labels);
        the average of three splits moved it by 0-0.09. Costs that many times the tuning's fits.
    seed:
        Random seed (cross-validation folds inside calibration).
    """

    def __init__(self, themes: Sequence[str] | None = None, codebook: Codebook | dict | None = None,
                 C: float = 4.0, char_ngrams: bool = True, codebook_features: bool = True,
                 calibration: str | None = "sigmoid", threshold: float = 0.5,
                 max_char_features: int = 40_000, text_weight: float = 1.0,
                 class_weight: str | None = "balanced", max_df: float = 1.0, codebook_weight: float = 0.0,
                 embedding: Any = None, embedding_weight: float = 1.0, sentence_features: bool = False,
                 gated_embedding: bool = False, join_short: int = 0, join_bags: int = 1,
                 codebook_languages: Sequence[str] = ("en",), split_long: int = 0,
                 nynorsk_as_bokmal: bool = False, tuning_repeats: int = 1, seed: int = 0) -> None:
        self.themes = themes
        self.codebook = codebook
        self.C = C
        self.char_ngrams = char_ngrams
        self.codebook_features = codebook_features
        self.calibration = calibration
        self.threshold = threshold
        self.max_char_features = max_char_features
        self.text_weight = text_weight
        self.class_weight = class_weight
        self.max_df = max_df
        self.codebook_weight = codebook_weight
        self.embedding = embedding
        self.embedding_weight = embedding_weight
        self.sentence_features = sentence_features
        self.gated_embedding = gated_embedding
        self.join_short = join_short
        self.join_bags = join_bags
        self.codebook_languages = codebook_languages
        self.split_long = split_long
        self.nynorsk_as_bokmal = nynorsk_as_bokmal
        self.tuning_repeats = tuning_repeats
        self.seed = seed

    # -- features ----------------------------------------------------------------------------------------
    def _book(self) -> Codebook:
        if isinstance(self.codebook, Codebook):
            return self.codebook
        if isinstance(self.codebook, dict):
            return Codebook.from_dict(self.codebook, source="model")
        return Codebook.default()

    def _analyse(self, texts: Sequence[str], halves: bool = False
                 ) -> tuple[list[str], np.ndarray, np.ndarray | None, list[int]]:
        """Lemma strings, codebook features and (optionally) sentence features for each text (one
        tokenisation per text), and which texts were cut in two. With ``halves``, a text of at least
        ``split_long`` words is read as its two halves (:func:`cut_in_halves`): its row holds the first, and the
        second halves' rows follow all the texts' rows, in order."""
        book = self.codebook_ if hasattr(self, "codebook_") else self._book()
        names = book.names
        index = {name: j for j, name in enumerate(names)}
        k = len(names)
        by_sentence = bool(getattr(self, "sentence_features", False)) and self.codebook_features
        limit = getattr(self, "split_long", 0) if halves else 0
        as_bokmal = getattr(self, "nynorsk_as_bokmal", False)
        lemma_strings: list[str] = []
        feat_rows: list[np.ndarray] = []
        sent_rows: list[np.ndarray] = []
        half_rows: list[tuple[str, np.ndarray, np.ndarray | None]] = []
        cut_texts: list[int] = []

        def lemma_string_of(words: list[str], lemmas: list[str]) -> str:
            return " ".join([lem for w, lem in zip(words, lemmas, strict=True) if not w.isdigit()])

        def row(sentence_of, matches, lo, hi):
            """Codebook and sentence features of the words lo..hi (a hit belongs to the part where it starts)."""
            feats = np.zeros(3 * k + 1)
            sent = np.zeros(3 * k) if by_sentence else None
            if self.codebook_features:
                scores = dict.fromkeys(names, 0.0)
                distinct: dict[str, set[str]] = {name: set() for name in names}
                sentences: dict[str, set[int]] = {name: set() for name in names}
                for start, _, name, term in matches:
                    if not lo <= start < hi:
                        continue
                    scores[name] += term.weight
                    if term.weight > 0:
                        distinct[name].add(term.pattern)
                        if by_sentence:
                            sentences[name].add(sentence_of[start])
                # Passages of ~100 words are the unit; longer ones need more hits to mean the same.
                length = max(1.0, (hi - lo) / 100.0)
                for j, name in enumerate(names):
                    score = scores[name]
                    feats[j] = math.log1p(score)
                    feats[k + j] = math.log1p(score / length)
                    # Several different cues for a theme say more than one word repeated.
                    feats[2 * k + j] = math.log1p(len(distinct[name]))
                if by_sentence:
                    # A theme the passage *discusses* runs through several sentences; a passing mention sits in
                    # one. The first sentence often states a passage's (or a question's) point.
                    n_sent = max(1, len(set(sentence_of[lo:hi])))
                    first = sentence_of[lo] if hi > lo else 0
                    for name, hit in sentences.items():
                        if hit:
                            j = index[name]
                            sent[j] = math.log1p(len(hit))
                            sent[k + j] = len(hit) / n_sent
                            sent[2 * k + j] = float(first in hit)
            feats[-1] = math.log1p(hi - lo) / 5.0
            return feats, sent

        for i, text in enumerate(texts):
            sentence_of: list[int] = []
            if by_sentence:
                # words per sentence, concatenated: the same words as words_of(text) (a split never cuts a word)
                pieces = [words_of(part) for part in _SENTENCE_END.split(text)]
                words = [w for piece in pieces for w in piece]
                sentence_of = [n for n, piece in enumerate(pieces) for _ in piece]
            else:
                words = words_of(text)
            lemmas = book.word_lemmas(words, as_bokmal=as_bokmal and reads_as_nynorsk(words))
            matches = list(book._match_words(words)) if self.codebook_features else []
            n = cut = len(words)
            if limit and n >= limit:
                # the text's row holds its first half; the second half's row comes after all the texts' rows
                cut_texts.append(i)
                cut = len(words_of(cut_in_halves(text)[0]))
                half_rows.append((lemma_string_of(words[cut:], lemmas[cut:]), *row(sentence_of, matches, cut, n)))
            lemma_strings.append(lemma_string_of(words[:cut], lemmas[:cut]))
            feats, sent = row(sentence_of, matches, 0, cut)
            feat_rows.append(feats)
            sent_rows.append(sent)
        lemma_strings += [r[0] for r in half_rows]
        feat_rows += [r[1] for r in half_rows]
        sent_rows += [r[2] for r in half_rows]
        feats = np.vstack(feat_rows) if feat_rows else np.zeros((0, 3 * k + 1))
        sent = (np.vstack(sent_rows) if sent_rows else np.zeros((0, 3 * k))) if by_sentence else None
        return lemma_strings, feats, sent, cut_texts

    def _space(self) -> LemmaSpace | None:
        if self.embedding is None:
            return None
        if isinstance(self.embedding, LemmaSpace):
            return self.embedding
        if self.embedding == "default":
            return LemmaSpace.default()
        return LemmaSpace.load(self.embedding)

    def _embedding_blocks(self, lemma_strings: list[str], feats: np.ndarray) -> list[sp.csr_matrix]:
        if getattr(self, "space_", None) is None:
            return []
        vectors = self.space_.transform(lemma_strings) * self.embedding_weight
        blocks = [sp.csr_matrix(vectors)]
        if getattr(self, "gated_embedding", False) and self.codebook_features:
            for j in range(len(self.codebook_.names)):
                hit = feats[:, j] > 0  # log1p(weighted hits) of theme j
                blocks.append(sp.csr_matrix(vectors * hit[:, None]))
        return blocks

    def _transform(self, texts: Sequence[str]) -> sp.csr_matrix:
        return self._transform_with_halves(texts, halves=False)[0]

    def _transform_with_halves(self, texts: Sequence[str], halves: bool = True) -> tuple[sp.csr_matrix, list[int]]:
        """The feature matrix of ``texts``, long ones read as two halves (see :meth:`_analyse`), and which texts
        those are."""
        lemma_strings, feats, sent, cut_texts = self._analyse(texts, halves)
        blocks = [self.word_vectorizer_.transform(lemma_strings) * self.text_weight]
        if self.char_vectorizer_ is not None:
            blocks.append(self.char_vectorizer_.transform(lemma_strings) * self.text_weight)
        blocks += self._embedding_blocks(lemma_strings, feats)
        if sent is not None:
            blocks.append(sp.csr_matrix(sent))
        if self.codebook_features:
            blocks.append(sp.csr_matrix(feats))
        return sp.hstack(blocks, format="csr"), cut_texts

    def transform(self, texts: Sequence[str]) -> sp.csr_matrix:
        """The feature matrix the linear models see (for inspection and benchmarks)."""
        return self._transform(list(texts))

    # -- fitting -----------------------------------------------------------------------------------------
    def fit(self, texts: Sequence[str], y: np.ndarray | Sequence[Sequence[str]],
            bags: Sequence[int] | None = None) -> ThemeClassifier:
        """Fit on passages and their labels (a 0/1 matrix with one column per theme, or label lists).

        ``bags`` (optional, one int per text) trains one model per bag id >= 0 on that bag's rows plus the
        rows marked -1 (shared by all bags), and averages their probabilities: bagging over differently
        augmented training sets, which steadies a model trained on few hand-labelled passages.
        """
        texts = list(texts)
        book = self._book()
        self.codebook_ = book
        self.themes_ = list(self.themes) if self.themes is not None else book.names
        y = np.asarray(y) if isinstance(y, np.ndarray) else to_label_matrix(y, self.themes_)
        if y.shape != (len(texts), len(self.themes_)):
            raise ValueError(f"labels have shape {y.shape}, expected ({len(texts)}, {len(self.themes_)})")
        self.n_train_ = len(texts)  # the passages given (joined pairs come on top)
        if getattr(self, "join_short", 0):
            texts, y, bags = self._with_joined_pairs(texts, y, bags)
        lemma_strings, feats, sent, _ = self._analyse(texts)
        self.word_vectorizer_ = TfidfVectorizer(analyzer=_split_words, ngram_range=(1, 1), sublinear_tf=True,
                                                min_df=1, max_df=self.max_df)
        # Bigrams via a second pass would double the cost; lemma unigrams plus char n-grams carry most of it.
        blocks = [self.word_vectorizer_.fit_transform(lemma_strings) * self.text_weight]
        self.char_vectorizer_ = None
        if self.char_ngrams:
            self.char_vectorizer_ = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True,
                                                    min_df=2, max_features=self.max_char_features)
            blocks.append(self.char_vectorizer_.fit_transform(lemma_strings) * self.text_weight)
        self.space_ = self._space()
        blocks += self._embedding_blocks(lemma_strings, feats)
        if sent is not None:
            blocks.append(sp.csr_matrix(sent))
        if self.codebook_features:
            blocks.append(sp.csr_matrix(feats))
        X = sp.hstack(blocks, format="csr")
        self.estimators_: list[Any] = []
        for j in range(len(self.themes_)):
            target = y[:, j]
            n_pos = int(target.sum())
            if n_pos == 0 or n_pos == len(target):
                self.estimators_.append(float(n_pos > 0))  # a constant: nothing to learn
                continue
            if bags is None:
                self.estimators_.append(self._fit_one(X, target))
                continue
            bag_ids = np.asarray(bags)
            members = []
            for b in sorted(set(bag_ids[bag_ids >= 0].tolist())):
                rows = (bag_ids == b) | (bag_ids < 0)
                members.append(self._fit_one(X[rows], target[rows]))
            self.estimators_.append(_Averaged(members))
        self.thresholds_ = np.full(len(self.themes_), float(self.threshold))
        self.fingerprint_ = self._probe_fingerprint()
        return self

    def _with_joined_pairs(self, texts: list[str], y: np.ndarray, bags: Sequence[int] | None
                           ) -> tuple[list[str], np.ndarray, list[int] | None]:
        """``texts`` and ``y`` with the joined pairs of ``join_short`` after them, and the bags to fit: one pairing
        per bag (``join_bags``) when the caller brings no bags of its own, so the averaged model does not hang on
        one random draw; otherwise one pairing shared by the caller's bags."""
        pairings = max(1, getattr(self, "join_bags", 1)) if bags is None else 1
        given = len(texts)
        out_bags = [-1] * given if bags is None else list(bags)
        for k in range(pairings):
            joined, joined_y = joined_pairs(texts[:given], y[:given], self.join_short, self.seed + k)
            texts, y = texts + joined, np.vstack([y, joined_y])
            out_bags += [k if pairings > 1 else -1] * len(joined)
        return texts, y, (out_bags if pairings > 1 or bags is not None else None)

    def fingerprint(self) -> str:
        """A short string that changes when the model's probabilities change (cached theme scores key on it).

        The file's fingerprint for a model read by :meth:`load` (so the shipped model's can be had without
        loading it, see :func:`file_fingerprint`); otherwise one read from the model's answers on fixed texts.
        """
        return self.__dict__.get("fingerprint_") or self._probe_fingerprint()

    def _probe_fingerprint(self) -> str:
        digest = hashlib.sha1("|".join(self.themes_).encode())
        digest.update(np.round(self.predict_proba(list(_PROBES)), 12).tobytes())
        return digest.hexdigest()[:16]

    def _fit_one(self, X: sp.csr_matrix, target: np.ndarray):
        n_pos = int(target.sum())
        base = LogisticRegression(C=self.C, class_weight=self.class_weight, max_iter=2000, solver="liblinear")
        folds = min(3, n_pos, len(target) - n_pos)
        if self.calibration == "sigmoid" and folds >= 2:
            model = CalibratedClassifierCV(base, method="sigmoid", cv=folds)
        else:
            model = base
        return model.fit(X, target)

    def fit_tuned(self, texts: Sequence[str], y: np.ndarray | Sequence[Sequence[str]], groups: Sequence[str],
                  n_splits: int = 5, extra_texts: Sequence[str] = (),
                  extra_y: np.ndarray | Sequence[Sequence[str]] | None = None, calibrate: bool = True,
                  grid: Sequence[float] = tuple(np.round(np.arange(0.15, 0.86, 0.05), 2)),
                  tune: Sequence[str] | None = None,
                  codebook_weights: Sequence[float] | None = (0.0, 0.15, 0.3, 0.5, 0.7)) -> ThemeClassifier:
        """Fit, then calibrate each theme's probability and choose its threshold on out-of-fold predictions.

        Folds are grouped (``groups``: the document of each text), so calibration and thresholds are learned
        on passages the fold's model never saw. ``extra_texts``/``extra_y`` (e.g. the team's hand-written
        passages) join every fold's training part and the final fit, but are never scored. Calibration is Platt
        scaling of the out-of-fold probability (a logistic regression on its log-odds); the threshold is the
        grid value with the best out-of-fold F1 of the calibrated probability. With ``codebook_weights`` (and
        codebook features) each theme's share of the codebook's own probability is chosen the same way, from
        these values (``codebook_weights_``): a theme whose keywords carry across genres better than the
        learned words leans on them more. ``None`` keeps ``codebook_weight`` for every theme. ``tune`` limits
        all of this to some themes (default: every theme with at least 5 positives among ``texts``).
        """
        from sklearn.base import clone
        from sklearn.metrics import f1_score

        texts = list(texts)
        themes = list(self.themes) if self.themes is not None else self._book().names
        y = np.asarray(y) if isinstance(y, np.ndarray) else to_label_matrix(y, themes)
        extra_texts = list(extra_texts)
        if extra_y is None:
            ey = np.zeros((0, len(themes)), dtype=np.int8)
        else:
            ey = np.asarray(extra_y) if isinstance(extra_y, np.ndarray) else to_label_matrix(extra_y, themes)
        weights = list(codebook_weights) if codebook_weights is not None and self.codebook_features else None
        # the learned probability alone out of fold; the codebook's is mixed in below, per theme
        fold_model = clone(self).set_params(themes=themes, codebook_weight=0.0 if weights else self.codebook_weight)
        oof = out_of_fold_proba(fold_model, texts, y, groups, n_splits=n_splits, extra_texts=extra_texts,
                                extra_y=ey, repeats=self.tuning_repeats, seed=self.seed)
        self.fit(texts + extra_texts, np.vstack([y, ey]))
        self.platt_ = np.tile([1.0, 0.0], (len(themes), 1))
        # a theme the codebook lacks has no keyword probability to mix in (as in predict_proba_features)
        in_book = [t in self.codebook_.themes for t in themes]
        self.codebook_weights_ = np.where(in_book, float(self.codebook_weight), 0.0)
        book_proba = None
        if weights:
            _, feats, _, _ = self._analyse(texts)
            book_proba = self._codebook_probability(feats[:, : len(self.codebook_.names)])
        chosen = [t for t in (tune or themes) if t in themes]
        for j, theme in enumerate(themes):
            if theme not in chosen or y[:, j].sum() < 5 or y[:, j].sum() == len(y):
                continue
            best: tuple[float, float, list[float], float] | None = None
            for w in (weights if weights and in_book[j] else [self.codebook_weights_[j]]):
                # without a grid the out-of-fold probability already holds the fixed mix
                p = oof[:, j] if book_proba is None or not in_book[j] else (1 - w) * oof[:, j] + w * book_proba[:, j]
                ab = [1.0, 0.0]
                if calibrate:
                    platt = LogisticRegression(C=1e4, solver="lbfgs").fit(_logit(p)[:, None], y[:, j])
                    ab = [float(platt.coef_[0, 0]), float(platt.intercept_[0])]
                    p = _platt(p, ab)
                scores = [f1_score(y[:, j], p >= t, zero_division=0) for t in grid]
                k = int(np.argmax(scores))
                if best is None or scores[k] > best[0] + 1e-9:  # ties keep the earlier (smaller) weight
                    best = (scores[k], float(w), ab, float(grid[k]))
            _, self.codebook_weights_[j], self.platt_[j], self.thresholds_[j] = best
        self.fingerprint_ = self._probe_fingerprint()
        return self

    def _codebook_probability(self, log_scores: np.ndarray) -> np.ndarray:
        """The codebook's own probability of each theme (columns as ``themes_``; 0 for a theme it lacks) from the
        log1p(weighted hits) block of the codebook features."""
        names = self.codebook_.names
        out = np.zeros((log_scores.shape[0], len(self.themes_)))
        for j, theme in enumerate(self.themes_):
            if theme in self.codebook_.themes:
                out[:, j] = codebook_probability(np.expm1(log_scores[:, names.index(theme)]),
                                                 self.codebook_.themes[theme].min_score)
        return out

    def _codebook_probability_of(self, X: sp.csr_matrix) -> np.ndarray:
        """:meth:`_codebook_probability` read from a feature matrix (its codebook block comes last, log1p(weighted
        hits) first)."""
        names = self.codebook_.names
        first = X.shape[1] - (3 * len(names) + 1)
        return self._codebook_probability(X[:, first:first + len(names)].toarray())

    # -- predicting --------------------------------------------------------------------------------------
    def predict_proba_features(self, X: sp.csr_matrix) -> np.ndarray:
        out = np.zeros((X.shape[0], len(self.themes_)))
        for j, model in enumerate(self.estimators_):
            out[:, j] = model if isinstance(model, float) else model.predict_proba(X)[:, 1]
        if self.codebook_features:
            weights = getattr(self, "codebook_weights_", None)
            if weights is None:
                weights = np.full(len(self.themes_), float(self.codebook_weight))
            # a theme the codebook lacks has no keyword probability to mix in
            weights = np.where([t in self.codebook_.themes for t in self.themes_], weights, 0.0)
            if (weights > 0).any():
                out = (1 - weights) * out + weights * self._codebook_probability_of(X)
        platt = getattr(self, "platt_", None)
        if platt is not None:
            for j in range(out.shape[1]):
                if tuple(platt[j]) != (1.0, 0.0):
                    out[:, j] = _platt(out[:, j], platt[j])
        return out

    def features_and_proba(self, texts: Sequence[str]) -> tuple[sp.csr_matrix, np.ndarray]:
        """The feature matrix and the probabilities of ``texts`` (see :meth:`predict_proba`)."""
        texts = list(texts)
        X, long = self._transform_with_halves(texts)
        proba = self.predict_proba_features(X)
        n = len(texts)
        out = proba[:n]
        if long:
            # a long text's row holds its first half, row n + k the second half of the k-th long text: each theme
            # takes the half that discusses it most, and the text's features are the mean of its halves'
            out[long] = np.maximum(proba[long], proba[n:])
            weight = np.ones(n)
            weight[long] = 0.5
            X = sp.csr_matrix((np.concatenate([weight, np.full(len(long), 0.5)]),
                               (np.concatenate([np.arange(n), long]), np.arange(n + len(long)))),
                              shape=(n, n + len(long))) @ X
        languages = set(getattr(self, "codebook_languages", ()))
        if languages and self.codebook_features and texts:
            rows = [i for i, text in enumerate(texts)
                    if any(could_be(text, lang) for lang in languages) and detect_language(text) in languages]
            if rows:
                # the codebook decides on the whole passage's hits
                whole = self._transform([texts[i] for i in rows]) if long else X[rows]
                out[rows] = self._codebook_decision(whole, out[rows])
        return X, out

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        """Probability of each theme for each text: an array (n_texts, n_themes), columns as ``themes_``."""
        texts = list(texts)
        if not texts:
            return np.zeros((0, len(self.themes_)))
        return self.features_and_proba(texts)[1]

    def _codebook_decision(self, X: sp.csr_matrix, learned: np.ndarray) -> np.ndarray:
        """The codebook's probability of each theme it has, its log-odds shifted so that ``min_score`` weighted
        hits give the theme's threshold (so the label is the codebook's); ``learned`` for the other themes."""
        book = self._codebook_probability_of(X)
        out = learned.copy()
        for j, theme in enumerate(self.themes_):
            if theme in self.codebook_.themes:
                out[:, j] = _platt(book[:, j], (1.0, _logit(self.thresholds_[j])))
        return out

    def predict(self, texts: Sequence[str]) -> np.ndarray:
        """0/1 matrix of predicted themes (probability at or above the theme's threshold)."""
        return (self.predict_proba(texts) >= self.thresholds_).astype(np.int8)

    def predict_labels(self, texts: Sequence[str]) -> list[list[str]]:
        proba = self.predict_proba(texts)
        return [[t for t, p, th in zip(self.themes_, row, self.thresholds_, strict=True) if p >= th]
                for row in proba]

    def top_features(self, theme: str, n: int = 15) -> list[tuple[str, float]]:
        """The features with the largest positive weights for a theme (what the model learned)."""
        j = self.themes_.index(theme)
        model = self.estimators_[j]
        if isinstance(model, float):
            return []
        coefs = _coefficients(model)
        names = [f"lemma:{w}" for w in self.word_vectorizer_.get_feature_names_out()]
        if self.char_vectorizer_ is not None:
            names += [f"char:{c}" for c in self.char_vectorizer_.get_feature_names_out()]
        if getattr(self, "space_", None) is not None:
            names += [f"vector:{k}" for k in range(self.space_.dim)]
            if getattr(self, "gated_embedding", False) and self.codebook_features:
                names += [f"vector_if_{t}:{k}" for t in self.codebook_.names for k in range(self.space_.dim)]
        if getattr(self, "sentence_features", False) and self.codebook_features:
            book_names = self.codebook_.names
            names += [f"sentences:{t}" for t in book_names] + [f"sentence_share:{t}" for t in book_names]
            names += [f"first_sentence:{t}" for t in book_names]
        if self.codebook_features:
            book_names = self.codebook_.names
            names += [f"codebook:{t}" for t in book_names] + [f"codebook_rate:{t}" for t in book_names]
            names += [f"codebook_distinct:{t}" for t in book_names]
            names += ["length"]
        order = np.argsort(coefs)[::-1][:n]
        return [(names[i], float(coefs[i])) for i in order]

    # -- persistence -------------------------------------------------------------------------------------
    def save(self, path: str | Path, **meta: Any) -> Path:
        """Save the fitted model (one joblib file holding everything needed to predict) with metadata."""
        import sklearn

        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        state = {"format": MODEL_FORMAT, "model": self, "sklearn": sklearn.__version__,
                 "meta": dict(meta)}
        joblib.dump(state, path, compress=3)
        return path

    @classmethod
    def load(cls, path: str | Path) -> ThemeClassifier:
        path = Path(path)
        if not path.is_file():
            raise FileNotFoundError(f"theme model {path}: no such file")
        state = joblib.load(path)
        if not isinstance(state, dict) or state.get("format") != MODEL_FORMAT:
            raise ValueError(f"theme model {path}: not a policytekst theme model (format {MODEL_FORMAT})")
        model = state["model"]
        model.meta_ = state.get("meta", {})
        model.fingerprint_ = file_fingerprint(path)
        return model


def cut_in_halves(text: str) -> tuple[str, str]:
    """``text`` cut in two at the sentence end nearest its middle (by words); a text of one sentence is cut at its
    middle word. Sentence ends are read by punctuation alone: an abbreviation taken for one only moves the cut."""
    parts = [part for part in _SENTENCE_END.split(text.strip()) if part]
    words = [len(part.split()) for part in parts]
    if len(parts) < 2:
        tokens = text.split()
        return " ".join(tokens[: len(tokens) // 2]), " ".join(tokens[len(tokens) // 2:])
    total, running, cut, best = sum(words), 0, 1, None
    for k in range(1, len(parts)):
        running += words[k - 1]
        gap = abs(total / 2 - running)
        if best is None or gap < best:
            best, cut = gap, k
    return " ".join(parts[:cut]), " ".join(parts[cut:])


def out_of_fold_proba(model: ThemeClassifier, texts: Sequence[str], y: np.ndarray, groups: Sequence[str],
                      n_splits: int = 5, extra_texts: Sequence[str] = (), extra_y: np.ndarray | None = None,
                      repeats: int = 1, seed: int = 0) -> np.ndarray:
    """Out-of-fold probabilities with folds grouped by document; ``extra_*`` (e.g. the team's own passages)
    join every fold's training part and are never scored. With ``repeats`` > 1, the mean over that many
    cross-validations: the first with the documents in their given order, the others shuffled (by ``seed``)."""
    from sklearn.base import clone
    from sklearn.model_selection import GroupKFold

    texts = list(texts)
    groups = np.asarray(groups)
    out = np.zeros(y.shape)
    n_splits = max(2, min(n_splits, len(set(groups.tolist()))))
    splitters = [GroupKFold(n_splits=n_splits)] + [GroupKFold(n_splits=n_splits, shuffle=True, random_state=seed + r)
                                                   for r in range(1, max(1, repeats))]
    for splitter in splitters:
        for train, test in splitter.split(texts, y, groups):
            fold_texts = [texts[i] for i in train] + list(extra_texts)
            fold_y = y[train] if extra_y is None else np.vstack([y[train], extra_y])
            # the learned part is what is tuned, on the passages as labelled: no passage is handed to the codebook
            # by its language, and none is read as two halves, here
            fold = clone(model).set_params(codebook_languages=(), split_long=0).fit(fold_texts, fold_y)
            out[test] += fold.predict_proba([texts[i] for i in test])
    return out / len(splitters)
