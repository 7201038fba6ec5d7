"""Turtle and TriG from ordered lines (:mod:`actorgraph.rdf.lines`).

One block per subject, ``;`` between predicates, ``,`` between objects,
``rdf:type`` written ``a`` and first, IRIs abbreviated with the prefixes of
:data:`actorgraph.namespaces.PREFIXES` where the local part is one every Turtle
parser reads the same way, ``xsd:integer`` and ``xsd:boolean`` literals written
bare, and only the prefixes used declared, in the order of ``PREFIXES``. The
per-triple loop is compiled (:mod:`actorgraph._turtle`) when it was built, in
Python otherwise (:func:`_turtle_blocks_py`; the two give the same bytes).

>>> from actorgraph.rdf.lines import statement_lines
>>> import pyoxigraph as ox
>>> org = ox.NamedNode("https://w3id.org/actorgraph/id/organisation/b")
>>> lines = statement_lines([
...     ox.Quad(org, ox.NamedNode("http://www.w3.org/2004/02/skos/core#prefLabel"), ox.Literal("B", language="fr")),
...     ox.Quad(org, ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"),
...             ox.NamedNode("https://w3id.org/actorgraph/ontology#Association")),
... ], per_graph=False)
>>> print(turtle(lines[None]).decode())
@prefix ag:    <https://w3id.org/actorgraph/ontology#> .
@prefix agorg: <https://w3id.org/actorgraph/id/organisation/> .
@prefix skos:  <http://www.w3.org/2004/02/skos/core#> .
<BLANKLINE>
agorg:b
    a ag:Association ;
    skos:prefLabel "B"@fr .
<BLANKLINE>
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import TypeVar

from ..namespaces import PREFIXES
from . import lines as _lines
from .lines import _MARKED_HTTP, _TYPE_MARKED, _XSD

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
    compiled = _lines._compiled
    if compiled is None or not lines:
        return _turtle_blocks_py(lines, abbr, indent)
    body, used = compiled.blocks(lines, _NAMESPACES, indent)
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
    """Ordered marked lines (:mod:`actorgraph.rdf.lines`) as readable Turtle."""
    abbr = _Abbreviator()
    body = _turtle_blocks(lines, abbr)
    header = abbr.header()
    return _unmarked([header, b"\n" if header and body else b"", *body])


def trig(per_graph: Mapping[str | None, list[bytes]]) -> bytes:
    """Ordered marked lines per named graph as TriG: one ``GRAPH { … }`` block per
    graph, the default graph's statements (key None) bare."""
    abbr = _Abbreviator()
    blocks: list[bytes] = []
    for g, lines in per_graph.items():
        if not lines:
            continue
        if blocks:
            blocks.append(b"\n")
        if g is None:
            blocks += _turtle_blocks(lines, abbr)
            continue
        blocks += (abbr.iris[f"<{g}>".encode()], b" {\n")
        blocks += _turtle_blocks(lines, abbr, indent=b"    ")
        blocks.append(b"}\n")
    header = abbr.header()
    return _unmarked([header, b"\n" if header and blocks else b"", *blocks])
