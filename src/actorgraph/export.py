"""Deterministic serialisations of the graph: the same input gives the same bytes.

Subjects are ordered by kind (ontology terms, then sources, organisations,
projects, partnerships, resources, concepts, then other IRIs, then blank
nodes) and then by IRI, with ``rdf:type`` first. Blank nodes get canonical
labels (the store's own labels are random), and Turtle/TriG declare only the
prefixes they use, in the order of :data:`actorgraph.namespaces.PREFIXES`.

The work is done on N-Triples lines dumped by pyoxigraph (bytes, sorted in
C), not on Python term objects, so a million triples stay cheap.

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
import re
from collections.abc import Iterable
from pathlib import Path

import pyoxigraph as ox

from .errors import ActorGraphError
from .fsutil import atomic_open
from .namespaces import BASE, PREFIXES
from .project import GROUPS, group_of
from .store import EmbeddedStore

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
# and the mark is deleted after.
_MARK_TYPE = b"\x00"
_TYPE_NT = f" <{_RDF_TYPE}> ".encode()
_TYPE_MARKED = b" " + _MARK_TYPE + _TYPE_NT[1:]


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


def sort_lines(lines: list[bytes], *, unique: bool = True) -> bytes:
    """N-Triples lines (without newline, ``rdf:type`` marked) in export order,
    as one N-Triples document with the mark removed. Empty lines are dropped,
    and duplicates too unless the caller says the lines are ``unique``.

    Lines are sorted as bytes (in C); as lines of one subject share a prefix,
    each kind of subject is then one slice of the sorted list, found by bisection.

    >>> print(sort_lines([b'<http://x/a> <http://x/p> "1" .',
    ...             b'<https://w3id.org/actorgraph/id/project/p> <http://x/p> "2" .',
    ...             b'<http://x/a> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <http://x/C> .'
    ...             .replace(_TYPE_NT, _TYPE_MARKED)]).decode())
    <https://w3id.org/actorgraph/id/project/p> <http://x/p> "2" .
    <http://x/a> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <http://x/C> .
    <http://x/a> <http://x/p> "1" .
    <BLANKLINE>
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
        return b""
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
    out.append(b"")
    return b"\n".join(out).replace(_TYPE_MARKED, _TYPE_NT)


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


def _nt_lines(triples: Iterable[ox.Triple]) -> set[bytes]:
    data = ox.serialize(list(triples), format=ox.RdfFormat.N_TRIPLES) or b""
    return set(_marked_lines(data)) - {b""}


def graph_lines(
    store: EmbeddedStore, graphs: list[str], *, per_graph: bool
) -> dict[str | None, bytes]:
    """Sorted N-Triples of each graph (``per_graph``) or of their union (key None).

    Blank nodes are relabelled canonically over all the chosen graphs together,
    so the same input always gives the same labels.
    """
    dumps: dict[str, list[bytes] | set[bytes]] = {}
    with_blanks = []  # graphs that may hold blank nodes ("_:" may also be in a literal)
    for g in graphs:
        data = store.ox.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.NamedNode(g)) or b""
        if b"_:" in data:
            with_blanks.append(g)
        dumps[g] = _marked_lines(data)
    blanks = _blank_quads(store, with_blanks) if with_blanks else []
    if blanks:
        for g in with_blanks:
            name = ox.NamedNode(g)
            dumps[g] = set(dumps[g]) - _nt_lines(q.triple for q in blanks if q.graph_name == name)
        if per_graph:
            dataset = ox.Dataset(blanks)
            dataset.canonicalize(ox.CanonicalizationAlgorithm.UNSTABLE)
            for g in with_blanks:
                quads = dataset.quads_for_graph_name(ox.NamedNode(g))
                dumps[g] = set(dumps[g]) | _nt_lines(q.triple for q in quads)
        else:
            dataset = ox.Dataset(ox.Quad(q.subject, q.predicate, q.object) for q in blanks)
            dataset.canonicalize(ox.CanonicalizationAlgorithm.UNSTABLE)
            dumps[""] = _nt_lines(q.triple for q in dataset)
    if per_graph:
        # A graph's dump holds each triple once: no need to deduplicate.
        return {g: sort_lines(list(dumps[g])) for g in graphs}
    if len(dumps) == 1:
        return {None: sort_lines(list(next(iter(dumps.values()))))}
    return {None: sort_lines([line for lines in dumps.values() for line in lines], unique=False)}


# ---- Turtle -----------------------------------------------------------------

# A prefixed name's local part, restricted to ASCII letters, digits, _ and - (and
# inner dots), which every Turtle parser reads the same way.
_LOCAL = re.compile(r"[A-Za-z0-9_](?:[A-Za-z0-9_.\-]*[A-Za-z0-9_\-])?|")
_INTEGER = re.compile(r"[+-]?[0-9]+")


class _Abbreviator:
    """Turns N-Triples terms into Turtle terms, remembering the prefixes it used."""

    def __init__(self) -> None:
        self.by_namespace = {iri: prefix for prefix, iri in PREFIXES.items()}
        self.used: set[str] = set()
        self.memo: dict[str, str] = {}

    def iri(self, term: str) -> str:
        found = self.memo.get(term)
        if found is not None:
            return found
        iri = term[1:-1]
        cut = max(iri.rfind("/"), iri.rfind("#")) + 1
        prefix = self.by_namespace.get(iri[:cut])
        out = term
        if prefix is not None and _LOCAL.fullmatch(iri[cut:]):
            out = f"{prefix}:{iri[cut:]}"
            self.used.add(prefix)
        self.memo[term] = out
        return out

    def object(self, term: str) -> str:
        first = term[0]
        if first == "<":
            return self.iri(term)
        if first == '"' and term[-1] == ">":
            lexical, _, datatype = term.rpartition("^^")
            if datatype == f"<{_XSD}integer>" and _INTEGER.fullmatch(lexical[1:-1]):
                return lexical[1:-1]
            if datatype == f"<{_XSD}boolean>" and lexical in ('"true"', '"false"'):
                return lexical[1:-1]
            return f"{lexical}^^{self.iri(datatype)}"
        return term

    def header(self) -> str:
        used = [p for p in PREFIXES if p in self.used]
        width = max((len(p) for p in used), default=0) + 1
        return "".join(f"@prefix {(p + ':').ljust(width)} <{PREFIXES[p]}> .\n" for p in used)


def _turtle_blocks(ntriples: bytes, abbr: _Abbreviator, indent: str = "") -> str:
    """One block per subject, ``;`` between predicates, ``,`` between objects.

    The loop runs once per triple, so it is kept to a few dictionary look-ups
    and appends: terms are abbreviated once each and remembered.
    """
    out: list[str] = []
    append = out.append
    terms: dict[str, str] = {}
    get = terms.get
    predicates: dict[str, str] = {f"<{_RDF_TYPE}>": "a"}
    pad = "\n" + indent + "    "
    long_pad = " ,\n" + indent + "        "
    subject = predicate = ""
    for line in ntriples.decode("utf-8").split("\n"):
        if not line:
            continue
        s, p, rest = line.split(" ", 2)
        o = rest[:-2]
        if o[-1] != ">" and o[0] == '"':
            t = o  # a plain or language-tagged literal reads the same in Turtle
        else:
            known = get(o)
            if known is None:
                known = terms[o] = abbr.object(o)
            t = known
        if s == subject:
            if p == predicate:
                append(long_pad if len(t) > 60 else " , ")
                append(t)
                continue
            append(" ;")
        else:
            if subject:
                append(" .\n\n")
            subject = s
            append(indent)
            append(abbr.object(s))
        predicate = p
        tp = predicates.get(p)
        if tp is None:
            tp = predicates[p] = abbr.iri(p)
        append(pad)
        append(tp)
        append(" ")
        append(t)
    if subject:
        append(" .\n")
    return "".join(out)


def turtle(ntriples: bytes) -> bytes:
    """Sorted N-Triples as readable Turtle."""
    abbr = _Abbreviator()
    body = _turtle_blocks(ntriples, abbr)
    header = abbr.header()
    return (header + ("\n" if header and body else "") + body).encode("utf-8")


def trig(per_graph: dict[str | None, bytes]) -> bytes:
    """Sorted lines per named graph as TriG: one ``GRAPH { … }`` block per graph."""
    abbr = _Abbreviator()
    blocks = []
    for g, ntriples in per_graph.items():
        if not ntriples:
            continue
        body = _turtle_blocks(ntriples, abbr, indent="    ")
        blocks.append(f"{abbr.iri(f'<{g}>')} {{\n{body}}}\n")
    header = abbr.header()
    return (header + ("\n" if header and blocks else "") + "\n".join(blocks)).encode("utf-8")


def serialize(store: EmbeddedStore, fmt: str, graphs: list[str] | None = None) -> bytes:
    """The graph in ``fmt`` (ttl, nt, nq, trig), byte-for-byte stable."""
    if fmt not in EXPORT_FORMATS:
        raise ActorGraphError(
            f"unknown export format {fmt!r}; expected one of {', '.join(EXPORT_FORMATS)}",
            field="--format",
        )
    chosen = store.graphs() if graphs is None else graphs
    if fmt in ("nq", "trig"):
        per_graph = graph_lines(store, chosen, per_graph=True)
        if fmt == "trig":
            return trig(per_graph)
        parts = []
        for g, blob in per_graph.items():
            parts.append(blob.replace(b" .\n", f" <{g}> .\n".encode()))
        return b"".join(parts)
    ntriples = graph_lines(store, chosen, per_graph=False)[None]
    return turtle(ntriples) if fmt == "ttl" else ntriples


def write(store: EmbeddedStore, fmt: str, path: Path, graphs: list[str] | None = None) -> int:
    """Write the graph to ``path`` atomically; returns the number of bytes."""
    data = serialize(store, fmt, graphs)
    with atomic_open(path) as handle:
        handle.write(data)
    return len(data)
