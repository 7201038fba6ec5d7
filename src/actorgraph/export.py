"""Deterministic serialisations of the graph: the same input gives the same bytes.

Subjects are ordered by kind (ontology terms, then sources, organisations,
projects, partnerships, resources, concepts, then other IRIs, then blank
nodes) and then by IRI, with ``rdf:type`` first. Blank nodes get canonical
labels (the store's own labels are random), and Turtle/TriG declare only the
prefixes they use, in the order of :data:`actorgraph.namespaces.PREFIXES`.

The work is done on N-Triples lines dumped by pyoxigraph (on a few threads,
as bytes, sorted in C), not on Python term objects, so a million triples stay
cheap. Turtle and TriG blocks, and the N-Triples and N-Quads documents, are
written by the compiled loops of :mod:`actorgraph._turtle` when it was built,
by the same loops in Python otherwise (:func:`_turtle_blocks_py`,
:func:`_document_py`; the two give the same bytes).

>>> store = EmbeddedStore()
>>> _ = store.load_bytes(b'''
... <https://w3id.org/actorgraph/id/organisation/b> <http://www.w3.org/2004/02/skos/core#prefLabel> "B"@fr .
... <https://w3id.org/actorgraph/id/organisation/b> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <https://w3id.org/actorgraph/ontology#Association> .
... <https://w3id.org/actorgraph/id/source/s> <http://www.w3.org/ns/adms#x> "1"^^<http://www.w3.org/2001/XMLSchema#integer> .
... ''', "nt", graph="https://w3id.org/actorgraph/graph/g")
>>> print(serialize(store, "ttl").decode())
@prefix ag:    <https://w3id.org/actorgraph/ontology#> .
@prefix agorg: <https://w3id.org/actorgraph/id/organisation/> .
@prefix agsrc: <https://w3id.org/actorgraph/id/source/> .
@prefix adms:  <http://www.w3.org/ns/adms#> .
@prefix skos:  <http://www.w3.org/2004/02/skos/core#> .
<BLANKLINE>
agsrc:s
    adms:x 1 .
<BLANKLINE>
agorg:b
    a ag:Association ;
    skos:prefLabel "B"@fr .
<BLANKLINE>
"""

from __future__ import annotations

import bisect
import itertools
import os
import re
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from types import ModuleType
from typing import TypeVar

import pyoxigraph as ox

from .errors import ActorGraphError
from .fsutil import atomic_open
from .namespaces import BASE, PREFIXES
from .project import GROUPS, group_of
from .store import EmbeddedStore

_compiled: ModuleType | None
try:  # the compiled Turtle writer, built when a C compiler was there at install
    from . import _turtle as _compiled
except ImportError:  # pragma: no cover - depends on the installation
    _compiled = None

#: Export format name → file extension. ``jsonld`` is written by :mod:`actorgraph.jsonld`.
EXPORT_FORMATS: dict[str, str] = {
    "ttl": "ttl",
    "nt": "nt",
    "nq": "nq",
    "trig": "trig",
}

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


def select_graphs(store: EmbeddedStore, groups: Iterable[str] | None) -> list[str]:
    """The named graphs of the given groups (all graphs when ``groups`` is None)."""
    if groups is None:
        return store.graphs()
    wanted = set(groups)
    unknown = wanted - set(GROUPS)
    if unknown:
        raise ActorGraphError(
            f"unknown graph group {', '.join(sorted(unknown))}; expected {', '.join(GROUPS)}",
            field="--graph",
        )
    return [g for g in store.graphs() if group_of(g) in wanted]


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
) -> dict[str | None, list[bytes]]:
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


# ---- Turtle -----------------------------------------------------------------

# A prefixed name's local part, restricted to ASCII letters, digits, _ and - (and
# inner dots), which every Turtle parser reads the same way.
# An IRI term cut after its last ``/`` or ``#``, when the rest is such a local part.
_NAMESPACE_LOCAL = re.compile(rb"<(.*[/#])((?:[A-Za-z0-9_](?:[A-Za-z0-9_.\-]*[A-Za-z0-9_\-])?)?)>")
_INTEGER = re.compile(rb"[+-]?[0-9]+")
_XSD_INTEGER = f"<{_XSD}integer>".encode()
_XSD_BOOLEAN = f"<{_XSD}boolean>".encode()


_V = TypeVar("_V")


class _Memo(dict[bytes, _V]):
    """A dictionary that computes a missing entry once: looking a term up is
    then a C-level hit for every later occurrence."""

    def __init__(self, compute: Callable[[bytes], _V]) -> None:
        super().__init__()
        self.compute = compute

    def __missing__(self, key: bytes) -> _V:
        value = self[key] = self.compute(key)
        return value


class _Abbreviator:
    """Turns N-Triples terms into Turtle terms, remembering the prefixes it used.

    Every distinct term is abbreviated once (``iris``, ``objects``); the
    writer's loop then only looks terms up.
    """

    def __init__(self) -> None:
        self.by_namespace = {iri.encode(): prefix for prefix, iri in PREFIXES.items()}
        self.used: set[str] = set()
        self.iris = _Memo(self._iri)
        #: an N-Triples line's end after the predicate (``object .``) → Turtle object
        self.objects = _Memo(self._object)

    def _iri(self, term: bytes) -> bytes:
        split = _NAMESPACE_LOCAL.fullmatch(term)
        if split is not None:
            prefix = self.by_namespace.get(split[1])
            if prefix is not None:
                self.used.add(prefix)
                return prefix.encode() + b":" + split[2]
        return term

    def _object(self, rest: bytes) -> bytes:
        term = rest[:-2]
        if term[-1:] != b">":
            return term  # plain or language-tagged literal, blank node: the same in Turtle
        if b"\x00" in term:
            term = term.replace(_MARKED_HTTP, b"<http:")  # rdf:type as an object
        if term[:1] == b"<":
            return self.iris[term]
        lexical, _, datatype = term.rpartition(b"^^")
        if datatype == _XSD_INTEGER and _INTEGER.fullmatch(lexical, 1, len(lexical) - 1):
            return lexical[1:-1]
        if datatype == _XSD_BOOLEAN and lexical in (b'"true"', b'"false"'):
            return lexical[1:-1]
        return lexical + b"^^" + self.iris[datatype]

    def header(self) -> bytes:
        used = [p for p in PREFIXES if p in self.used]
        width = max((len(p) for p in used), default=0) + 1
        return "".join(
            f"@prefix {(p + ':').ljust(width)} <{PREFIXES[p]}> .\n" for p in used
        ).encode()


_TYPE_MARKED_TERM = _TYPE_MARKED[1:-1]
_NAMESPACES = tuple((iri.encode(), prefix.encode()) for prefix, iri in PREFIXES.items())
_PREFIX_NAMES = tuple(PREFIXES)


def _turtle_blocks(lines: list[bytes], abbr: _Abbreviator, indent: bytes = b"") -> list[bytes]:
    """One block per subject, ``;`` between predicates, ``,`` between objects,
    from ordered marked lines; returns the pieces to join.

    The compiled writer (:mod:`actorgraph._turtle`) does it when it was built,
    and :func:`_turtle_blocks_py` otherwise: the same bytes either way (tested).
    """
    if _compiled is None or not lines:
        return _turtle_blocks_py(lines, abbr, indent)
    body, used = _compiled.blocks(lines, _NAMESPACES, indent)
    abbr.used.update(_PREFIX_NAMES[i] for i in used)
    return [body]


def _turtle_blocks_py(lines: list[bytes], abbr: _Abbreviator, indent: bytes = b"") -> list[bytes]:
    """The Turtle writer's loop in Python (see :func:`_turtle_blocks`).

    The loop runs once per triple, so it is kept to a split, a few dictionary
    hits and appends: every distinct term is abbreviated once (``_Memo``), and
    each predicate's separator, indent and name are one precomputed piece.
    """
    out: list[bytes] = []
    append = out.append
    objects = abbr.objects
    pad = b"\n" + indent + b"    "

    def predicate(p: bytes) -> bytes:
        return b"a" if p == _TYPE_MARKED_TERM else abbr.iris[p]

    first = _Memo(lambda p: pad + predicate(p) + b" ")
    then = _Memo(lambda p: b" ;" + pad + predicate(p) + b" ")
    subjects = _Memo(lambda s: indent + abbr.iris[s]) if indent else abbr.iris
    long_pad = b" ,\n" + indent + b"        "
    subject = predicate_term = b""
    for line in lines:
        s, p, rest = line.split(b" ", 2)
        # Plain and language-tagged literals read the same in Turtle: no look-up.
        o = objects[rest] if rest[-3] == 62 else rest[:-2]  # 62: ">"
        if s == subject:
            if p == predicate_term:
                if o == out[-1]:
                    continue  # the same triple from another graph
                append(long_pad if len(o) > 60 else b" , ")
                append(o)
                continue
            append(then[p])
        else:
            if subject:
                append(b" .\n\n")
            subject = s
            append(subjects[s])
            append(first[p])
        predicate_term = p
        append(o)
    if subject:
        append(b" .\n")
    return out


def _unmarked(pieces: list[bytes]) -> bytes:
    """Joined pieces; a literal whose text holds the marked ``rdf:type`` IRI skipped
    the object look-up, so its mark is removed here (pyoxigraph escapes a raw NUL,
    so a NUL byte in the output can only be a mark)."""
    data = b"".join(pieces)
    return data.replace(_MARKED_HTTP, b"<http:") if b"\x00" in data else data


def turtle(lines: list[bytes]) -> bytes:
    """Ordered marked lines (:func:`ordered_graph_lines`) as readable Turtle."""
    abbr = _Abbreviator()
    body = _turtle_blocks(lines, abbr)
    header = abbr.header()
    return _unmarked([header, b"\n" if header and body else b"", *body])


def trig(per_graph: dict[str | None, list[bytes]]) -> bytes:
    """Ordered marked lines per named graph as TriG: one ``GRAPH { … }`` block per graph."""
    abbr = _Abbreviator()
    blocks: list[bytes] = []
    for g, lines in per_graph.items():
        if not lines:
            continue
        if blocks:
            blocks.append(b"\n")
        blocks += (abbr.iris[f"<{g}>".encode()], b" {\n")
        blocks += _turtle_blocks(lines, abbr, indent=b"    ")
        blocks.append(b"}\n")
    header = abbr.header()
    return _unmarked([header, b"\n" if header and blocks else b"", *blocks])


def serialize(store: EmbeddedStore, fmt: str, graphs: list[str] | None = None) -> bytes:
    """The graph in ``fmt`` (ttl, nt, nq, trig), byte-for-byte stable."""
    if fmt not in EXPORT_FORMATS:
        raise ActorGraphError(
            f"unknown export format {fmt!r}; expected one of {', '.join(EXPORT_FORMATS)}",
            field="--format",
        )
    chosen = store.graphs() if graphs is None else graphs
    if fmt == "trig":
        return trig(ordered_graph_lines(store, chosen, per_graph=True))
    if fmt == "nq":
        ordered = ordered_graph_lines(store, chosen, per_graph=True)
        return b"".join(_document(lines, graph=g) for g, lines in ordered.items() if g is not None)
    if fmt == "ttl":
        return turtle(ordered_graph_lines(store, chosen, per_graph=False, dedupe=False)[None])
    return graph_lines(store, chosen, per_graph=False)[None]


def write(store: EmbeddedStore, fmt: str, path: Path, graphs: list[str] | None = None) -> int:
    """Write the graph to ``path`` atomically; returns the number of bytes."""
    data = serialize(store, fmt, graphs)
    with atomic_open(path) as handle:
        handle.write(data)
    return len(data)
