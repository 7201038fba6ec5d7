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

# Sort keys are made by prefixing each N-Triples line with marker bytes that
# pyoxigraph never writes raw (it escapes control characters), sorting the
# lines as bytes, then deleting the markers.
_MARK_TYPE = b"\x00"
_MARK_ONTOLOGY = b"\x01"
_MARK_ID = b"\x02"
_MARKERS = bytes(range(0x00, 0x0A))  # not 0x0A: the line separator
_TYPE_NT = f"> <{_RDF_TYPE}> ".encode()


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


def sort_lines(lines: Iterable[bytes]) -> list[bytes]:
    """N-Triples lines (without newline) in export order, duplicates and blanks dropped.

    >>> sort_lines([b'<http://x/a> <http://x/p> "1" .',
    ...             b'<https://w3id.org/actorgraph/id/project/p> <http://x/p> "2" .',
    ...             b'<http://x/a> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <http://x/C> .'])[0]
    b'<https://w3id.org/actorgraph/id/project/p> <http://x/p> "2" .'
    """
    blob = b"\n" + b"\n".join(set(lines))
    blob = blob.replace(_TYPE_NT, b">" + b" " + _MARK_TYPE + _TYPE_NT[2:])
    blob = blob.replace(
        b"\n<" + BASE.encode() + b"id/", b"\n" + _MARK_ID + b"\x09<" + BASE.encode() + b"id/"
    )
    for rank, kind in enumerate(_KINDS):
        old = b"\n" + _MARK_ID + b"\x09<" + f"{BASE}id/{kind}/".encode()
        blob = blob.replace(old, b"\n" + _MARK_ID + bytes([0x03 + rank]) + old[3:])
    blob = blob.replace(b"\n<" + BASE.encode(), b"\n" + _MARK_ONTOLOGY + b"<" + BASE.encode())
    ordered = sorted(line for line in blob.split(b"\n") if line)
    return b"\n".join(ordered).translate(None, _MARKERS).split(b"\n")


def _blank_quads(store: EmbeddedStore, graphs: list[str]) -> list[ox.Quad]:
    values = " ".join(f"<{g}>" for g in graphs)
    result = store.ox.query(
        f"SELECT ?g ?s ?p ?o WHERE {{ VALUES ?g {{ {values} }} "
        "GRAPH ?g { ?s ?p ?o FILTER(isBlank(?s) || isBlank(?o)) } }"
    )
    return [ox.Quad(row["s"], row["p"], row["o"], row["g"]) for row in result]


def _nt_lines(triples: Iterable[ox.Triple]) -> set[bytes]:
    data = ox.serialize(list(triples), format=ox.RdfFormat.N_TRIPLES) or b""
    return set(data.split(b"\n")) - {b""}


def graph_lines(
    store: EmbeddedStore, graphs: list[str], *, per_graph: bool
) -> dict[str | None, list[bytes]]:
    """Sorted N-Triples lines of each graph (``per_graph``) or of their union (key None).

    Blank nodes are relabelled canonically over all the chosen graphs together,
    so the same input always gives the same labels.
    """
    dumps: dict[str, set[bytes]] = {}
    maybe_blank = False
    for g in graphs:
        data = store.ox.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.NamedNode(g)) or b""
        maybe_blank = maybe_blank or b"_:" in data
        dumps[g] = set(data.split(b"\n")) - {b""}
    blanks = _blank_quads(store, graphs) if maybe_blank else []
    if blanks:
        for g in graphs:
            dumps[g] -= _nt_lines(q.triple for q in blanks if q.graph_name.value == g)
        dataset = ox.Dataset(
            blanks if per_graph else [ox.Quad(q.subject, q.predicate, q.object) for q in blanks]
        )
        dataset.canonicalize(ox.CanonicalizationAlgorithm.UNSTABLE)
        for g in graphs if per_graph else [None]:
            name = ox.NamedNode(g) if g is not None else ox.DefaultGraph()
            lines = _nt_lines(q.triple for q in dataset.quads_for_graph_name(name))
            if g is None:
                dumps.setdefault("", set()).update(lines)
            else:
                dumps[g] |= lines
    if per_graph:
        return {g: sort_lines(dumps[g]) for g in graphs}
    union: set[bytes] = set()
    for lines in dumps.values():
        union |= lines
    return {None: sort_lines(union)}


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
        self.memo: dict[str, str] = {f"<{_RDF_TYPE}>": "a"}

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


def _turtle_blocks(lines: list[bytes], abbr: _Abbreviator, indent: str = "") -> str:
    """One block per subject, ``;`` between predicates, ``,`` between objects."""
    out: list[str] = []
    pad = indent + "    "
    subject = predicate = None
    objects: list[str] = []

    def flush_predicate() -> None:
        joined = " , ".join(objects)
        if len(joined) > 80 and len(objects) > 1:
            joined = (" ,\n" + pad + "    ").join(objects)
        out.append(f"{pad}{abbr.iri(predicate) if predicate else ''} {joined}")

    for raw in lines:
        s, p, rest = raw.decode("utf-8").split(" ", 2)
        o = rest[:-2]
        if s != subject:
            if subject is not None:
                flush_predicate()
                out.append(" .\n\n")
            out.append(f"{indent}{abbr.iri(s) if s[0] == '<' else s}\n")
            subject, predicate, objects = s, p, [abbr.object(o)]
        elif p != predicate:
            flush_predicate()
            out.append(" ;\n")
            predicate, objects = p, [abbr.object(o)]
        else:
            objects.append(abbr.object(o))
    if subject is not None:
        flush_predicate()
        out.append(" .\n")
    return "".join(out)


def turtle(lines: list[bytes]) -> bytes:
    """Sorted N-Triples lines as readable Turtle."""
    abbr = _Abbreviator()
    body = _turtle_blocks(lines, abbr)
    header = abbr.header()
    return (header + ("\n" if header and body else "") + body).encode("utf-8")


def trig(per_graph: dict[str | None, list[bytes]]) -> bytes:
    """Sorted lines per named graph as TriG: one ``GRAPH { … }`` block per graph."""
    abbr = _Abbreviator()
    blocks = []
    for g, lines in per_graph.items():
        if not lines:
            continue
        body = _turtle_blocks(lines, abbr, indent="    ")
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
        for g, lines in per_graph.items():
            if lines:
                blob = b"\n".join(lines) + b"\n"
                parts.append(blob.replace(b" .\n", f" <{g}> .\n".encode()))
        return b"".join(parts)
    lines = graph_lines(store, chosen, per_graph=False)[None]
    if fmt == "ttl":
        return turtle(lines)
    return b"\n".join(lines) + b"\n" if lines else b""


def write(store: EmbeddedStore, fmt: str, path: Path, graphs: list[str] | None = None) -> int:
    """Write the graph to ``path`` atomically; returns the number of bytes."""
    data = serialize(store, fmt, graphs)
    with atomic_open(path) as handle:
        handle.write(data)
    return len(data)
