"""The fast engine: the compiled checks run on the pyoxigraph store.

The results are those pySHACL gives (same focus node, path, value, constraint
component, source shape and severity; messages from ``sh:message``). Every
shape is compiled before any query runs, so a feature the compiler does not
handle raises :class:`~actorgraph.validation.compiler.Unsupported` first, and
the engine registry hands the validation to pySHACL: results are never
silently wrong.

>>> from rdflib import Graph
>>> from actorgraph.store import EmbeddedStore
>>> shapes = Graph().parse(data='''
...   @prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <http://e/> .
...   ex:S a sh:NodeShape ; sh:targetClass ex:C ;
...        sh:property [ sh:path ex:name ; sh:minCount 1 ] .''', format="turtle")
>>> store = EmbeddedStore()
>>> store.load_bytes(b"<http://e/a> a <http://e/C> .", "ttl", graph="http://e/g")
1
>>> [(r.focus, r.path, r.component.rsplit("#")[-1]) for r in validate_fast(store, shapes)]
[('http://e/a', 'http://e/name', 'MinCountConstraintComponent')]
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Iterable
from typing import Any

import pyoxigraph as ox
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDFS

from ..store import EmbeddedStore
from .compiler import Compiler, Finding, Unsupported, component
from .report import Result, node_str


class _Scoped:
    """Queries over the union default graph of a store."""

    def __init__(self, store: EmbeddedStore) -> None:
        self.ox = store.ox

    def query(self, text: str) -> Any:
        try:
            return self.ox.query(text, use_default_graph_as_union=True)
        except SyntaxError as exc:  # a bug of the compiler, or a bad sh:select
            raise Unsupported(f"query not accepted by the store: {exc.msg}") from None


class StoreFacts:
    """What the compiler asks of the data, read from the store once per question."""

    def __init__(self, store: _Scoped, datatypes: Iterable[str] = ()) -> None:
        self.store = store
        self._datatypes = set(datatypes)
        self._ill_typed: dict[str, set[str]] | None = None

    def subclasses(self, cls: str) -> list[str] | None:
        q = f"SELECT DISTINCT ?c WHERE {{ ?c <{RDFS.subClassOf}>* {cls} }}"
        found = {row["c"] for row in self.store.query(q)}
        if any(isinstance(c, ox.BlankNode) for c in found):
            return None
        return sorted(f"<{c.value}>" for c in found) or [cls]

    def ill_typed(self, datatype: str) -> set[str]:
        """Lexical forms of ``datatype`` that rdflib (hence pySHACL) finds ill-typed,
        so ``sh:datatype`` gives pySHACL's answer inside SPARQL. Every datatype
        the shapes name is surveyed by the first call, in one query."""
        if self._ill_typed is None:
            self._ill_typed = _survey(self.store, self._datatypes | {datatype})
        if datatype not in self._ill_typed:
            self._ill_typed.update(_survey(self.store, {datatype}))
        return self._ill_typed[datatype]


def _survey(store: _Scoped, datatypes: set[str]) -> dict[str, set[str]]:
    from rdflib.term import _toPythonMapping

    found: dict[str, set[str]] = {d: set() for d in datatypes}
    # rdflib finds a literal ill-typed only when it has a converter for the datatype
    # (not for xsd:string, rdf:langString, xsd:gYear…): survey only those.
    wanted = sorted(d for d in datatypes if _toPythonMapping.get(URIRef(d)) is not None)
    if not wanted:
        return found
    values = " ".join(f"<{d}>" for d in wanted)
    q = (
        "SELECT DISTINCT ?d ?lex WHERE { ?s ?p ?o FILTER (isLiteral(?o)) "
        f"BIND (datatype(?o) AS ?d) VALUES ?d {{ {values} }} BIND (STR(?o) AS ?lex) }}"
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        logger = logging.getLogger("rdflib.term")
        level = logger.level
        logger.setLevel(logging.CRITICAL)
        try:
            for row in store.query(q):
                d, lex = row["d"].value, row["lex"].value
                if Literal(lex, datatype=URIRef(d)).ill_typed:
                    found[d].add(lex)
        finally:
            logger.setLevel(level)
    return found


def result_of(finding: Finding) -> Result:
    """The :class:`Result` of a finding, with its shape's severity and messages."""
    shape = finding.shape
    return Result(
        severity=shape.severity,
        focus=node_str(finding.focus),
        component=component(finding.param),
        source=node_str(shape.node),
        path=finding.path if finding.path is not None else shape.path_label,
        value=None if finding.value is None else node_str(finding.value),
        messages=dict(finding.messages or shape.messages or shape.default_messages(finding.param)),
    )


def run(compiler: Compiler, store: _Scoped) -> list[Result]:
    """Run every check of ``compiler`` on ``store``."""
    results: list[Result] = []
    for check in compiler.checks():
        solutions = store.query(check.query)
        names = [v.value for v in solutions.variables]
        for solution in solutions:
            row = {n: t for n in names if (t := solution[n]) is not None}
            results += (result_of(f) for f in check.read(row))
    return results


def validate_fast(
    store: EmbeddedStore, shapes: Graph, graphs: list[str] | None = None
) -> list[Result]:
    """Validate the union graph of ``store`` against ``shapes``.

    Raises :class:`Unsupported` before running anything if a shape uses a
    feature the compiler does not handle. ``graphs`` limits the data to those
    named graphs (default: all).
    """
    compiler = Compiler(shapes)
    compiler.compile_all()
    with store.restricted(graphs) as data:
        scoped = _Scoped(data)
        # The same compiler, now told about the data: its parsed shapes do not
        # depend on it, and nothing was derived from facts while it had none.
        compiler.facts = StoreFacts(scoped, compiler.datatypes())
        return run(compiler, scoped)


__all__ = ["StoreFacts", "result_of", "run", "validate_fast"]
