"""Document similarity: TF-IDF cosine over content lemmas, or closeness of topic distributions."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from policytekst.model import ANALYSIS_KINDS
from policytekst.topics.units import passage_lemma_lists

SIMILAR_COLUMNS = ["doc_id", "title", "year", "similarity"]
#: where `policytekst topics fit` saves a corpus' default model, and where "topics" similarity looks first
DEFAULT_MODEL_DIR = Path("topics") / "default"


def document_bags(corpus, kinds: Sequence[str] = ANALYSIS_KINDS) -> tuple[list[str], list[list[str]]]:
    """Each document's content lemmas (its passages joined), documents in corpus order."""
    units = passage_lemma_lists(corpus, kinds)
    bags: dict[str, list[str]] = {}
    passage_doc = _passage_docs(corpus, kinds)
    for pid, lemmas in zip(units.passage_ids, units.lemmas, strict=True):
        bags.setdefault(passage_doc[pid], []).extend(lemmas)
    return list(bags), list(bags.values())


def _passage_docs(corpus, kinds: Sequence[str]) -> dict[str, str]:
    sql = f"SELECT passage_id, doc_id FROM passages WHERE kind IN ({', '.join('?' * len(kinds))})"
    return dict(corpus.store.conn.execute(sql, tuple(kinds)).fetchall())


def tfidf_similarities(doc_ids: list[str], bags: list[list[str]], target: str) -> np.ndarray:
    """Cosine similarity of every document to ``target`` in sublinear TF-IDF space."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    vectorizer = TfidfVectorizer(analyzer=lambda bag: bag, sublinear_tf=True, min_df=1)
    matrix = vectorizer.fit_transform(bags)  # rows are L2-normalised, so a dot product is the cosine
    row = matrix[doc_ids.index(target)]
    return np.asarray((matrix @ row.T).todense()).ravel()


def topic_similarities(model, passage_doc: dict[str, str], target: str) -> tuple[list[str], np.ndarray]:
    """1 - Jensen-Shannon distance (base 2, so in [0, 1]) between document topic distributions; a document's
    distribution is its passages' shares weighted by their number of modelled terms."""
    from scipy.spatial.distance import jensenshannon

    shares = model.doc_topics_
    weights = pd.Series(np.maximum(model.n_tokens_, 1), index=shares.index, dtype=float)
    docs = pd.Series([passage_doc.get(pid) for pid in shares.index], index=shares.index)
    keep = docs.notna()
    weighted = shares[keep].mul(weights[keep], axis=0).groupby(docs[keep]).sum()
    dist = weighted.div(weighted.sum(axis=1), axis=0)
    if target not in dist.index:
        raise KeyError(f"document '{target}' has no passages in the topic model (fitted before it was added?)")
    ref = dist.loc[target].to_numpy()
    sims = np.array([1 - jensenshannon(ref, row, base=2) for row in dist.to_numpy()])
    return list(dist.index), sims


def _topic_model(corpus, model):
    from policytekst.topics import TopicModel

    if isinstance(model, (str, Path)):
        return TopicModel.load(model)
    if model is not None:
        return model
    path = corpus.directory / DEFAULT_MODEL_DIR
    if (path / "model.json").is_file():
        saved = TopicModel.load(path)
        if not saved.is_stale(corpus):
            return saved
    # no (fresh) saved model: fit the default one and keep it for the next call
    fitted = TopicModel().fit(corpus)
    fitted.save(path)
    return fitted


def similar_documents(corpus, doc_id: str, n: int = 5, method: str = "tfidf", model=None,
                      kinds: Sequence[str] = ANALYSIS_KINDS) -> pd.DataFrame:
    """Documents most like ``doc_id``: DataFrame(doc_id, title, year, similarity), most similar first.

    ``method`` is "tfidf" (shared vocabulary, weighted by rarity) or "topics" (same mix of topics; uses
    ``model`` — a TopicModel or a saved model directory — else the corpus' saved default model, fitting one
    with default settings when there is none or it is stale).
    """
    document = corpus.store.document(doc_id)
    if document is None:
        raise KeyError(f"no document '{doc_id}' in {corpus.directory}")
    if method == "tfidf":
        ids, bags = document_bags(corpus, kinds)
        if doc_id not in ids:
            raise KeyError(f"document '{doc_id}' has no passages of kinds {', '.join(kinds)} to compare")
        sims = tfidf_similarities(ids, bags, doc_id)
    elif method == "topics":
        ids, sims = topic_similarities(_topic_model(corpus, model), _passage_docs(corpus, kinds), doc_id)
    else:
        raise ValueError(f"unknown similarity method {method!r}; choose tfidf or topics")
    order = [i for i in np.lexsort((np.array(ids), -sims)) if ids[i] != doc_id][:n]
    rows = []
    for i in order:
        other = corpus.store.document(ids[i])
        rows.append((ids[i], other.title if other else None, other.year if other else None, float(sims[i])))
    table = pd.DataFrame(rows, columns=SIMILAR_COLUMNS)
    table.attrs.update({"method": method, "doc_id": doc_id})
    return table
