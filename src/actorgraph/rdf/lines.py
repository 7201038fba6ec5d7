"""Statements as ordered N-Triples lines: the common ground of every writer.

Subjects are ordered by kind (ontology terms and graphs, then sources,
organisations, projects, partnerships, resources, concepts, then other IRIs,
then blank nodes) and then by IRI, with ``rdf:type`` first. Blank nodes get
canonical labels (the store's own labels are random), so the same statements
always give the same lines.

The work is done on N-Triples lines (dumped by pyoxigraph on a few threads, as
bytes, sorted in C), not on Python term objects, so a million triples stay
cheap. ``rdf:type`` is marked in the lines so that it sorts first in its
subject's block (see ``_TYPE_MARKED``); the mark never leaves this package:
every writer removes it. The N-Triples and N-Quads documents are joined by the
compiled loops of :mod:`actorgraph._turtle` when it was built, by the same
loops in Python otherwise (:func:`_document_py`; the two give the same bytes).

>>> import pyoxigraph as ox
>>> ex = "http://example.org/"
>>> lines = statement_lines([
...     ox.Quad(ox.NamedNode(ex + "b"), ox.NamedNode(ex + "p"), ox.BlankNode()),
...     ox.Quad(ox.NamedNode(ex + "a"), ox.NamedNode(ex + "p"), ox.Literal("x")),
... ], per_graph=False)
>>> print(_document(lines[None]).decode(), end="")
<http://example.org/a> <http://example.org/p> "x" .
<http://example.org/b> <http://example.org/p> _:c14n0 .
"""

from __future__ import annotations

import bisect
import itertools
import os
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from types import ModuleType

import pyoxigraph as ox

from ..errors import ActorGraphError
from ..namespaces import BASE
from ..store import EmbeddedStore

_compiled: ModuleType | None
try:  # the compiled writer loops, built when a C compiler was there at install
    from .. import _turtle as _compiled
except ImportError:  # pragma: no cover - depends on the installation
    _compiled = None

#: Ordered lines, rdf:type marked: per named graph (IRI), or None for the
#: default graph or the union of the graphs.
Lines = dict[str | None, list[bytes]]

_RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
_XSD = "http://www.w3.org/2001/XMLSchema#"
_KINDS = ("source", "organisation", "project", "partnership", "resource", "concept")

# rdf:type comes first in a subject's lines: its predicate is marked with a byte
# pyoxigraph never writes raw (it escapes control characters) before sorting,
# and the mark is deleted after. The mark keeps the length (``<http`` becomes
# ``<\0ttp``), so marking and unmarking copy the buffer without moving bytes.
_TYPE_NT = f" <{_RDF_TYPE}> ".encode()
_TYPE_MARKED = _TYPE_NT.replace(b"<http:", b"<\x00ttp:")
_MARKED_HTTP = b"<\x00ttp:"


def _cores() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


#: Threads dumping graphs at once: one per core, and at most 4 (each holds a dump).
_DUMP_THREADS = max(1, min(4, _cores()))


def _range(lines: list[bytes], prefix: bytes) -> tuple[int, int]:
    """The slice of sorted ``lines`` that start with ``prefix``."""
    upper = prefix[:-1] + bytes([prefix[-1] + 1])
    return bisect.bisect_left(lines, prefix), bisect.bisect_left(lines, upper)


def ordered_lines(lines: list[bytes], *, unique: bool = True) -> list[bytes]:
    """N-Triples lines (without newline, ``rdf:type`` marked) in export order,
    still marked. Empty lines are dropped, and duplicates too unless the caller
    says the lines are ``unique``.

    Lines are sorted as bytes (in C); as lines of one subject share a prefix,
    each kind of subject is then one slice of the sorted list, found by bisection.
    """
    # pyoxigraph dumps come nearly sorted already, which Python's sort exploits:
    # sorting the concatenation and dropping neighbours that repeat is much
    # faster than deduplicating through a set first (which shuffles the lines).
    ordered = sorted(lines)
    if not unique and ordered:
        ordered = [a for a, b in itertools.pairwise(ordered) if a != b] + ordered[-1:]
    start = 0
    while start < len(ordered) and not ordered[start]:
        start += 1
    if start == len(ordered):
        return []
    del ordered[:start]
    base_lo, base_hi = _range(ordered, f"<{BASE}".encode())
    id_lo, id_hi = _range(ordered, f"<{BASE}id/".encode())
    out = ordered[base_lo:id_lo] + ordered[id_hi:base_hi]  # ontology terms, graphs
    kinds = [_range(ordered, f"<{BASE}id/{kind}/".encode()) for kind in _KINDS]
    for lo, hi in kinds:
        out += ordered[lo:hi]
    done = id_lo
    for lo, hi in sorted(kinds):  # instances of kinds outside the contract
        out += ordered[done:lo]
        done = hi
    out += ordered[done:id_hi]
    out += ordered[:base_lo]  # other IRIs
    out += ordered[base_hi:]  # other IRIs after ours, then blank nodes
    return out


def _document(ordered: list[bytes], *, unique: bool = False, graph: str | None = None) -> bytes:
    """Ordered marked lines as an N-Triples document, the mark removed; a line
    equal to the one before is dropped when ``unique``, and with ``graph`` the
    statements are N-Quads in that graph. Joined in C when the compiled module
    was built.

    >>> print(_document(ordered_lines([b'<http://x/a> <http://x/p> "1" .',
    ...             b'<https://w3id.org/actorgraph/id/project/p> <http://x/p> "2" .',
    ...             b'<http://x/a> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <http://x/C> .'
    ...             .replace(_TYPE_NT, _TYPE_MARKED)])).decode())
    <https://w3id.org/actorgraph/id/project/p> <http://x/p> "2" .
    <http://x/a> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <http://x/C> .
    <http://x/a> <http://x/p> "1" .
    <BLANKLINE>
    """
    term = None if graph is None else f"<{graph}>".encode()
    if _compiled is not None:
        return _compiled.document(ordered, unique, term)
    return _document_py(ordered, unique=unique, graph=term)


def _document_py(ordered: list[bytes], *, unique: bool, graph: bytes | None) -> bytes:
    """:func:`_document` in Python."""
    if unique and ordered:
        ordered = [a for a, b in itertools.pairwise(ordered) if a != b] + ordered[-1:]
    if not ordered:
        return b""
    data = (b"\n".join(ordered) + b"\n").replace(_MARKED_HTTP, b"<http:")
    return data if graph is None else data.replace(b" .\n", b" " + graph + b" .\n")


def _dumps(store: EmbeddedStore, graphs: list[str]) -> Iterator[tuple[str, bytes]]:
    """Each graph's N-Triples dump, in the order of ``graphs``.

    pyoxigraph releases the GIL while it dumps, so the graphs are dumped by a
    few threads at once, and the caller splits one dump while the next are
    being written. Only a few dumps are asked for ahead of the caller, so the
    memory held is that of a few graphs, not of all of them.
    """

    def dump(g: str) -> bytes:
        return store.ox.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.NamedNode(g)) or b""

    workers = min(_DUMP_THREADS, len(graphs))
    if workers < 2:
        yield from ((g, dump(g)) for g in graphs)
        return
    with ThreadPoolExecutor(max_workers=workers) as pool:
        ahead: deque[tuple[str, Future[bytes]]] = deque()
        for g in graphs:
            ahead.append((g, pool.submit(dump, g)))
            if len(ahead) > workers:
                head, done = ahead.popleft()
                yield head, done.result()
        while ahead:
            head, done = ahead.popleft()
            yield head, done.result()


def _blank_quads(store: EmbeddedStore, graphs: list[str]) -> list[ox.Quad]:
    values = " ".join(f"<{g}>" for g in graphs)
    result = store.ox.query(
        f"SELECT ?g ?s ?p ?o WHERE {{ VALUES ?g {{ {values} }} "
        "GRAPH ?g { ?s ?p ?o FILTER(isBlank(?s) || isBlank(?o)) } }"
    )
    assert isinstance(result, ox.QuerySolutions)
    return [ox.Quad(row["s"], row["p"], row["o"], row["g"]) for row in result]


def _marked_lines(data: bytes) -> list[bytes]:
    return data.replace(_TYPE_NT, _TYPE_MARKED).split(b"\n")


def ordered_graph_lines(
    store: EmbeddedStore,
    graphs: list[str],
    *,
    per_graph: bool,
    dedupe: bool = True,
) -> Lines:
    """Ordered N-Triples lines of each graph (``per_graph``) or of their union
    (key None); see :func:`graph_lines`. Without ``dedupe``, a triple of several
    graphs comes once per graph, on neighbouring lines. Lines keep the
    ``rdf:type`` mark, so a subject's types come first."""

    def nt_lines(triples: Iterable[ox.Triple]) -> set[bytes]:
        data = ox.serialize(list(triples), format=ox.RdfFormat.N_TRIPLES) or b""
        return set(_marked_lines(data)) - {b""}

    dumps: dict[str, list[bytes] | set[bytes]] = {}
    with_blanks = []  # graphs that may hold blank nodes ("_:" may also be in a literal)
    for g, data in _dumps(store, graphs):
        if b"_" in data and b"_:" in data:  # looking for one byte first is much faster
            with_blanks.append(g)
        dumps[g] = _marked_lines(data)
    blanks = _blank_quads(store, with_blanks) if with_blanks else []
    if blanks:
        for g in with_blanks:
            name = ox.NamedNode(g)
            dumps[g] = set(dumps[g]) - nt_lines(q.triple for q in blanks if q.graph_name == name)
        if per_graph:
            dataset = ox.Dataset(blanks)
            dataset.canonicalize(ox.CanonicalizationAlgorithm.UNSTABLE)
            for g in with_blanks:
                quads = dataset.quads_for_graph_name(ox.NamedNode(g))
                dumps[g] = set(dumps[g]) | nt_lines(q.triple for q in quads)
        else:
            dataset = ox.Dataset(ox.Quad(q.subject, q.predicate, q.object) for q in blanks)
            dataset.canonicalize(ox.CanonicalizationAlgorithm.UNSTABLE)
            dumps[""] = nt_lines(q.triple for q in dataset)
    if per_graph:
        # A graph's dump holds each triple once: no need to deduplicate.
        return {g: ordered_lines(list(dumps[g])) for g in graphs}
    if len(dumps) == 1:
        return {None: ordered_lines(list(next(iter(dumps.values()))))}
    lines = list(itertools.chain.from_iterable(dumps.values()))
    return {None: ordered_lines(lines, unique=not dedupe)}


def graph_lines(
    store: EmbeddedStore, graphs: list[str], *, per_graph: bool
) -> dict[str | None, bytes]:
    """Sorted N-Triples of each graph (``per_graph``) or of their union (key None).

    Blank nodes are relabelled canonically over all the chosen graphs together,
    so the same input always gives the same labels.
    """
    # The union's repeated triples are dropped while joining, in C, when it was built.
    late = _compiled is not None
    ordered = ordered_graph_lines(store, graphs, per_graph=per_graph, dedupe=not late)
    return {g: _document(lines, unique=late) for g, lines in ordered.items()}


def statement_lines(statements: Iterable[ox.Quad], *, per_graph: bool) -> Lines:
    """Ordered lines of a collection of statements, as :func:`ordered_graph_lines`
    gives those of a store's graphs: per graph (``per_graph``: the default graph
    under None first, then the named graphs by IRI), or of their union (None).

    Blank nodes are relabelled canonically over all the statements together,
    from the statements that hold one only, as for a store's graphs, so the
    same statements give the same lines whatever their order and labels.

    >>> ex = "http://example.org/"
    >>> quads = [ox.Quad(ox.NamedNode(ex + "s"), ox.NamedNode(ex + "p"), ox.Literal("1"), g)
    ...          for g in (ox.NamedNode(ex + "g"), ox.DefaultGraph())]
    >>> {g: len(lines) for g, lines in statement_lines(quads, per_graph=True).items()}
    {None: 1, 'http://example.org/g': 1}
    >>> {g: len(lines) for g, lines in statement_lines(quads, per_graph=False).items()}
    {None: 1}
    """
    union = ox.DefaultGraph()
    by_graph: dict[ox.NamedNode | ox.DefaultGraph, list[ox.Triple]] = {}
    blanks: list[ox.Quad] = []
    for quad in statements:
        graph = quad.graph_name if per_graph else union
        if isinstance(graph, ox.BlankNode):
            raise ActorGraphError(
                f"cannot write a graph named by a blank node ({graph}): name it with an IRI"
            )
        triples = by_graph.setdefault(graph, [])
        if isinstance(quad.subject, ox.BlankNode) or isinstance(quad.object, ox.BlankNode):
            blanks.append(quad if per_graph else ox.Quad(quad.subject, quad.predicate, quad.object))
        else:
            triples.append(quad.triple)
    if blanks:
        dataset = ox.Dataset(blanks)
        dataset.canonicalize(ox.CanonicalizationAlgorithm.UNSTABLE)
        for quad in dataset:
            by_graph[quad.graph_name].append(quad.triple)
    if not per_graph:
        by_graph.setdefault(union, [])
    names = sorted((g for g in by_graph if isinstance(g, ox.NamedNode)), key=lambda g: g.value)
    out: Lines = {}
    for graph in ([union] if union in by_graph else []) + names:
        data = ox.serialize(by_graph[graph], format=ox.RdfFormat.N_TRIPLES) or b""
        key = graph.value if isinstance(graph, ox.NamedNode) else None
        # The same statement may come twice: the lines are deduplicated.
        out[key] = ordered_lines(_marked_lines(data), unique=False)
    return out
