"""Finding passages: full-text search (FTS5/BM25 over surface forms and lemmas), KWIC concordances, the
example-passage finder, "more like this", citations and exports.

Every result is a DataFrame whose rows carry ``passage_id`` (the stable link back to the passage) and a
``citation`` string ("Forfatter (år): Tittel, s. N, kap. X").
"""

from policytekst.citation import citation, citations
from policytekst.search.examples import examples, query_scores, usability
from policytekst.search.export import to_markdown, write_handout
from policytekst.search.index import ensure_index
from policytekst.search.kwic import kwic, kwic_counts
from policytekst.search.query import QueryError, parse, search
from policytekst.search.similar import similar_passages

__all__ = [
    "QueryError", "citation", "citations", "ensure_index", "examples", "kwic", "kwic_counts", "parse",
    "query_scores", "search", "similar_passages", "to_markdown", "usability", "write_handout",
]
