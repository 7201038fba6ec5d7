"""A fast SHACL engine: the shapes compiled to SPARQL and run on the pyoxigraph store.

pySHACL walks focus nodes one by one in Python; here each shape becomes a
handful of set-at-a-time SPARQL queries (one per property shape for all its
value constraints, one for its counts, one per SPARQL constraint), evaluated
by Oxigraph over the union default graph, which holds the ontology and the
vocabularies, so ``rdfs:subClassOf*`` serves targets and ``sh:class``.

The results are those pySHACL gives (same focus node, path, value, constraint
component, source shape and severity; messages from ``sh:message``). A shape
using a feature this engine does not compile raises :class:`Unsupported`,
and :func:`actorgraph.validate.validate_store` then hands the whole
validation to pySHACL: results are never silently wrong.

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

import itertools
import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF, RDFS, XSD

from .errors import ActorGraphError
from .namespaces import SH

# Imported lazily by validate.py; Result lives there.

_TYPE_PATH = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>/<http://www.w3.org/2000/01/rdf-schema#subClassOf>*"

#: Parameters this engine understands on a shape (anything else under sh: → Unsupported).
_SHAPE_KEYS = {
    SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf,
    SH.path, SH.property, SH.severity, SH.message, SH.deactivated, SH.name,
    SH.description, SH.order, SH.group, SH.defaultValue,
    SH["class"], SH.datatype, SH.nodeKind, SH.minCount, SH.maxCount,
    SH.minExclusive, SH.minInclusive, SH.maxExclusive, SH.maxInclusive,
    SH.minLength, SH.maxLength, SH.pattern, SH.flags, SH.languageIn, SH.uniqueLang,
    SH["in"], SH.hasValue, SH.node, SH["not"], SH["and"], SH["or"], SH.xone,
    SH.disjoint, SH.qualifiedValueShape, SH.qualifiedMinCount, SH.qualifiedMaxCount,
    SH.qualifiedValueShapesDisjoint, SH.sparql, SH.declare, SH.prefixes,
}  # fmt: skip

_COMPONENT = {
    SH["class"]: "Class", SH.datatype: "Datatype", SH.nodeKind: "NodeKind",
    SH.minCount: "MinCount", SH.maxCount: "MaxCount",
    SH.minExclusive: "MinExclusive", SH.minInclusive: "MinInclusive",
    SH.maxExclusive: "MaxExclusive", SH.maxInclusive: "MaxInclusive",
    SH.minLength: "MinLength", SH.maxLength: "MaxLength", SH.pattern: "Pattern",
    SH.languageIn: "LanguageIn", SH.uniqueLang: "UniqueLang", SH["in"]: "In",
    SH.hasValue: "HasValue", SH.node: "Node", SH["not"]: "Not", SH["and"]: "And",
    SH["or"]: "Or", SH.xone: "Xone", SH.disjoint: "Disjoint",
    SH.qualifiedMinCount: "QualifiedMinCount", SH.qualifiedMaxCount: "QualifiedMaxCount",
    SH.sparql: "SPARQL",
}  # fmt: skip

#: XSD datatypes Oxigraph keeps as written (it rewrites derived integer types).
_PLAIN_XSD = {
    str(XSD[t])
    for t in (
        "string", "boolean", "integer", "decimal", "double", "float", "date", "dateTime",
        "time", "duration", "gYear", "gYearMonth", "gMonthDay", "gDay", "gMonth", "anyURI",
    )
}  # fmt: skip

_PATH_KEYS = (
    RDF.first, SH.inversePath, SH.zeroOrMorePath, SH.oneOrMorePath, SH.zeroOrOnePath,
    SH.alternativePath,
)  # fmt: skip

_NODE_KINDS = {
    SH.IRI: "isIRI({v})",
    SH.BlankNode: "isBlank({v})",
    SH.Literal: "isLiteral({v})",
    SH.BlankNodeOrIRI: "(isBlank({v}) || isIRI({v}))",
    SH.BlankNodeOrLiteral: "(isBlank({v}) || isLiteral({v}))",
    SH.IRIOrLiteral: "(isIRI({v}) || isLiteral({v}))",
}


class Unsupported(ActorGraphError):
    """A shape uses a SHACL feature the fast engine does not compile."""


def component(param: URIRef) -> str:
    """The constraint component IRI of a parameter.

    >>> component(SH.minCount)
    'http://www.w3.org/ns/shacl#MinCountConstraintComponent'
    """
    return str(SH[_COMPONENT[param] + "ConstraintComponent"])


def sparql_term(term: Any) -> str:
    """An rdflib IRI or literal written as SPARQL.

    >>> sparql_term(Literal("a\\"b", lang="fr"))
    '"a\\\\"b"@fr'
    """
    if isinstance(term, URIRef):
        return f"<{term}>"
    if isinstance(term, Literal):
        text = _string(str(term))
        if term.language:
            return f"{text}@{term.language}"
        if term.datatype is not None:
            return f"{text}^^<{term.datatype}>"
        return text
    raise Unsupported(f"blank node {term} as a constraint value")


def _string(text: str) -> str:
    escaped = (
        text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")
    )
    return f'"{escaped}"'


def _ox_str(term: Any) -> str:
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    return str(term.value)


@dataclass
class Shape:
    """One shape of the shapes graph, as the compiler sees it."""

    node: Any
    graph: Graph
    path: str | None = None  # SPARQL property path, None for a node shape
    path_label: str | None = None  # as validate.Result.path spells it
    severity: str = "Violation"
    messages: dict[str, str] = field(default_factory=dict)

    def values(self, param: URIRef) -> list[Any]:
        return list(self.graph.objects(self.node, param))

    def one(self, param: URIRef) -> Any:
        return self.graph.value(self.node, param)

    def items(self, param: URIRef) -> list[list[Any]]:
        return [list(Collection(self.graph, head)) for head in self.values(param)]


class Compiler:
    """Compiles the shapes of one shapes graph and runs them on a store."""

    def __init__(self, shapes: Graph) -> None:
        self.g = shapes
        self._shapes: dict[Any, Shape] = {}
        self._vars = itertools.count()
        self._nesting: set[Any] = set()
        #: Lexical forms of the data that rdflib (hence pySHACL) finds ill-typed, per datatype.
        self.ill_typed: dict[str, set[str]] = {}
        self.checked_datatypes: set[str] | None = None
        self.store: _Scoped | None = None
        self._subclasses: dict[str, list[str] | None] = {}

    def instance_of(self, v: str, cls: Any) -> str:
        """A pattern matching when ``v`` is a SHACL instance of ``cls``.

        ``rdf:type/rdfs:subClassOf*`` evaluated per node is slow; with a store at
        hand the subclasses are listed once and matched with a plain ``rdf:type``.
        """
        if self.store is None:
            return f"{v} {_TYPE_PATH} {sparql_term(cls)}"
        key = str(cls)
        if key not in self._subclasses:
            q = f"SELECT DISTINCT ?c WHERE {{ ?c <{RDFS.subClassOf}>* {sparql_term(cls)} }}"
            found = {row["c"] for row in self.store.query(q)}
            if any(isinstance(c, ox.BlankNode) for c in found):
                self._subclasses[key] = None
            else:
                self._subclasses[key] = sorted(f"<{c.value}>" for c in found) or [sparql_term(cls)]
        subs = self._subclasses[key]
        if subs is None:  # blank-node classes cannot be listed in a query
            return f"{v} {_TYPE_PATH} {sparql_term(cls)}"
        if len(subs) == 1:
            return f"{v} <{RDF.type}> {subs[0]}"
        t = self.var()
        return f"{v} <{RDF.type}> {t} VALUES {t} {{ {' '.join(subs)} }}"

    def is_instance(self, v: str, cls: Any) -> str:
        """An expression true when ``v`` is a SHACL instance of ``cls``: one index
        lookup per subclass, cheaper than a join per value."""
        pattern = self.instance_of(v, cls)
        subs = self._subclasses.get(str(cls)) if self.store is not None else None
        if not subs or len(subs) == 1:
            return f"EXISTS {{ {pattern} }}"
        return "(" + " || ".join(f"EXISTS {{ {v} <{RDF.type}> {c} }}" for c in subs) + ")"

    def survey(self, store: Any) -> None:
        """Find the ill-typed literals of the datatypes the shapes name, as rdflib judges them,
        so ``sh:datatype`` gives pySHACL's answer inside SPARQL."""
        from rdflib.term import _toPythonMapping

        named = {str(d) for d in self.g.objects(None, SH.datatype) if isinstance(d, URIRef)}
        self.ill_typed = {d: set() for d in named}
        self.checked_datatypes = named
        # rdflib finds a literal ill-typed only when it has a converter for the datatype
        # (not for xsd:string, rdf:langString, xsd:gYear…): survey only those.
        wanted = sorted(d for d in named if _toPythonMapping.get(URIRef(d)) is not None)
        if not wanted:
            return
        values = " ".join(f"<{d}>" for d in wanted)
        q = (
            "SELECT DISTINCT ?d ?lex WHERE { ?s ?p ?o FILTER (isLiteral(?o)) "
            f"BIND (datatype(?o) AS ?d) VALUES ?d {{ {values} }} BIND (STR(?o) AS ?lex) }}"
        )
        import warnings

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            logger = logging.getLogger("rdflib.term")
            level = logger.level
            logger.setLevel(logging.CRITICAL)
            try:
                for row in store.query(q):
                    d, lex = row["d"].value, row["lex"].value
                    if Literal(lex, datatype=URIRef(d)).ill_typed:
                        self.ill_typed[d].add(lex)
            finally:
                logger.setLevel(level)

    # ---- shapes ----------------------------------------------------------
    def shape(self, node: Any) -> Shape:
        if node in self._shapes:
            return self._shapes[node]
        for p in set(self.g.predicates(node)):
            if str(p).startswith(str(SH)) and p not in _SHAPE_KEYS:
                raise Unsupported(f"shape {node}: {p} is not compiled by the fast engine")
        shape = Shape(node, self.g)
        path = self.g.value(node, SH.path)
        if path is not None:
            shape.path = self.path(path)
            from .validate import _path_str  # one spelling of paths for both engines

            shape.path_label = _path_str(self.g, path)
        severity = self.g.value(node, SH.severity)
        if severity is not None:
            shape.severity = str(severity).rsplit("#", 1)[-1]
        shape.messages = _messages(self.g, node)
        self._shapes[node] = shape
        return shape

    def path(self, node: Any) -> str:
        """A SHACL property path as a SPARQL property path."""
        if isinstance(node, URIRef):
            return f"<{node}>"
        g = self.g
        kinds = [p for p in _PATH_KEYS if (node, p, None) in g]
        if len(kinds) != 1:
            raise Unsupported(f"property path {node} is not one well-formed path")
        if (node, RDF.first, None) in g:
            return "(" + "/".join(self.path(p) for p in Collection(g, node)) + ")"
        for param, fmt in (
            (SH.inversePath, "^{}"),
            (SH.zeroOrMorePath, "{}*"),
            (SH.oneOrMorePath, "{}+"),
            (SH.zeroOrOnePath, "{}?"),
        ):
            inner = g.value(node, param)
            if inner is not None:
                return "(" + fmt.format(self.path(inner)) + ")"
        alt = g.value(node, SH.alternativePath)
        if alt is not None:
            return "(" + "|".join(self.path(p) for p in Collection(g, alt)) + ")"
        raise Unsupported(f"property path {node} not understood")

    def var(self) -> str:
        return f"?_v{next(self._vars)}"

    def top_shapes(self) -> list[Any]:
        """Shapes with targets (explicit, or implicit through ``rdfs:Class``)."""
        g = self.g
        found: set[Any] = set()
        for param in (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf):
            found.update(g.subjects(param, None))
        for kind in (SH.NodeShape, SH.PropertyShape):
            for s in g.subjects(RDF.type, kind):
                if (s, RDF.type, RDFS.Class) in g:
                    found.add(s)
        return sorted(found, key=str)

    def focus_pattern(self, node: Any) -> str:
        """A SPARQL group binding ``?this`` to each focus node of a shape, once."""
        g = self.g
        classes = list(g.objects(node, SH.targetClass))
        if (node, RDF.type, RDFS.Class) in g:
            classes.append(node)
        parts = [f"{{ {self.instance_of('?this', c)} }}" for c in classes]
        nodes = [sparql_term(n) for n in g.objects(node, SH.targetNode)]
        if nodes:
            parts.append("{ VALUES ?this { " + " ".join(nodes) + " } }")
        parts += [f"{{ ?this <{p}> [] }}" for p in g.objects(node, SH.targetSubjectsOf)]
        parts += [f"{{ [] <{p}> ?this }}" for p in g.objects(node, SH.targetObjectsOf)]
        return "{ SELECT DISTINCT ?this WHERE { " + " UNION ".join(parts) + " } }"

    # ---- expressions -----------------------------------------------------
    def violation(self, shape: Shape, param: URIRef, arg: Any, v: str, focus: str) -> str:
        """A SPARQL expression true when value ``v`` breaks one value constraint."""
        if param == SH["class"]:
            return f"!{self.is_instance(v, arg)}"
        if param == SH.datatype:
            if str(arg).startswith(str(XSD)) and str(arg) not in _PLAIN_XSD:
                # Oxigraph rewrites some derived types (xsd:byte → xsd:integer).
                raise Unsupported(f"sh:datatype {arg}")
            ok = f"(isLiteral({v}) && datatype({v}) = <{arg}>)"
            bad = self.ill_typed.get(str(arg))
            if bad:
                ok = f"({ok} && !(STR({v}) IN ({', '.join(_string(b) for b in sorted(bad))})))"
            elif bad is None and self.checked_datatypes is not None:
                raise AssertionError(f"datatype {arg} not surveyed")
            return f"!{ok}"
        if param == SH.nodeKind:
            if arg not in _NODE_KINDS:
                raise Unsupported(f"sh:nodeKind {arg}")
            return "!" + _NODE_KINDS[arg].format(v=v)
        if param in (SH.minExclusive, SH.minInclusive, SH.maxExclusive, SH.maxInclusive):
            op = {
                SH.minExclusive: ">",
                SH.minInclusive: ">=",
                SH.maxExclusive: "<",
                SH.maxInclusive: "<=",
            }[param]
            return f"!COALESCE({v} {op} {sparql_term(arg)}, false)"
        if param in (SH.minLength, SH.maxLength):
            op = "<" if param == SH.minLength else ">"
            return f"(isBlank({v}) || STRLEN(STR({v})) {op} {int(arg)})"
        if param == SH.pattern:
            flags = shape.one(SH.flags)
            extra = f", {_string(str(flags))}" if flags is not None else ""
            return f"(isBlank({v}) || !REGEX(STR({v}), {_string(str(arg))}{extra}))"
        if param == SH.languageIn:
            tags = " || ".join(f"langMatches(lang({v}), {_string(str(t))})" for t in arg)
            return f"!(isLiteral({v}) && ({tags or 'false'}))"
        if param == SH["in"]:
            return (
                "!("
                + (" || ".join(f"sameTerm({v}, {sparql_term(t)})" for t in arg) or "false")
                + ")"
            )
        if param == SH.node:
            return f"!{self.conforms(self.shape(arg), v)}"
        if param == SH["not"]:
            return self.conforms(self.shape(arg), v)
        if param == SH["and"]:
            return (
                "!(" + (" && ".join(self.conforms(self.shape(s), v) for s in arg) or "true") + ")"
            )
        if param == SH["or"]:
            return (
                "!(" + (" || ".join(self.conforms(self.shape(s), v) for s in arg) or "false") + ")"
            )
        if param == SH.xone:
            count = " + ".join(f"IF({self.conforms(self.shape(s), v)}, 1, 0)" for s in arg)
            return f"(({count or '0'}) != 1)"
        if param == SH.disjoint:
            return f"EXISTS {{ {focus} <{arg}> {v} }}"
        raise Unsupported(f"constraint {param}")

    def value_constraints(self, shape: Shape) -> Iterator[tuple[URIRef, Any]]:
        """The value-level constraints of a shape, as (parameter, argument)."""
        for param in (
            SH["class"], SH.datatype, SH.nodeKind, SH.minExclusive, SH.minInclusive,
            SH.maxExclusive, SH.maxInclusive, SH.minLength, SH.maxLength, SH.pattern,
            SH.node, SH["not"], SH.disjoint,
        ):  # fmt: skip
            for arg in shape.values(param):
                yield param, arg
        for param in (SH.languageIn, SH["in"], SH["and"], SH["or"], SH.xone):
            for arg in shape.items(param):
                yield param, arg

    def conforms(self, shape: Shape, v: str) -> str:
        """A SPARQL expression true when node ``v`` conforms to ``shape`` (nested use)."""
        if _off(shape):
            return "true"
        if shape.node in self._nesting:
            raise Unsupported(f"recursive shape {shape.node}")
        self._nesting.add(shape.node)
        try:
            return self._conforms(shape, v)
        finally:
            self._nesting.discard(shape.node)

    def _conforms(self, shape: Shape, v: str) -> str:
        if shape.values(SH.sparql):
            raise Unsupported(f"sh:sparql in a nested shape {shape.node}")
        if shape.values(SH.qualifiedValueShape):
            raise Unsupported(f"qualified value shape in a nested shape {shape.node}")
        parts = []
        if shape.path is None:
            parts += [
                f"!({self.violation(shape, p, a, v, v)})" for p, a in self.value_constraints(shape)
            ]
            parts += [f"sameTerm({v}, {sparql_term(h)})" for h in shape.values(SH.hasValue)]
        else:
            x = self.var()
            viols = [self.violation(shape, p, a, x, v) for p, a in self.value_constraints(shape)]
            if viols:
                parts.append(f"NOT EXISTS {{ {v} {shape.path} {x} FILTER ({' || '.join(viols)}) }}")
            for n in shape.values(SH.minCount):
                if int(n) > 1:
                    raise Unsupported("sh:minCount over 1 in a nested shape")
                if int(n) == 1:
                    parts.append(f"EXISTS {{ {v} {shape.path} [] }}")
            for n in shape.values(SH.maxCount):
                a, b = self.var(), self.var()
                if int(n) == 0:
                    parts.append(f"NOT EXISTS {{ {v} {shape.path} [] }}")
                elif int(n) == 1:
                    parts.append(
                        f"NOT EXISTS {{ {v} {shape.path} {a} . {v} {shape.path} {b} "
                        f"FILTER (!sameTerm({a}, {b})) }}"
                    )
                else:
                    raise Unsupported("sh:maxCount over 1 in a nested shape")
            for h in shape.values(SH.hasValue):
                parts.append(f"EXISTS {{ {v} {shape.path} {sparql_term(h)} }}")
            if shape.one(SH.uniqueLang) == Literal(True):
                a, b = self.var(), self.var()
                parts.append(
                    f"NOT EXISTS {{ {v} {shape.path} {a} . {v} {shape.path} {b} "
                    f'FILTER (!sameTerm({a}, {b}) && lang({a}) != "" '
                    f"&& LCASE(lang({a})) = LCASE(lang({b}))) }}"
                )
        for prop in shape.values(SH.property):
            if shape.path is None:
                parts.append(self.conforms(self.shape(prop), v))
            else:  # a property shape's property shapes apply to its value nodes
                x = self.var()
                inner = self.conforms(self.shape(prop), x)
                parts.append(f"NOT EXISTS {{ {v} {shape.path} {x} FILTER (!{inner}) }}")
        return "(" + (" && ".join(parts) or "true") + ")"

    # ---- running ---------------------------------------------------------
    def run(self, store: Any) -> list[Any]:
        from .validate import Result

        store = self.store = _Scoped(store)
        self.survey(store)
        results: list[Result] = []
        for node in self.top_shapes():
            focus = self.focus_pattern(node)
            results += self.evaluate(store, self.shape(node), focus, Result)
        return results

    def evaluate(self, store: Any, shape: Shape, focus: str, result: Any) -> list[Any]:
        """Every result of ``shape`` over the focus nodes ``focus`` binds to ``?this``.

        The value constraints of the shape and of its property shapes whose path is
        one IRI run in one query (``?this ?p ?value``, one scan of the focus nodes'
        triples), and so do their cardinalities: a few queries per node shape.
        """
        if _off(shape):
            return []
        out: list[Any] = []
        props = [self.shape(p) for p in shape.values(SH.property)]
        props = [p for p in props if not _off(p)]
        simple = [p for p in props if _simple(p)] if shape.path is None else []
        self._values(store, shape, simple, focus, result, out)
        if shape.path is None:
            for h in shape.values(SH.hasValue):
                q = f"SELECT ?this WHERE {{ {focus} FILTER (!sameTerm(?this, {sparql_term(h)})) }}"
                for row in store.query(q):
                    out.append(self._result(result, shape, SH.hasValue, row["this"], None))
            self._cardinalities(store, simple, focus, result, out)
        for prop in simple:
            self._counts(
                store,
                prop,
                focus,
                lambda *a, _p=prop, **k: out.append(self._result(result, _p, *a, **k)),
                plain=False,
            )
        if shape.path is not None:
            self._counts(
                store,
                shape,
                focus,
                lambda *a, **k: out.append(self._result(result, shape, *a, **k)),
            )
        for prop in props:
            if prop not in simple:
                out += self.evaluate(store, prop, focus, result)
        for constraint in shape.values(SH.sparql):
            self._sparql(
                store,
                shape,
                constraint,
                focus,
                lambda *a, **k: out.append(self._result(result, shape, *a, **k)),
            )
        return out

    def _result(self, result: Any, shape: Shape, param: URIRef, this: Any, value: Any,
                messages: dict[str, str] | None = None, path: str | None = None) -> Any:  # fmt: skip
        return result(
            severity=shape.severity,
            focus=_ox_str(this),
            component=component(param),
            source=_rdflib_str(shape.node),
            path=path if path is not None else shape.path_label,
            value=None if value is None else _ox_str(value),
            messages=dict(messages or shape.messages or _default(param, shape)),
        )

    def _values(self, store: Any, shape: Shape, simple: list[Shape], focus: str, result: Any,
                out: list[Any]) -> None:  # fmt: skip
        """Value constraints of ``shape`` itself and of its simple-path property shapes."""
        checks: list[tuple[Shape, URIRef, str]] = []
        own = [
            (shape, p, self.violation(shape, p, a, "?value", "?this"))
            for p, a in self.value_constraints(shape)
        ]
        if own:
            values = (
                "BIND (?this AS ?value)" if shape.path is None else f"?this {shape.path} ?value"
            )
            binds = " ".join(
                f"BIND (COALESCE({f}, true) AS ?c{i})" for i, (_, _, f) in enumerate(own)
            )
            self._flagged(store, f"{focus} {values} {binds}", own, result, out, with_p=False)
        for prop in simple:
            for p, a in self.value_constraints(prop):
                checks.append((prop, p, self.violation(prop, p, a, "?value", "?this")))
        if checks:
            paths = sorted({c[0].path or "" for c in checks})
            binds = " ".join(
                f"BIND (IF(sameTerm(?p, {prop.path}), COALESCE({f}, true), false) AS ?c{i})"
                for i, (prop, _, f) in enumerate(checks)
            )
            where = f"{focus} ?this ?p ?value VALUES ?p {{ {' '.join(paths)} }} {binds}"
            self._flagged(store, where, checks, result, out, with_p=True)

    def _flagged(self, store: Any, where: str, checks: list[tuple[Shape, URIRef, str]],
                 result: Any, out: list[Any], *, with_p: bool) -> None:  # fmt: skip
        names = " ".join(f"?c{i}" for i in range(len(checks)))
        any_ = " || ".join(f"?c{i}" for i in range(len(checks)))
        p = "?p " if with_p else ""
        q = f"SELECT DISTINCT ?this {p}?value {names} WHERE {{ {where} FILTER ({any_}) }}"
        for row in store.query(q):
            for i, (shape, param, _) in enumerate(checks):
                if row[f"c{i}"].value == "true":
                    out.append(self._result(result, shape, param, row["this"], row["value"]))

    def _cardinalities(self, store: Any, simple: list[Shape], focus: str, result: Any,
                       out: list[Any]) -> None:  # fmt: skip
        """sh:minCount / sh:maxCount of simple-path property shapes, two queries in all."""
        bounds = [
            (
                prop,
                [int(n) for n in prop.values(SH.minCount)],
                [int(n) for n in prop.values(SH.maxCount)],
            )
            for prop in simple
        ]
        count = "COUNT(DISTINCT ?value)"
        having = [
            f"(sameTerm(?p, {prop.path}) && ({' || '.join([f'{count} < {n}' for n in mins] + [f'{count} > {n}' for n in maxs])}))"
            for prop, mins, maxs in bounds
            if maxs or any(n > 1 for n in mins)
        ]
        if having:
            paths = sorted(
                {prop.path or "" for prop, mins, maxs in bounds if maxs or any(n > 1 for n in mins)}
            )
            q = (
                f"SELECT ?this ?p ({count} AS ?n) WHERE {{ {focus} ?this ?p ?value "
                f"VALUES ?p {{ {' '.join(paths)} }} }} GROUP BY ?this ?p HAVING ({' || '.join(having)})"
            )
            for row in store.query(q):
                n, path = int(row["n"].value), f"<{row['p'].value}>"
                for prop, mins, maxs in bounds:
                    if prop.path == path:
                        for m in mins:
                            if n < m:
                                out.append(
                                    self._result(result, prop, SH.minCount, row["this"], None)
                                )
                        for m in maxs:
                            if n > m:
                                out.append(
                                    self._result(result, prop, SH.maxCount, row["this"], None)
                                )
        required = sorted(
            {prop.path or "" for prop, mins, _ in bounds if any(n >= 1 for n in mins)}
        )
        if required:
            q = (
                f"SELECT ?this ?p WHERE {{ {focus} VALUES ?p {{ {' '.join(required)} }} "
                f"FILTER NOT EXISTS {{ ?this ?p [] }} }}"
            )
            for row in store.query(q):
                path = f"<{row['p'].value}>"
                for prop, mins, _ in bounds:
                    if prop.path == path:
                        for m in mins:
                            if m >= 1:
                                out.append(
                                    self._result(result, prop, SH.minCount, row["this"], None)
                                )

    def _counts(
        self, store: Any, shape: Shape, focus: str, emit: Any, *, plain: bool = True
    ) -> None:
        path = shape.path
        mins = [int(n) for n in shape.values(SH.minCount)]
        maxs = [int(n) for n in shape.values(SH.maxCount)]
        if plain and (mins or maxs):
            count = "COUNT(DISTINCT ?value)"  # HAVING cannot see the ?n alias
            cond = [f"{count} < {n}" for n in mins] + [f"{count} > {n}" for n in maxs]
            if mins == [1] and not maxs:
                q = f"SELECT ?this (0 AS ?n) WHERE {{ {focus} FILTER NOT EXISTS {{ ?this {path} [] }} }}"
            else:
                q = (
                    f"SELECT ?this (COUNT(DISTINCT ?value) AS ?n) WHERE {{ {focus} "
                    f"OPTIONAL {{ ?this {path} ?value }} }} GROUP BY ?this HAVING ({' || '.join(cond)})"
                )
            for row in store.query(q):
                n = int(row["n"].value)
                for m in mins:
                    if n < m:
                        emit(SH.minCount, row["this"], None)
                for m in maxs:
                    if n > m:
                        emit(SH.maxCount, row["this"], None)
        for h in shape.values(SH.hasValue):
            q = f"SELECT ?this WHERE {{ {focus} FILTER NOT EXISTS {{ ?this {path} {sparql_term(h)} }} }}"
            for row in store.query(q):
                emit(SH.hasValue, row["this"], None)
        if shape.one(SH.uniqueLang) == Literal(True):
            q = (
                f"SELECT DISTINCT ?this ?lang WHERE {{ {focus} ?this {path} ?a , ?b "
                f'FILTER (!sameTerm(?a, ?b) && lang(?a) != "" && LCASE(lang(?a)) = LCASE(lang(?b))) '
                f"BIND (LCASE(lang(?a)) AS ?lang) }}"
            )
            for row in store.query(q):
                emit(SH.uniqueLang, row["this"], None)
        qualified = shape.values(SH.qualifiedValueShape)
        if qualified:
            if shape.one(SH.qualifiedValueShapesDisjoint) == Literal(True):
                raise Unsupported("sh:qualifiedValueShapesDisjoint")
            for qs in qualified:
                conf = self.conforms(self.shape(qs), "?value")
                count = "COUNT(DISTINCT ?value)"
                cond = [f"{count} < {int(n)}" for n in shape.values(SH.qualifiedMinCount)]
                cond += [f"{count} > {int(n)}" for n in shape.values(SH.qualifiedMaxCount)]
                if not cond:
                    continue
                q = (
                    f"SELECT ?this (COUNT(DISTINCT ?value) AS ?n) WHERE {{ {focus} "
                    f"OPTIONAL {{ ?this {path} ?value FILTER ({conf}) }} }} "
                    f"GROUP BY ?this HAVING ({' || '.join(cond)})"
                )
                for row in store.query(q):
                    n = int(row["n"].value)
                    for m in shape.values(SH.qualifiedMinCount):
                        if n < int(m):
                            emit(SH.qualifiedMinCount, row["this"], None)
                    for m in shape.values(SH.qualifiedMaxCount):
                        if n > int(m):
                            emit(SH.qualifiedMaxCount, row["this"], None)

    def _sparql(self, store: Any, shape: Shape, constraint: Any, focus: str, emit: Any) -> None:
        g = self.g
        if g.value(constraint, SH.deactivated) == Literal(True):
            return
        select = g.value(constraint, SH.select)
        if select is None:
            raise Unsupported(f"SPARQL constraint {constraint} without sh:select")
        text = str(select)
        if re.search(r"\$(currentShape|shapesGraph)\b", text):
            raise Unsupported("$currentShape / $shapesGraph in a SPARQL constraint")
        if shape.path is not None:
            text = re.sub(r"\$PATH\b", shape.path, text)
        text = re.sub(r"\$this\b", "?this", text)
        where = re.search(r"\bWHERE\s*\{", text, flags=re.I) or re.search(r"\{", text)
        if where is None:
            raise Unsupported(f"SPARQL constraint {constraint}: no WHERE clause")
        text = text[: where.end()] + f" {focus} " + text[where.end() :]
        # The union default graph repeats a triple held by several named graphs; an
        # rdflib graph (pySHACL's view) holds it once.
        text = re.sub(
            r"\bSELECT\s+(?!DISTINCT\b|REDUCED\b)", "SELECT DISTINCT ", text, count=1, flags=re.I
        )
        prefixes = "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in self._prefixes(constraint).items())
        solutions = store.query(prefixes + text)
        names = [v.value for v in solutions.variables]
        messages = shape.messages or _messages(g, constraint)  # pySHACL's precedence
        for row in solutions:
            bound = {n: row[n] for n in names if row[n] is not None}
            path = bound.get("path")
            emit(
                SH.sparql,
                bound["this"],
                bound.get("value", bound["this"] if shape.path is None else None),
                {lang: _fill(text_, bound) for lang, text_ in messages.items()} or None,
                path=path.value if isinstance(path, ox.NamedNode) else None,
            )

    def _prefixes(self, constraint: Any) -> dict[str, str]:
        g = self.g
        out: dict[str, str] = {}
        for owner in g.objects(constraint, SH.prefixes):
            for decl in g.objects(owner, SH.declare):
                prefix, ns = g.value(decl, SH.prefix), g.value(decl, SH.namespace)
                if prefix is not None and ns is not None:
                    out[str(prefix)] = str(ns)
        return out


class _Scoped:
    """Queries over the union default graph of a store."""

    def __init__(self, store: Any) -> None:
        self.ox = store.ox

    def query(self, text: str) -> Any:
        try:
            return self.ox.query(text, use_default_graph_as_union=True)
        except SyntaxError as exc:  # a bug of the compiler, or a bad sh:select
            raise Unsupported(f"query not accepted by the store: {exc.msg}") from None


def _off(shape: Shape) -> bool:
    return bool(shape.one(SH.deactivated) == Literal(True))


def _simple(shape: Shape) -> bool:
    """A property shape whose path is one IRI."""
    return bool(shape.path) and shape.path.startswith("<") and shape.path.count("<") == 1  # type: ignore[union-attr]


def _fill(template: str, bound: dict[str, Any]) -> str:
    return re.sub(
        r"\{[?$]([A-Za-z_][A-Za-z0-9_]*)\}",
        lambda m: _ox_str(bound[m.group(1)]) if m.group(1) in bound else m.group(0),
        template,
    )


def _messages(g: Graph, node: Any) -> dict[str, str]:
    out = {}
    for m in g.objects(node, SH.message):
        out[m.language if isinstance(m, Literal) and m.language else ""] = str(m)
    return out


def _default(param: URIRef, shape: Shape) -> dict[str, str]:
    name = _COMPONENT.get(param, str(param))
    args = ", ".join(str(a) for a in shape.values(param)) if param != SH.sparql else ""
    return {"": f"Value breaks the {name} constraint" + (f" ({args})" if args else "")}


def _rdflib_str(node: Any) -> str:
    return f"_:{node}" if isinstance(node, BNode) else str(node)


def validate_fast(store: Any, shapes: Graph, graphs: list[str] | None = None) -> list[Any]:
    """Validate the union graph of ``store`` against ``shapes``; a list of
    :class:`actorgraph.validate.Result`. Raises :class:`Unsupported` before
    running anything if a shape uses a feature the engine does not compile.
    ``graphs`` limits the data to those named graphs (default: all)."""
    compiler = Compiler(shapes)
    # Compile every shape first so an unsupported feature is found before any query runs.
    for node in compiler.top_shapes():
        compiler.focus_pattern(node)
        _check(compiler, compiler.shape(node), set())
    with store.restricted(graphs) as data:
        return compiler.run(data)


def _check(compiler: Compiler, shape: Shape, seen: set[Any]) -> None:
    if shape.node in seen:
        raise Unsupported(f"recursive shape {shape.node}")
    seen = seen | {shape.node}
    for param, arg in compiler.value_constraints(shape):
        compiler.violation(shape, param, arg, "?value", "?this")
    for qs in shape.values(SH.qualifiedValueShape):
        compiler.conforms(compiler.shape(qs), "?value")
    if shape.path is not None and shape.values(SH.property):
        # pySHACL reports such results once per parent focus node; not reproduced here.
        raise Unsupported(f"sh:property inside the property shape {shape.node}")
    for prop in shape.values(SH.property):
        _check(compiler, compiler.shape(prop), seen)
    for c in shape.values(SH.sparql):
        if compiler.g.value(c, SH.select) is None:
            raise Unsupported(f"SPARQL constraint {c} without sh:select")


__all__ = ["Unsupported", "validate_fast"]
