"""Where each result comes from: the named graph, and so the file, of the
statements it is about.

A result about a value of a property (``?focus ?path ?value``, the path one
IRI or its inverse) comes from the graph holding that statement; any other
(a missing property, a rule over the whole node) from a graph typing its focus
node, else one holding statements about it, else the focus itself when it is a
named graph. When several
graphs qualify, the project's own data comes first, then links, vocabularies,
the ontology and the reference data.

>>> from actorgraph.store import EmbeddedStore
>>> from .report import Result
>>> store = EmbeddedStore()
>>> store.load_bytes(b'<http://e/a> <http://e/p> "x" .', "nt",
...                  graph="https://w3id.org/actorgraph/graph/sheet")
1
>>> r = Result("Violation", "http://e/a", "c", "s", path="http://e/p", value="x")
>>> add_graphs(store, [r], {"https://w3id.org/actorgraph/graph/sheet": "data/graph/sheet.ttl"})
>>> r.graph, r.file
('https://w3id.org/actorgraph/graph/sheet', 'data/graph/sheet.ttl')
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path

import pyoxigraph as ox

from ..project import Project, SourceFile, group_of
from ..store import EmbeddedStore
from .report import Result

#: Which graph names a result when several hold its statements (lower first).
_GROUP_RANK = {"data": 0, "links": 1, "vocabulary": 2, "ontology": 3, "reference": 4}

_BATCH = 500


def add_graphs(
    store: EmbeddedStore, results: list[Result], files: Mapping[str, str] | None = None
) -> None:
    """Fill each result's ``graph`` (and ``file``, from ``files``: graph IRI → file)."""
    statements: dict[tuple[str, str, str], list[Result]] = {}
    described: dict[str, list[Result]] = {}
    for r in results:
        if not r.focus.startswith(("http://", "https://", "urn:")):
            continue  # a blank node cannot be named in a query
        path = r.path or ""
        inverse = path.startswith("^")
        iri = path[1:] if inverse else path
        if r.value is not None and "://" in iri and " " not in iri and not iri.startswith("("):
            if not inverse:
                statements.setdefault((r.focus, iri, r.value), []).append(r)
                continue
            if r.value.startswith(("http://", "https://", "urn:")):
                statements.setdefault((r.value, iri, "\0" + r.focus), []).append(r)
                continue
        described.setdefault(r.focus, []).append(r)

    held = _statement_graphs(store, list(statements))
    for key, rs in statements.items():
        for r in rs:
            if key in held:
                _name(r, held[key], files)
            else:  # not found as written (a value the engine spells otherwise)
                described.setdefault(r.focus, []).append(r)
    graphs = set(store.graphs())
    subjects = _subject_graphs(store, list(described))
    for focus, rs in described.items():
        where = subjects.get(focus) or ({focus} if focus in graphs else set())
        for r in rs:
            _name(r, where, files)


def _name(r: Result, graphs: set[str], files: Mapping[str, str] | None) -> None:
    if graphs:
        r.graph = min(graphs, key=_rank)
        r.file = files.get(r.graph) if files is not None else None


def source_files(project: Project, extra: Iterable[SourceFile] = ()) -> dict[str, str]:
    """The file of each named graph of ``project`` (and of ``extra`` sources),
    relative to the project's folder when inside it.

    >>> files = source_files(Project.discover())
    >>> files["https://w3id.org/actorgraph/graph/la-27e-region"]
    'data/graph/la-27e-region.ttl'
    """
    return {s.graph: _shown(s.path, project.root) for s in [*project.sources(), *extra]}


def _shown(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return str(path)


def _rank(graph: str) -> tuple[int, str]:
    return (_GROUP_RANK.get(group_of(graph), 5), graph)


def _statement_graphs(
    store: EmbeddedStore, keys: list[tuple[str, str, str]]
) -> dict[tuple[str, str, str], set[str]]:
    """The graphs holding ``<s> <p> o`` for each key; ``o`` is a lexical form or
    an IRI, or ``"\\0" + IRI`` for an IRI object (an inverse path's focus)."""
    out: dict[tuple[str, str, str], set[str]] = {}
    for i in range(0, len(keys), _BATCH):
        batch = keys[i : i + _BATCH]
        rows = " ".join(
            f"({ox.NamedNode(s)} {ox.NamedNode(p)} {ox.Literal(o.lstrip(chr(0)))})"
            for s, p, o in batch
        )
        q = (
            "SELECT DISTINCT ?s ?p ?v ?g WHERE { VALUES (?s ?p ?v) { " + rows + " } "
            "GRAPH ?g { ?s ?p ?o } FILTER (STR(?o) = ?v) }"
        )
        index: dict[tuple[str, str, str], list[tuple[str, str, str]]] = {}
        for s, p, o in batch:
            index.setdefault((s, p, o.lstrip("\0")), []).append((s, p, o))
        for row in store.query(q):
            for key in index[(row["s"].value, row["p"].value, row["v"].value)]:
                out.setdefault(key, set()).add(row["g"].value)
    return out


def _subject_graphs(store: EmbeddedStore, nodes: list[str]) -> dict[str, set[str]]:
    """The graphs typing each node, or else those holding a statement about it."""
    typed: dict[str, set[str]] = {}
    about: dict[str, set[str]] = {}
    for i in range(0, len(nodes), _BATCH):
        values = " ".join(str(ox.NamedNode(n)) for n in nodes[i : i + _BATCH])
        q = (
            f"SELECT DISTINCT ?s ?g ?typed WHERE {{ VALUES ?s {{ {values} }} "
            f"{{ GRAPH ?g {{ ?s a ?t }} BIND (true AS ?typed) }} UNION {{ GRAPH ?g {{ ?s ?p ?o }} }} }}"
        )
        for row in store.query(q):
            into = typed if row["typed"] is not None else about
            into.setdefault(row["s"].value, set()).add(row["g"].value)
    return {n: typed.get(n) or about[n] for n in {*typed, *about}}


__all__ = ["add_graphs", "source_files"]
