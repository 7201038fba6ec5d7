"""SHACL shapes compiled to SPARQL: the checks the fast engine runs.

pySHACL walks focus nodes one by one in Python; here each shape becomes a
handful of set-at-a-time SPARQL queries (one per property shape for all its
value constraints, one for its counts, one per SPARQL constraint), meant for
Oxigraph's union default graph, which holds the ontology and the vocabularies,
so ``rdfs:subClassOf*`` serves targets and ``sh:class``.

:meth:`Compiler.checks` yields each query as a :class:`Check`: its text, and how
one row of its answer reads as :class:`Finding` s (shape, constraint, focus node,
value). Running them is :mod:`actorgraph.validation.fast`'s business. A shape
using a feature the compiler does not handle raises :class:`Unsupported`; the
engine registry then hands the validation to pySHACL.

>>> shapes = Graph().parse(data='''
...   @prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <http://e/> .
...   ex:S a sh:NodeShape ; sh:targetClass ex:C ;
...        sh:property [ sh:path ex:name ; sh:minCount 1 ] .''', format="turtle")
>>> [check] = Compiler(shapes).checks()
>>> "FILTER NOT EXISTS { ?this ?p [] }" in check.query
True
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

import pyoxigraph as ox
from rdflib import Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF, RDFS, XSD

from ..namespaces import SH
from .report import node_str
from .shapes import messages, path_str

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


class Unsupported(Exception):
    """A shape uses a SHACL feature the compiler does not handle.

    Not an error anyone sees: the engine registry catches it and validates
    with pySHACL instead (the report's engine name says why).
    """

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


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


@dataclass
class Shape:
    """One shape of the shapes graph, as the compiler sees it."""

    node: Any
    graph: Graph
    path: str | None = None  # SPARQL property path, None for a node shape
    path_label: str | None = None  # as Result.path spells it
    severity: str = "Violation"
    messages: dict[str, str] = field(default_factory=dict)

    def values(self, param: URIRef) -> list[Any]:
        return list(self.graph.objects(self.node, param))

    def one(self, param: URIRef) -> Any:
        return self.graph.value(self.node, param)

    def items(self, param: URIRef) -> list[list[Any]]:
        return [list(Collection(self.graph, head)) for head in self.values(param)]

    def default_messages(self, param: URIRef) -> dict[str, str]:
        """The message of a result when the shape gives none."""
        name = _COMPONENT.get(param, str(param))
        args = ", ".join(str(a) for a in self.values(param)) if param != SH.sparql else ""
        return {"": f"Value breaks the {name} constraint" + (f" ({args})" if args else "")}


#: One row of a query's answer: its bound variables (pyoxigraph terms), by name.
Row = Mapping[str, Any]


@dataclass(frozen=True)
class Finding:
    """A result found by a check: ``shape``'s ``param`` fails on ``focus``."""

    shape: Shape
    param: URIRef
    focus: Any
    value: Any = None
    messages: Mapping[str, str] | None = None  # when the constraint fills its own
    path: str | None = None  # when the constraint names its own


@dataclass(frozen=True)
class Check:
    """One compiled query, and how each row of its answer reads."""

    query: str
    read: Callable[[Row], Iterator[Finding]]


class DataFacts(Protocol):
    """What the compiler asks of the data it compiles for."""

    def subclasses(self, cls: str) -> list[str] | None:
        """``cls`` (a SPARQL IRI) and its subclasses as SPARQL IRIs; None when a
        subclass is a blank node, which a query cannot name."""

    def ill_typed(self, datatype: str) -> set[str]:
        """The lexical forms of ``datatype`` in the data that are not valid ones."""


class Compiler:
    """Compiles the shapes of one shapes graph to :class:`Check` s.

    With ``facts`` about the data the queries are cheaper (classes listed
    instead of followed through ``rdfs:subClassOf*``) and ``sh:datatype`` knows
    the ill-typed literals Oxigraph keeps; without, the queries are generic.
    """

    def __init__(self, shapes: Graph, facts: DataFacts | None = None) -> None:
        self.g = shapes
        self.facts = facts
        self._shapes: dict[Any, Shape] = {}
        self._vars = itertools.count()
        self._nesting: set[Any] = set()
        self._subclasses: dict[str, list[str] | None] = {}

    # ---- the whole shapes graph ------------------------------------------
    def compile_all(self) -> None:
        """Compile every shape, raising :class:`Unsupported` for the first
        feature the compiler does not handle; nothing is run."""
        for node in self.top_shapes():
            self.focus_pattern(node)
            self._check(self.shape(node), set())
        for _ in self.checks():  # the query texts, built and dropped
            pass

    def checks(self) -> Iterator[Check]:
        """Every query of every targeted shape."""
        for node in self.top_shapes():
            yield from self.shape_checks(self.shape(node), self.focus_pattern(node))

    def datatypes(self) -> set[str]:
        """The datatypes ``sh:datatype`` names."""
        return {str(d) for d in self.g.objects(None, SH.datatype) if isinstance(d, URIRef)}

    def _check(self, shape: Shape, seen: set[Any]) -> None:
        if shape.node in seen:
            raise Unsupported(f"recursive shape {shape.node}")
        seen = seen | {shape.node}
        for param, arg in self.value_constraints(shape):
            self.violation(shape, param, arg, "?value", "?this")
        for qs in shape.values(SH.qualifiedValueShape):
            self.conforms(self.shape(qs), "?value")
        if shape.path is not None and shape.values(SH.property):
            # pySHACL reports such results once per parent focus node; not reproduced here.
            raise Unsupported(f"sh:property inside the property shape {shape.node}")
        for prop in shape.values(SH.property):
            self._check(self.shape(prop), seen)
        for c in shape.values(SH.sparql):
            if self.g.value(c, SH.select) is None:
                raise Unsupported(f"SPARQL constraint {c} without sh:select")

    # ---- classes -----------------------------------------------------------
    def instance_of(self, v: str, cls: Any) -> str:
        """A pattern matching when ``v`` is a SHACL instance of ``cls``.

        ``rdf:type/rdfs:subClassOf*`` evaluated per node is slow; with facts at
        hand the subclasses are listed once and matched with a plain ``rdf:type``.
        """
        subs = self._listed(cls)
        if subs is None:  # no facts, or blank-node classes, which cannot be listed
            return f"{v} {_TYPE_PATH} {sparql_term(cls)}"
        if len(subs) == 1:
            return f"{v} <{RDF.type}> {subs[0]}"
        t = self.var()
        return f"{v} <{RDF.type}> {t} VALUES {t} {{ {' '.join(subs)} }}"

    def is_instance(self, v: str, cls: Any) -> str:
        """An expression true when ``v`` is a SHACL instance of ``cls``: one index
        lookup per subclass, cheaper than a join per value."""
        pattern = self.instance_of(v, cls)
        subs = self._listed(cls)
        if not subs or len(subs) == 1:
            return f"EXISTS {{ {pattern} }}"
        return "(" + " || ".join(f"EXISTS {{ {v} <{RDF.type}> {c} }}" for c in subs) + ")"

    def _listed(self, cls: Any) -> list[str] | None:
        if self.facts is None:
            return None
        key = sparql_term(cls)
        if key not in self._subclasses:
            self._subclasses[key] = self.facts.subclasses(key)
        return self._subclasses[key]

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
            shape.path_label = path_str(self.g, path)
        severity = self.g.value(node, SH.severity)
        if severity is not None:
            shape.severity = str(severity).rsplit("#", 1)[-1]
        shape.messages = messages(self.g, node)
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
            bad = self.facts.ill_typed(str(arg)) if self.facts is not None else None
            if bad:
                ok = f"({ok} && !(STR({v}) IN ({', '.join(_string(b) for b in sorted(bad))})))"
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

    # ---- checks ------------------------------------------------------------
    def shape_checks(self, shape: Shape, focus: str) -> Iterator[Check]:
        """Every check of ``shape`` over the focus nodes ``focus`` binds to ``?this``.

        The value constraints of the shape and of its property shapes whose path is
        one IRI run in one query (``?this ?p ?value``, one scan of the focus nodes'
        triples), and so do their cardinalities: a few queries per node shape.
        """
        if _off(shape):
            return
        props = [self.shape(p) for p in shape.values(SH.property)]
        props = [p for p in props if not _off(p)]
        simple = [p for p in props if _simple(p)] if shape.path is None else []
        yield from self._values(shape, simple, focus)
        if shape.path is None:
            for h in shape.values(SH.hasValue):
                yield _each_row(
                    f"SELECT ?this WHERE {{ {focus} FILTER (!sameTerm(?this, {sparql_term(h)})) }}",
                    shape,
                    SH.hasValue,
                )
            yield from self._cardinalities(simple, focus)
        for prop in simple:
            yield from self._counts(prop, focus, plain=False)
        if shape.path is not None:
            yield from self._counts(shape, focus)
        for prop in props:
            if prop not in simple:
                yield from self.shape_checks(prop, focus)
        for constraint in shape.values(SH.sparql):
            yield from self._sparql(shape, constraint, focus)

    def _values(self, shape: Shape, simple: list[Shape], focus: str) -> Iterator[Check]:
        """Value constraints of ``shape`` itself and of its simple-path property shapes."""
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
            yield _flagged(f"{focus} {values} {binds}", own, with_p=False)
        checks = [
            (prop, p, self.violation(prop, p, a, "?value", "?this"))
            for prop in simple
            for p, a in self.value_constraints(prop)
        ]
        if checks:
            paths = sorted({c[0].path or "" for c in checks})
            binds = " ".join(
                f"BIND (IF(sameTerm(?p, {prop.path}), COALESCE({f}, true), false) AS ?c{i})"
                for i, (prop, _, f) in enumerate(checks)
            )
            where = f"{focus} ?this ?p ?value VALUES ?p {{ {' '.join(paths)} }} {binds}"
            yield _flagged(where, checks, with_p=True)

    def _cardinalities(self, simple: list[Shape], focus: str) -> Iterator[Check]:
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
        counted = [
            (prop, mins, maxs) for prop, mins, maxs in bounds if maxs or any(n > 1 for n in mins)
        ]
        if counted:
            having = [
                f"(sameTerm(?p, {prop.path}) && ({' || '.join([f'{count} < {n}' for n in mins] + [f'{count} > {n}' for n in maxs])}))"
                for prop, mins, maxs in counted
            ]
            paths = sorted({prop.path or "" for prop, _, _ in counted})

            def read_counted(row: Row) -> Iterator[Finding]:
                n, path = int(row["n"].value), f"<{row['p'].value}>"
                for prop, mins, maxs in bounds:
                    if prop.path == path:
                        for m in mins:
                            if n < m:
                                yield Finding(prop, SH.minCount, row["this"])
                        for m in maxs:
                            if n > m:
                                yield Finding(prop, SH.maxCount, row["this"])

            yield Check(
                f"SELECT ?this ?p ({count} AS ?n) WHERE {{ {focus} ?this ?p ?value "
                f"VALUES ?p {{ {' '.join(paths)} }} }} GROUP BY ?this ?p HAVING ({' || '.join(having)})",
                read_counted,
            )
        required = sorted(
            {prop.path or "" for prop, mins, _ in bounds if any(n >= 1 for n in mins)}
        )
        if required:

            def read_missing(row: Row) -> Iterator[Finding]:
                path = f"<{row['p'].value}>"
                for prop, mins, _ in bounds:
                    if prop.path == path:
                        for m in mins:
                            if m >= 1:
                                yield Finding(prop, SH.minCount, row["this"])

            yield Check(
                f"SELECT ?this ?p WHERE {{ {focus} VALUES ?p {{ {' '.join(required)} }} "
                f"FILTER NOT EXISTS {{ ?this ?p [] }} }}",
                read_missing,
            )

    def _counts(self, shape: Shape, focus: str, *, plain: bool = True) -> Iterator[Check]:
        """Counts, ``sh:hasValue``, ``sh:uniqueLang`` and qualified shapes of a property
        shape; with ``plain=False`` its ``sh:minCount`` / ``sh:maxCount`` are left to
        :meth:`_cardinalities`."""
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
            yield Check(q, _out_of_bounds(shape, SH.minCount, mins, SH.maxCount, maxs))
        for h in shape.values(SH.hasValue):
            yield _each_row(
                f"SELECT ?this WHERE {{ {focus} FILTER NOT EXISTS {{ ?this {path} {sparql_term(h)} }} }}",
                shape,
                SH.hasValue,
            )
        if shape.one(SH.uniqueLang) == Literal(True):
            yield _each_row(
                f"SELECT DISTINCT ?this ?lang WHERE {{ {focus} ?this {path} ?a , ?b "
                f'FILTER (!sameTerm(?a, ?b) && lang(?a) != "" && LCASE(lang(?a)) = LCASE(lang(?b))) '
                f"BIND (LCASE(lang(?a)) AS ?lang) }}",
                shape,
                SH.uniqueLang,
            )
        qualified = shape.values(SH.qualifiedValueShape)
        if qualified:
            if shape.one(SH.qualifiedValueShapesDisjoint) == Literal(True):
                raise Unsupported("sh:qualifiedValueShapesDisjoint")
            qmins = [int(n) for n in shape.values(SH.qualifiedMinCount)]
            qmaxs = [int(n) for n in shape.values(SH.qualifiedMaxCount)]
            for qs in qualified:
                conf = self.conforms(self.shape(qs), "?value")
                count = "COUNT(DISTINCT ?value)"
                cond = [f"{count} < {n}" for n in qmins] + [f"{count} > {n}" for n in qmaxs]
                if not cond:
                    continue
                yield Check(
                    f"SELECT ?this (COUNT(DISTINCT ?value) AS ?n) WHERE {{ {focus} "
                    f"OPTIONAL {{ ?this {path} ?value FILTER ({conf}) }} }} "
                    f"GROUP BY ?this HAVING ({' || '.join(cond)})",
                    _out_of_bounds(shape, SH.qualifiedMinCount, qmins, SH.qualifiedMaxCount, qmaxs),
                )

    def _sparql(self, shape: Shape, constraint: Any, focus: str) -> Iterator[Check]:
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
        # The constraint's own messages say what went wrong; the shape's (about the
        # shape's other constraints, e.g. "identified by an IRI") only stand in.
        templates = messages(g, constraint) or shape.messages

        def read(row: Row) -> Iterator[Finding]:
            path = row.get("path")
            yield Finding(
                shape,
                SH.sparql,
                row["this"],
                row.get("value", row["this"] if shape.path is None else None),
                {lang: _fill(t, row) for lang, t in templates.items()} or None,
                path=path.value if isinstance(path, ox.NamedNode) else None,
            )

        yield Check(prefixes + text, read)

    def _prefixes(self, constraint: Any) -> dict[str, str]:
        g = self.g
        out: dict[str, str] = {}
        for owner in g.objects(constraint, SH.prefixes):
            for decl in g.objects(owner, SH.declare):
                prefix, ns = g.value(decl, SH.prefix), g.value(decl, SH.namespace)
                if prefix is not None and ns is not None:
                    out[str(prefix)] = str(ns)
        return out


def _flagged(where: str, checks: list[tuple[Shape, URIRef, str]], *, with_p: bool) -> Check:
    """One query computing each check's verdict as ``?c<i>``, keeping the rows that fail one."""
    names = " ".join(f"?c{i}" for i in range(len(checks)))
    any_ = " || ".join(f"?c{i}" for i in range(len(checks)))
    p = "?p " if with_p else ""

    def read(row: Row) -> Iterator[Finding]:
        for i, (shape, param, _) in enumerate(checks):
            if row[f"c{i}"].value == "true":
                yield Finding(shape, param, row["this"], row["value"])

    return Check(
        f"SELECT DISTINCT ?this {p}?value {names} WHERE {{ {where} FILTER ({any_}) }}", read
    )


def _each_row(query: str, shape: Shape, param: URIRef) -> Check:
    """A check whose every row is one result about ``?this``."""
    return Check(query, lambda row: iter([Finding(shape, param, row["this"])]))


def _out_of_bounds(
    shape: Shape, low: URIRef, mins: list[int], high: URIRef, maxs: list[int]
) -> Callable[[Row], Iterator[Finding]]:
    """Reads a count ``?n`` against lower and upper bounds."""

    def read(row: Row) -> Iterator[Finding]:
        n = int(row["n"].value)
        for m in mins:
            if n < m:
                yield Finding(shape, low, row["this"])
        for m in maxs:
            if n > m:
                yield Finding(shape, high, row["this"])

    return read


def _off(shape: Shape) -> bool:
    return bool(shape.one(SH.deactivated) == Literal(True))


def _simple(shape: Shape) -> bool:
    """A property shape whose path is one IRI."""
    return bool(shape.path) and shape.path.startswith("<") and shape.path.count("<") == 1  # type: ignore[union-attr]


def _fill(template: str, bound: Row) -> str:
    return re.sub(
        r"\{[?$]([A-Za-z_][A-Za-z0-9_]*)\}",
        lambda m: node_str(bound[m.group(1)]) if m.group(1) in bound else m.group(0),
        template,
    )


__all__ = ["Check", "Compiler", "DataFacts", "Finding", "Shape", "Unsupported", "component"]
