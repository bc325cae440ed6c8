"""Import layering: the package's modules import downwards only, and no group of modules imports itself in a circle.

Every ``import`` and ``from ... import`` of every module under src/policytekst is read with ``ast`` (including
imports inside functions and under ``if TYPE_CHECKING``: a lazy import is still a dependency). A module belongs to
an *area* (its top-level module or subpackage: ``search``, ``compare``, ``store``, ...); areas are stacked in layers:

    foundation < language (nlp) < corpus < analysis < report < commands < cli

An area may import areas of its own or a lower layer, never a higher one. The analysis areas (themes, topics,
search, compare) are peers: one imports another only through an arrow declared in ``SIDEWAYS`` with its reason.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

import pytest

PACKAGE = "policytekst"
SOURCE = Path(__file__).resolve().parents[1] / "src" / PACKAGE
ROOT = "(package)"  # policytekst/__init__.py: the public API (Corpus, ...)

LAYERS: list[tuple[str, set[str]]] = [
    # plain data, errors, one writer per kind of output; nothing here knows a corpus
    ("foundation", {"errors", "selection", "tables", "model", "versions", "tfidf", "plots", "sidecar", "duplicates", "scores", "db", "textmetrics", "executors"}),
    # tokens, lemmas, sentences, language detection: text in, text out (clean.language uses it, so it is below)
    ("language", {"nlp"}),
    # files -> clean, segmented, described documents in one store; the Corpus object and citations of its passages
    ("corpus", {"read", "clean", "segment", "describe", "pipeline", "ingest", "store", "corpus", "citation", "titles", ROOT}),
    # analyses over a corpus, each returning tables
    ("analysis", {"themes", "topics", "search", "compare"}),
    # presents analysis results (reports, the web app, exchange files for QDA tools and tables); computes nothing
    ("report", {"report", "interop", "web"}),
    # the typer sub-commands
    ("commands", {"commands"}),
    # the entry point
    ("cli", {"cli", "__main__"}),
]
#: the only arrows between peers of the analysis layer, each with its reason (together they must stay acyclic)
SIDEWAYS: dict[tuple[str, str], str] = {
    ("search", "themes"): "search filters and the example finder rank passages by their theme scores",
    ("compare", "topics"): "'similar --method topics' compares topic mixes; keyness, term counts and similarity "
                           "read the same passage lemma units as the topic models (topics.units)",
}
PEER_LAYERS = {"analysis"}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(SOURCE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _modules() -> dict[str, Path]:
    return {_module_name(path): path for path in sorted(SOURCE.rglob("*.py"))}


def _imports(name: str, path: Path, known: set[str]) -> set[str]:
    """The policytekst modules ``name`` imports.

    ``from policytekst.report import html`` depends on the module policytekst.report.html, not on the package's
    ``__init__`` (Python runs that first, but the package is already being imported: no real dependency).
    """
    is_package = path.name == "__init__.py"
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative: resolve against this module's package
                base = name.split(".") if is_package else name.split(".")[:-1]
                base = base[: len(base) - (node.level - 1)]
                module = ".".join([*base, node.module] if node.module else base)
            else:
                module = node.module or ""
            submodules = {f"{module}.{alias.name}" for alias in node.names} & known
            found.update(submodules)
            if len(submodules) < len(node.names):  # some names are the package's own (functions, classes)
                found.add(module)
    return {m for m in found if m == PACKAGE or m.startswith(PACKAGE + ".")}


def _area(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ROOT


def _layer_of() -> dict[str, int]:
    return {area: index for index, (_, areas) in enumerate(LAYERS) for area in areas}


def _edges() -> dict[str, set[str]]:
    modules = _modules()
    known = set(modules)
    return {name: _imports(name, path, known) - {name} for name, path in modules.items()}


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected groups of more than one node (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []
    counter = [0]

    def visit(node: str) -> None:
        index[node] = low[node] = counter[0]
        counter[0] += 1
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph.get(node, ())):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return groups


def _area_graph() -> tuple[dict[str, set[str]], dict[tuple[str, str], list[str]]]:
    graph: dict[str, set[str]] = defaultdict(set)
    why: dict[tuple[str, str], list[str]] = defaultdict(list)
    for module, targets in _edges().items():
        for target in targets:
            a, b = _area(module), _area(target)
            if a != b:
                graph[a].add(b)
                why[(a, b)].append(f"{module} -> {target}")
    return graph, why


# -- the tests ---------------------------------------------------------------------------------------------------
def test_the_reader_sees_the_whole_package():
    modules = _modules()
    assert len(modules) > 50 and "policytekst.cli" in modules and "policytekst.compare.similarity" in modules
    edges = _edges()
    # lazy imports inside functions count: the report's builder opens a corpus, the commands import the report
    assert "policytekst.report" in edges["policytekst.commands.report"]
    assert "policytekst.plots" in edges["policytekst.report.sections.similarity"]  # `from policytekst import plots`


def test_every_area_has_a_layer():
    layer_of = _layer_of()
    missing = sorted({_area(m) for m in _modules()} - set(layer_of))
    assert not missing, f"modules outside any layer (add them to LAYERS in tests/test_layers.py): {missing}"
    declared = [area for _, areas in LAYERS for area in areas]
    assert len(declared) == len(set(declared)), "an area is declared in two layers"


def test_no_import_cycle_between_areas():
    graph, why = _area_graph()
    cycles = _cycles(graph)
    detail = {" <-> ".join(group): sorted(line for (a, b), lines in why.items() if a in group and b in group
                                          for line in lines) for group in cycles}
    assert not cycles, f"areas importing each other in a circle: {detail}"


def test_no_import_cycle_between_modules():
    cycles = _cycles(_edges())
    assert not cycles, f"modules importing each other in a circle: {cycles}"


def test_no_upward_or_undeclared_sideways_import():
    layer_of = _layer_of()
    graph, why = _area_graph()
    wrong = []
    for a, targets in graph.items():
        for b in targets:
            if a not in layer_of or b not in layer_of:
                continue  # reported by test_every_area_has_a_layer
            if layer_of[b] > layer_of[a]:
                wrong.extend(f"upward ({LAYERS[layer_of[a]][0]} -> {LAYERS[layer_of[b]][0]}): {line}"
                             for line in why[(a, b)])
            elif layer_of[b] == layer_of[a] and LAYERS[layer_of[a]][0] in PEER_LAYERS and (a, b) not in SIDEWAYS:
                wrong.extend(f"between analysis peers, undeclared: {line}" for line in why[(a, b)])
    assert not wrong, "\n".join(sorted(wrong))


def test_declared_sideways_arrows_are_real_and_acyclic():
    graph, _ = _area_graph()
    for a, b in SIDEWAYS:
        assert b in graph.get(a, set()), f"{a} -> {b} is declared but no longer used: remove it from SIDEWAYS"
    assert not _cycles({a: {b} for a, b in SIDEWAYS} | {b: set() for _, b in SIDEWAYS})


@pytest.mark.parametrize(("graph", "expected"), [
    ({"a": {"b"}, "b": {"c"}, "c": set()}, []),
    ({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}, [["a", "b", "c"]]),
    ({"a": {"b"}, "b": {"a"}, "c": {"d"}, "d": {"c"}}, [["a", "b"], ["c", "d"]]),
])
def test_cycle_finder(graph, expected):
    assert sorted(_cycles(graph)) == expected


def test_import_reader_resolves_relative_and_package_imports(tmp_path):
    module = tmp_path / "x.py"
    module.write_text("from . import sibling\nfrom policytekst import plots\n"
                      "def f():\n    from policytekst.search.query import search\n    import policytekst.store\n")
    known = {"policytekst.compare.sibling", "policytekst.plots", "policytekst.search.query", "policytekst.store"}
    found = _imports("policytekst.compare.x", module, known)
    assert found == {"policytekst.compare.sibling", "policytekst.plots", "policytekst.search.query",
                     "policytekst.store"}
    module.write_text("from policytekst import Corpus, plots\n")
    assert _imports("policytekst.compare.x", module, known) == {"policytekst", "policytekst.plots"}
