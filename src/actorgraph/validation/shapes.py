"""The shapes graph: reading the shapes files, and what both engines read of a shape.

>>> g = Graph().parse(data='''
...   @prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <http://e/> .
...   ex:S sh:path [ sh:inversePath ex:p ] ; sh:message "m"@en, "n" .''', format="turtle")
>>> path_str(g, g.value(URIRef("http://e/S"), SH.path))
'^http://e/p'
>>> sorted(messages(g, URIRef("http://e/S")).items())
[('', 'n'), ('en', 'm')]
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from rdflib import Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF

from ..errors import LoadError
from ..namespaces import SH
from ..store import rdf_format, read_source, syntax_error


def load_shapes(paths: Sequence[Path]) -> Graph:
    """The shapes graph, each file checked and named on error."""
    if not paths:
        raise LoadError("no SHACL shapes found", file="ontology/shapes/")
    g = Graph()
    for path in paths:
        data = read_source(path)
        try:
            # Parsed by pyoxigraph (strict, with line numbers), handed to rdflib as N-Triples.
            nt = ox.serialize(
                ox.parse(data, format=rdf_format(path.name), base_iri=path.resolve().as_uri()),
                format=ox.RdfFormat.N_QUADS,
            )
        except SyntaxError as exc:
            raise syntax_error(exc, path) from None
        g.parse(data=nt or b"", format="nt")
    return g


def path_str(g: Graph, path: Any) -> str | None:
    """A SHACL property path in SPARQL property-path notation, as results spell it.

    Both engines write a result's path with it, so their results compare equal.
    """
    if path is None:
        return None
    if isinstance(path, URIRef):
        return str(path)
    if (inverse := g.value(path, SH.inversePath)) is not None:
        return f"^{path_str(g, inverse)}"
    if (alternatives := g.value(path, SH.alternativePath)) is not None:
        return " | ".join(path_str(g, p) or "?" for p in Collection(g, alternatives))
    for op, mark in ((SH.zeroOrMorePath, "*"), (SH.oneOrMorePath, "+"), (SH.zeroOrOnePath, "?")):
        if (inner := g.value(path, op)) is not None:
            return f"({path_str(g, inner)}){mark}"
    if g.value(path, RDF.first) is not None:
        return " / ".join(path_str(g, p) or "?" for p in Collection(g, path))
    return "(complex path)"


def messages(g: Graph, node: Any, prop: URIRef = SH.message) -> dict[str, str]:
    """The ``sh:message`` texts of a node (or those of ``prop``), by language tag
    (``""`` for an untagged one)."""
    out = {}
    for m in g.objects(node, prop):
        out[m.language if isinstance(m, Literal) and m.language else ""] = str(m)
    return out


__all__ = ["load_shapes", "messages", "path_str"]
