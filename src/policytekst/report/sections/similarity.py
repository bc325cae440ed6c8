"""Document similarity map: documents as TF-IDF vectors of their content lemmas, laid out in two dimensions.

Documents that use the same vocabulary land close together. The layout is PCA of an LSA projection (see
:func:`layout`). Each document's nearest neighbour and its cosine similarity are in the table: exact TF-IDF
cosines up to EXACT_LIMIT documents, LSA cosines above (a dense n x n comparison would not fit in memory).
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np
import pandas as pd

from policytekst.model import ANALYSIS_KINDS
from policytekst.report import html as h
from policytekst.report import plots
from policytekst.report.base import ReportContext, Section, Unavailable, require

KEY = "similarity"
EXACT_LIMIT = 3000  # documents; up to here nearest neighbours use full TF-IDF vectors, above it LSA vectors


def document_lemmas(ctx: ReportContext) -> dict[str, list[str]]:
    """Content lemmas per document (the language layer's cache when present, else computed here)."""
    passage_doc = ctx.passages().set_index("passage_id")["doc_id"]
    bags: dict[str, list[str]] = defaultdict(list)
    try:
        passage_lemmas = require("policytekst.nlp.cache", "passage_lemmas")
        for passage_id, lemmas in passage_lemmas(ctx.corpus, kinds=ANALYSIS_KINDS):
            doc_id = passage_doc.get(passage_id)
            if doc_id is not None:
                bags[doc_id].extend(lemmas)
    except Unavailable:
        content_lemmas = require("policytekst.nlp", "content_lemmas")
        for record in ctx.passages().itertuples(index=False):
            bags[record.doc_id].extend(content_lemmas(record.text))
    return dict(bags)


def layout(matrix, seed: int) -> tuple[np.ndarray, str]:
    """2-D coordinates of documents from their TF-IDF matrix, and a description of the method.

    LSA first (a few dozen latent dimensions keep the shared-vocabulary structure and drop the noise that
    makes all short documents look equally far apart), then PCA of the normalised LSA vectors. (Metric MDS on
    raw TF-IDF distances draws a meaningless ring when most documents share few words.)
    """
    from sklearn.decomposition import PCA, TruncatedSVD
    from sklearn.preprocessing import normalize

    n, n_terms = matrix.shape
    dims = max(2, min(50, n // 3, n_terms - 1))
    latent = normalize(TruncatedSVD(n_components=dims, random_state=seed).fit_transform(matrix))
    return PCA(n_components=2, random_state=seed).fit_transform(latent), f"PCA av LSA ({dims} dimensjoner)"


def nearest_neighbours(vectors: np.ndarray, chunk: int = 1024) -> tuple[np.ndarray, np.ndarray]:
    """For L2-normalised rows: index of each row's most similar other row and that cosine similarity.

    Blocked dot products in float32: memory stays at chunk x n (about 130 MB for 32k documents), and it is
    several times faster than a general k-NN search with cosine distances.
    """
    import scipy.sparse as sp

    sparse = sp.issparse(vectors)
    data = vectors.astype(np.float32).tocsr() if sparse else np.ascontiguousarray(vectors, dtype=np.float32)
    n = data.shape[0]
    best = np.empty(n, dtype=np.int64)
    score = np.empty(n, dtype=np.float64)
    for start in range(0, n, chunk):
        block = data[start:start + chunk] @ data.T
        block = block.toarray() if sparse else block
        rows = np.arange(block.shape[0])
        block[rows, start + rows] = -np.inf  # never one's own neighbour
        best[start:start + chunk] = block.argmax(axis=1)
        score[start:start + chunk] = block[rows, best[start:start + chunk]]
    return best, np.clip(score, -1.0, 1.0)


def build(ctx: ReportContext) -> Section:
    from sklearn.decomposition import TruncatedSVD
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.preprocessing import normalize

    section = Section(KEY, "Dokumentlikhet", "Document similarity map")
    bags = document_lemmas(ctx)
    doc_ids = [d for d in sorted(bags) if bags[d]]
    if len(doc_ids) < 3:
        raise Unavailable(f"a map needs at least 3 documents with text; this corpus has {len(doc_ids)}")
    vectorizer = TfidfVectorizer(analyzer=lambda bag: bag, min_df=2 if len(doc_ids) >= 10 else 1,
                                 max_df=0.95, sublinear_tf=True, max_features=50_000)
    matrix = vectorizer.fit_transform([bags[d] for d in doc_ids])
    if matrix.shape[1] < 3:
        raise Unavailable("too few shared words between documents to compare them")
    if len(doc_ids) <= EXACT_LIMIT:
        vectors = normalize(matrix)  # sparse: exact cosine similarities between the documents
        space = f"TF-IDF ({matrix.shape[1]:,} ord)"
    else:
        dims = min(100, matrix.shape[1] - 1, len(doc_ids) - 1)
        vectors = normalize(TruncatedSVD(n_components=dims, random_state=ctx.params.seed).fit_transform(matrix))
        space = f"LSA ({dims} dimensjoner av {matrix.shape[1]:,} ord)"
    coords, method = layout(matrix, ctx.params.seed)
    nearest, similarity_score = nearest_neighbours(vectors)
    docs = ctx.documents().set_index("doc_id")
    points = pd.DataFrame({"doc_id": doc_ids, "x": coords[:, 0], "y": coords[:, 1]})
    for column in ("title", "year", "genre"):
        points[column] = docs[column].reindex(doc_ids).to_numpy() if column in docs else None
    # Documents without a title (rows of a CSV of texts) are named by their id.
    points["title"] = points["title"].where(points["title"].notna() & (points["title"].astype(str) != ""),
                                            points["doc_id"])
    points["nearest_doc_id"] = [doc_ids[i] for i in nearest]
    points["nearest_title"] = points.set_index("doc_id")["title"].reindex(points["nearest_doc_id"]).to_numpy()
    points["similarity"] = similarity_score
    points["year"] = pd.to_numeric(points["year"], errors="coerce").astype("Int64")
    section.tables["map"] = points
    color = "year" if points["year"].notna().any() else "genre"
    svg = plots.scatter_map(points.assign(year=points["year"].astype(float)), color_by=color, label_by="title")
    parts = [f'<p class="lead">Hvert punkt er et dokument; dokumenter som bruker de samme ordene ligger nær '
             f"hverandre. Rom: {h.esc(space)}; kart: {h.esc(method)}; farge: {h.esc(color)}. Aksene har ingen "
             "egen betydning – det er avstandene som teller.</p>".replace(",", "\u202f")]
    parts.append(h.figure_html(svg, "Dokumentkart (likhet i ordforråd).", csv_name=ctx.csv_name(KEY, "map"),
                               table=h.table_html(points, max_rows=60), figure_id="fig-similarity"))
    section.figures += 1
    pairs = points.sort_values("similarity", ascending=False)
    pair_key = [tuple(sorted(pair)) for pair in zip(pairs["doc_id"], pairs["nearest_doc_id"], strict=False)]
    pairs = pairs[~pd.Series(pair_key, index=pairs.index).duplicated().to_numpy()].head(10)  # each pair once
    parts.append("<h3>Mest like dokumentpar · most similar pairs</h3>")
    parts.append(h.table_html(pairs, columns=["title", "year", "nearest_title", "similarity"],
                              labels={"nearest_title": "mest lik"}))
    section.html = "".join(parts)
    return section
