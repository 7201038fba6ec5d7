"""The validation report: results, their order, and their renderings.

A :class:`Result` spells every node as a string: an IRI as itself, a blank node
as ``_:id``, a literal as its lexical form (:func:`node_str`). Its ``path`` is a
SHACL property path in SPARQL property-path notation (``^ag:partner`` with full
IRIs; :func:`actorgraph.validation.shapes.path_str` writes it), which
:func:`path_node` turns back into a SHACL path for the Turtle report.

>>> r = Result("Violation", "https://w3id.org/actorgraph/id/organisation/x",
...            "http://www.w3.org/ns/shacl#MinCountConstraintComponent", "_:s",
...            path="http://www.w3.org/2004/02/skos/core#prefLabel",
...            messages={"en": "A name is required"}, file="data/graph/x.ttl")
>>> print(Report([r], "fast").to_text(), end="")
Validation: does NOT conform — 1 violation(s), 0 warning(s), 0 info
<BLANKLINE>
agorg:x
  [Violation] skos:prefLabel: A name is required  (sh:MinCountConstraintComponent)  (data/graph/x.ttl)
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Any

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF

from ..namespaces import PREFIXES, SH, curie

SEVERITIES = ("Violation", "Warning", "Info")

#: How the text report names each severity, by language (English: as SHACL does).
SEVERITY_NAMES: dict[str, dict[str, str]] = {
    "fr": {"Violation": "Violation", "Warning": "Avertissement", "Info": "Information"},
}


@dataclass
class Result:
    """One validation result."""

    severity: str
    focus: str
    component: str
    source: str
    path: str | None = None
    value: str | None = None
    messages: dict[str, str] = field(default_factory=dict)
    label: str | None = None
    #: The named graph holding the statements the result is about, and its file.
    graph: str | None = None
    file: str | None = None

    def message(self, lang: str = "en") -> str:
        """The message in ``lang``, else the untagged one, else any.

        >>> Result("Info", "x", "c", "s", messages={"": "plain", "fr": "français"}).message()
        'plain'
        """
        if lang in self.messages:
            return self.messages[lang]
        if "" in self.messages:
            return self.messages[""]
        return next(iter(self.messages.values()), self.component)

    def key(self) -> tuple[int, str, str, str, str]:
        """The report's order: severity, focus node, path, component, value."""
        return (
            SEVERITIES.index(self.severity),
            self.focus,
            self.path or "",
            self.component,
            self.value or "",
        )


@dataclass
class Report:
    """A validation report: results sorted by severity, focus node, path."""

    results: list[Result]
    engine: str = "pyshacl"

    @property
    def conforms(self) -> bool:
        return not any(r.severity == "Violation" for r in self.results)

    def count(self, severity: str) -> int:
        return sum(1 for r in self.results if r.severity == severity)

    def counts(self) -> dict[str, int]:
        return {s: self.count(s) for s in SEVERITIES}

    # ---- renderings ----------------------------------------------------
    def to_text(self, lang: str = "en") -> str:
        counts = self.counts()
        verdict = {
            "en": "conforms" if self.conforms else "does NOT conform",
            "fr": "conforme" if self.conforms else "NON conforme",
        }.get(lang, "conforms" if self.conforms else "does NOT conform")
        names = {"fr": ("violation(s)", "avertissement(s)", "information(s)")}.get(
            lang, ("violation(s)", "warning(s)", "info")
        )
        lines = [
            f"Validation: {verdict} — {counts['Violation']} {names[0]}, "
            f"{counts['Warning']} {names[1]}, {counts['Info']} {names[2]}"
        ]
        severity = SEVERITY_NAMES.get(lang, {})
        for focus, results in self.by_focus().items():
            label = results[0].label
            lines.append("")
            lines.append(f"{short_iri(focus)}" + (f"  «{label}»" if label else ""))
            for r in results:
                where = short_path(r.path) if r.path else "—"
                value = f" = {r.value}" if r.value is not None else ""
                origin = r.file or (short_iri(r.graph) if r.graph else None)
                lines.append(
                    f"  [{severity.get(r.severity, r.severity)}] {where}{value}: {r.message(lang)}"
                    f"  ({short_iri(r.component)})" + (f"  ({origin})" if origin else "")
                )
        return "\n".join(lines) + "\n"

    def by_focus(self) -> dict[str, list[Result]]:
        grouped: dict[str, list[Result]] = {}
        for r in sorted(self.results, key=lambda r: (r.focus, r.key())):
            grouped.setdefault(r.focus, []).append(r)
        return grouped

    def to_json(self, lang: str = "en") -> str:
        doc: dict[str, Any] = {
            "conforms": self.conforms,
            "engine": self.engine,
            "counts": self.counts(),
            "results": [{**asdict(r), "message": r.message(lang)} for r in self.results],
        }
        return json.dumps(doc, ensure_ascii=False, indent=2, sort_keys=True) + "\n"

    def to_graph(self) -> Graph:
        g = Graph()
        g.bind("sh", SH)
        for prefix, iri in PREFIXES.items():
            g.bind(prefix, iri)
        report = BNode("report")
        g.add((report, RDF.type, SH.ValidationReport))
        g.add((report, SH.conforms, Literal(self.conforms)))
        for i, r in enumerate(self.results):
            node = BNode(f"r{i:05d}")
            g.add((report, SH.result, node))
            g.add((node, RDF.type, SH.ValidationResult))
            g.add((node, SH.resultSeverity, SH[r.severity]))
            g.add((node, SH.focusNode, _term(r.focus)))
            g.add((node, SH.sourceConstraintComponent, _term(r.component)))
            g.add((node, SH.sourceShape, _term(r.source)))
            if r.path:
                g.add((node, SH.resultPath, path_node(g, r.path)))
            if r.value is not None:
                g.add((node, SH.value, Literal(r.value)))
            for lang, text in sorted(r.messages.items()):
                g.add((node, SH.resultMessage, Literal(text, lang=lang or None)))
        return g

    def to_turtle(self) -> str:
        """The W3C SHACL validation report as Turtle, written like every other
        Turtle of the project (:mod:`actorgraph.rdf`: sorted, canonical blank
        node labels, so the same report gives the same bytes)."""
        from ..rdf import serialize_triples

        data = self.to_graph().serialize(format="nt", encoding="utf-8")
        triples = ox.parse(data, format=ox.RdfFormat.N_TRIPLES)
        return serialize_triples(list(triples), "ttl").decode("utf-8")

    def render(self, fmt: str, lang: str = "en") -> str:
        if fmt == "json":
            return self.to_json(lang)
        if fmt in ("turtle", "ttl"):
            return self.to_turtle()
        return self.to_text(lang)


def node_str(node: Any) -> str:
    """A node of rdflib or pyoxigraph as a :class:`Result` spells it.

    >>> node_str(BNode("b1")), node_str(ox.BlankNode("b1")), node_str(ox.Literal("7"))
    ('_:b1', '_:b1', '7')
    """
    if isinstance(node, BNode):
        return f"_:{node}"
    if isinstance(node, ox.BlankNode):
        return f"_:{node.value}"
    if isinstance(node, (ox.NamedNode, ox.Literal)):
        return str(node.value)
    return str(node)


def path_node(g: Graph, path: str) -> Any:
    """The SHACL path node, added to ``g``, of a path in property-path notation.

    >>> g = Graph()
    >>> inverse = path_node(g, "^http://e/p")
    >>> g.value(inverse, SH.inversePath)
    rdflib.term.URIRef('http://e/p')
    """
    if " | " in path:
        head = BNode()
        Collection(g, head, [path_node(g, p) for p in path.split(" | ")])
        alt = BNode()
        g.add((alt, SH.alternativePath, head))
        return alt
    if " / " in path:
        head = BNode()
        Collection(g, head, [path_node(g, p) for p in path.split(" / ")])
        return head
    if path.startswith("^"):
        inv = BNode()
        g.add((inv, SH.inversePath, path_node(g, path[1:])))
        return inv
    for op, mark in ((SH.zeroOrMorePath, "*"), (SH.oneOrMorePath, "+"), (SH.zeroOrOnePath, "?")):
        if path.startswith("(") and path.endswith(")" + mark):
            node = BNode()
            g.add((node, op, path_node(g, path[1:-2])))
            return node
    return URIRef(path)


def _term(value: str) -> URIRef | BNode:
    return BNode(value[2:]) if value.startswith("_:") else URIRef(value)


def short_path(path: str) -> str:
    """Each IRI of a property path as a CURIE.

    >>> short_path("^https://w3id.org/actorgraph/ontology#partner")
    '^ag:partner'
    """

    def one(token: str) -> str:
        head = len(token) - len(token.lstrip("^("))
        tail = len(token) - len(token.rstrip(")*+?"))
        core = token[head : len(token) - tail]
        return (
            token[:head] + (short_iri(core) if "://" in core else core) + token[len(token) - tail :]
        )

    return " ".join(one(t) for t in path.split(" "))


def short_iri(iri: str) -> str:
    """An IRI as a CURIE when a project prefix fits, else ``<iri>``; other text as it is.

    >>> short_iri("http://www.w3.org/ns/shacl#Violation"), short_iri("http://e/x"), short_iri("_:b")
    ('sh:Violation', '<http://e/x>', '_:b')
    """
    return curie(iri) or (f"<{iri}>" if "://" in iri else iri)


__all__ = ["SEVERITIES", "Report", "Result", "node_str", "path_node", "short_iri", "short_path"]
