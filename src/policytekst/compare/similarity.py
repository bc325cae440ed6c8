"""Document similarity: TF-IDF cosine over content lemmas, or closeness of topic distributions.

The one implementation: ``policytekst similar`` (:func:`similar_documents`), the report's most similar pairs
(:func:`most_similar_pairs`) and its document map (:func:`document_map`) share :func:`document_vectors`.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import sparse

from policytekst import tfidf
from policytekst.errors import NotEnoughData, PolicytekstError, UnknownNameError, unknown
from policytekst.model import ANALYSIS_KINDS
from policytekst.nlp.cache import passage_lemmas
from policytekst.topics import TopicModel
from policytekst.topics.units import sampled_ids

SIMILAR_COLUMNS = ["doc_id", "title", "year", "similarity"]
NEAREST_COLUMNS = ["doc_id", "nearest_doc_id", "similarity"]
#: where `policytekst topics fit` saves a corpus' default model, and where "topics" similarity looks first
DEFAULT_MODEL_DIR = Path("topics") / "default"


def document_bags(corpus, kinds: Sequence[str] = ANALYSIS_KINDS, max_documents: int | None = None,
                  seed: int = 0) -> tuple[list[str], list[list[str]]]:
    """Each document's content lemmas (its passages joined), documents in corpus order; streamed from the lemma
    cache. With ``max_documents`` and a corpus of more documents: only a seeded uniform random sample of that many
    (:func:`policytekst.topics.units.sampled_ids`), so memory follows the sample, not the corpus."""
    passage_doc = corpus.store.passage_doc_ids(kinds)
    chosen = sampled_ids(dict.fromkeys(passage_doc.values()), max_documents, seed)
    ids = None  # every passage analyses read, else only the sampled documents' (their lemmas alone are computed)
    if chosen is not None:
        ids = [pid for pid in corpus.passage_ids(tuple(kinds)) if passage_doc[pid] in chosen]
    bags: dict[str, list[str]] = {}
    for pid, lemmas in passage_lemmas(corpus, kinds=tuple(kinds), ids=ids):
        bags.setdefault(passage_doc[pid], []).extend(lemmas)
    return list(bags), list(bags.values())


def document_vectors(corpus, kinds: Sequence[str] = ANALYSIS_KINDS, max_documents: int | None = None,
                     seed: int = 0) -> tuple[list[str], sparse.csr_matrix]:
    """Documents (sorted by id, those with content lemmas) and their L2-normalised TF-IDF rows.

    The one document space of the package (weighting: :mod:`policytekst.tfidf`): ``policytekst similar``, the
    report's most similar pairs and its document map all start here, so they cannot disagree. ``max_documents``
    bounds the documents read (a seeded sample, see :func:`document_bags`); the weights are then the sample's.
    """
    ids, bags = document_bags(corpus, kinds, max_documents, seed)
    order = sorted((doc_id, bag) for doc_id, bag in zip(ids, bags, strict=True) if bag)
    doc_ids = [doc_id for doc_id, _ in order]
    if not doc_ids:
        return [], sparse.csr_matrix((0, 0))
    try:
        matrix = tfidf.vectorizer(len(doc_ids)).fit_transform([bag for _, bag in order])
    except ValueError:  # no term survives the document-frequency cuts: nothing is shared
        matrix = sparse.csr_matrix((len(doc_ids), 0))
    return doc_ids, sparse.csr_matrix(matrix, dtype=np.float64)


def tfidf_similarities(doc_ids: list[str], matrix: sparse.csr_matrix, target: str) -> np.ndarray:
    """Cosine similarity of every document to ``target`` (rows of :func:`document_vectors`)."""
    row = matrix[doc_ids.index(target)]
    return np.asarray((matrix @ row.T).todense()).ravel()


BLOCK_CELLS = 4_000_000  # similarities computed at once by nearest_neighbours: 32 MB of float64, whatever n is


def nearest_neighbours(vectors, chunk: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """For L2-normalised rows: index of each row's most similar other row and that cosine similarity.

    Blocked dot products of ``chunk`` rows against all (default: as many rows as keep a block at
    :data:`BLOCK_CELLS` similarities, so memory stays bounded as the corpus grows; each row's values do not depend
    on the block it is in). Several times faster than a general k-NN search. Ties go to the lower index, as in
    :func:`similar_documents` (ids sorted).
    """
    is_sparse = sparse.issparse(vectors)
    data = vectors.tocsr() if is_sparse else np.ascontiguousarray(vectors, dtype=np.float64)
    n = data.shape[0]
    if chunk is None:  # (a dense product's last bits may depend on BLAS blocking: dense input keeps 512 rows)
        chunk = max(16, min(512, BLOCK_CELLS // max(n, 1))) if is_sparse else 512
    best = np.empty(n, dtype=np.int64)
    score = np.empty(n, dtype=np.float64)
    # transposed once: scipy would turn data.T (a CSC view) into CSR again for every block's product
    right = data.T.tocsr() if is_sparse else data.T
    for start in range(0, n, chunk):
        block = data[start:start + chunk] @ right
        block = block.toarray() if sparse.issparse(block) else np.asarray(block)
        rows = np.arange(block.shape[0])
        block[rows, start + rows] = -np.inf  # never one's own neighbour
        best[start:start + chunk] = block.argmax(axis=1)
        score[start:start + chunk] = block[rows, best[start:start + chunk]]
    return best, np.clip(score, -1.0, 1.0)


def nearest_documents(corpus, kinds: Sequence[str] = ANALYSIS_KINDS) -> pd.DataFrame:
    """Every document's most similar other document: DataFrame(doc_id, nearest_doc_id, similarity).

    The same TF-IDF cosine as ``similar_documents(corpus, doc_id, n=1)``, for all documents at once.
    """
    doc_ids, matrix = document_vectors(corpus, kinds)
    if len(doc_ids) < 2:
        return pd.DataFrame(columns=NEAREST_COLUMNS)
    nearest, score = nearest_neighbours(matrix)
    return pd.DataFrame({"doc_id": doc_ids, "nearest_doc_id": [doc_ids[i] for i in nearest],
                         "similarity": score}, columns=NEAREST_COLUMNS)


def most_similar_pairs(corpus, n: int = 10, kinds: Sequence[str] = ANALYSIS_KINDS) -> pd.DataFrame:
    """The ``n`` most similar pairs of documents (each pair once): DataFrame(doc_id, nearest_doc_id, similarity)."""
    return pairs_of(nearest_documents(corpus, kinds), n)


def pairs_of(nearest: pd.DataFrame, n: int = 10) -> pd.DataFrame:
    """The ``n`` strongest rows of a nearest-neighbour table (:func:`nearest_documents`, or the map's columns of
    :func:`document_map`), each pair of documents once, most similar first."""
    table = nearest[NEAREST_COLUMNS].sort_values(["similarity", "doc_id"], ascending=[False, True])
    pair = pd.Series([tuple(sorted(p)) for p in zip(table["doc_id"], table["nearest_doc_id"], strict=True)],
                     index=table.index, dtype=object)
    return table[~pair.duplicated().to_numpy()].head(n).reset_index(drop=True)


# documents a map shows at most: the nearest-neighbour step costs n^2, so a bigger corpus is mapped on a sample
MAX_MAP_DOCUMENTS = 50_000


def document_map(corpus, seed: int = 0, kinds: Sequence[str] = ANALYSIS_KINDS,
                 max_documents: int | None = MAX_MAP_DOCUMENTS) -> pd.DataFrame:
    """Documents laid out in two dimensions by their vocabulary: DataFrame(doc_id, x, y, nearest_doc_id,
    similarity); ``attrs["method"]`` describes the layout, ``attrs["n_terms"]`` the size of the vocabulary,
    ``attrs["sampled"]`` whether a corpus of more than ``max_documents`` documents was mapped on a seeded uniform
    random sample of that many (nearest neighbours among the sample; time and memory stay bounded; None maps
    every document) and ``attrs["documents"]`` how many the corpus has.

    LSA first (latent dimensions keep the shared-vocabulary structure and drop the noise that makes all short
    documents look equally far apart), then PCA of the normalised LSA vectors. (Metric MDS on raw TF-IDF
    distances draws a meaningless ring when most documents share few words.) The LSA space keeps up to n - 1
    dimensions (at most 50): with fewer, groups of documents beyond the number of dimensions collapse onto the
    same spot after normalising (three subjects in two dimensions put the third between the other two).
    Raises NotEnoughData with fewer than 3 documents or 3 shared terms.
    """
    # scikit-learn is slow to import; only the map needs these
    from sklearn.decomposition import PCA, TruncatedSVD
    from sklearn.preprocessing import normalize

    doc_ids, matrix = document_vectors(corpus, kinds, max_documents, seed)
    if len(doc_ids) < 3:
        raise NotEnoughData(f"a map needs at least 3 documents with text; this corpus has {len(doc_ids)}")
    if matrix.shape[1] < 3:
        raise NotEnoughData("too few shared words between documents to compare them")
    n, n_terms = matrix.shape
    dims = max(2, min(50, n - 1, n_terms - 1))
    latent = normalize(TruncatedSVD(n_components=dims, random_state=seed).fit_transform(matrix))
    coords = PCA(n_components=2, random_state=seed).fit_transform(latent)
    nearest, score = nearest_neighbours(matrix)
    table = pd.DataFrame({"doc_id": doc_ids, "x": coords[:, 0], "y": coords[:, 1],
                          "nearest_doc_id": [doc_ids[i] for i in nearest], "similarity": score})
    in_corpus = len(set(corpus.store.passage_doc_ids(kinds).values()))
    sampled = max_documents is not None and in_corpus > max_documents
    table.attrs.update(method=f"PCA av LSA ({dims} dimensjoner)", n_terms=int(n_terms), sampled=sampled,
                       documents=in_corpus if sampled else len(doc_ids))
    return table


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
        raise PolicytekstError(f"document {target!r} has no passages in the topic model (fitted before it was "
                               "added? fit the model again)")
    ref = dist.loc[target].to_numpy()
    sims = np.array([1 - jensenshannon(ref, row, base=2) for row in dist.to_numpy()])
    return list(dist.index), sims


def _topic_model(corpus, model):
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
        raise UnknownNameError(f"no document {doc_id!r} in {corpus.directory}")
    if method == "tfidf":
        ids, matrix = document_vectors(corpus, kinds)
        if doc_id not in ids:
            raise NotEnoughData(f"document {doc_id!r} has no content words in passages of kinds "
                                f"{', '.join(kinds)} to compare")
        sims = tfidf_similarities(ids, matrix, doc_id)
    elif method == "topics":
        ids, sims = topic_similarities(_topic_model(corpus, model), corpus.store.passage_doc_ids(kinds), doc_id)
    else:
        raise unknown("similarity method", method, ("tfidf", "topics"))
    order = [i for i in np.lexsort((np.array(ids), -sims)) if ids[i] != doc_id][:n]
    rows = []
    for i in order:
        other = corpus.store.document(ids[i])
        rows.append((ids[i], other.title if other else None, other.year if other else None, float(sims[i])))
    table = pd.DataFrame(rows, columns=SIMILAR_COLUMNS)
    table.attrs.update({"method": method, "doc_id": doc_id})
    return table
