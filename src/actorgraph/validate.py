"""Validation: the project's SHACL shapes plus the ``*-violation.rq`` checks.

The data graph handed to the SHACL engine holds the data *and* the ontology
and vocabularies, so ``sh:class ag:Organisation`` sees every subclass and
vocabulary membership can be checked.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF, XSD

from .catalogue import Query, catalogue
from .errors import LoadError
from .namespaces import PREFIXES, SH, curie
from .project import group_of
from .store import EmbeddedStore, rdf_format, read_source, syntax_error

SEVERITIES = ("Violation", "Warning", "Info")
ENGINES = ("fast", "pyshacl")


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

    def message(self, lang: str = "en") -> str:
        if lang in self.messages:
            return self.messages[lang]
        if "" in self.messages:
            return self.messages[""]
        return next(iter(self.messages.values()), self.component)

    def key(self) -> tuple[int, str, str, str, str]:
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
        for focus, results in self.by_focus().items():
            label = results[0].label
            lines.append("")
            lines.append(f"{_short(focus)}" + (f"  «{label}»" if label else ""))
            for r in results:
                where = _short_path(r.path) if r.path else "—"
                value = f" = {r.value}" if r.value is not None else ""
                lines.append(
                    f"  [{r.severity}] {where}{value}: {r.message(lang)}  ({_short(r.component)})"
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
                g.add((node, SH.resultPath, _path_node(g, r.path)))
            if r.value is not None:
                g.add((node, SH.value, Literal(r.value)))
            for lang, text in sorted(r.messages.items()):
                g.add((node, SH.resultMessage, Literal(text, lang=lang or None)))
        return g

    def to_turtle(self) -> str:
        return self.to_graph().serialize(format="turtle")

    def render(self, fmt: str, lang: str = "en") -> str:
        if fmt == "json":
            return self.to_json(lang)
        if fmt in ("turtle", "ttl"):
            return self.to_turtle()
        return self.to_text(lang)


def _path_node(g: Graph, path: str) -> Any:
    """The SHACL path node for a path written by :func:`_path_str`."""
    if " | " in path:
        head = BNode()
        Collection(g, head, [_path_node(g, p) for p in path.split(" | ")])
        alt = BNode()
        g.add((alt, SH.alternativePath, head))
        return alt
    if " / " in path:
        head = BNode()
        Collection(g, head, [_path_node(g, p) for p in path.split(" / ")])
        return head
    if path.startswith("^"):
        inv = BNode()
        g.add((inv, SH.inversePath, _path_node(g, path[1:])))
        return inv
    for op, mark in ((SH.zeroOrMorePath, "*"), (SH.oneOrMorePath, "+"), (SH.zeroOrOnePath, "?")):
        if path.startswith("(") and path.endswith(")" + mark):
            node = BNode()
            g.add((node, op, _path_node(g, path[1:-2])))
            return node
    return URIRef(path)


def _term(value: str) -> URIRef | BNode:
    return BNode(value[2:]) if value.startswith("_:") else URIRef(value)


def _short_path(path: str) -> str:
    """Each IRI of a property path as a CURIE (``^ag:partner``, ``ag:siren | ag:rna``)."""

    def one(token: str) -> str:
        head = len(token) - len(token.lstrip("^("))
        tail = len(token) - len(token.rstrip(")*+?"))
        core = token[head : len(token) - tail]
        return token[:head] + (_short(core) if "://" in core else core) + token[len(token) - tail :]

    return " ".join(one(t) for t in path.split(" "))


def _short(iri: str) -> str:
    return curie(iri) or (f"<{iri}>" if "://" in iri else iri)


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


def _node_str(node: Any) -> str:
    if isinstance(node, BNode):
        return f"_:{node}"
    if isinstance(node, Literal):
        return str(node)
    return str(node)


def _path_str(g: Graph, path: Any) -> str | None:
    """A SHACL property path in SPARQL property-path notation."""
    if path is None:
        return None
    if isinstance(path, URIRef):
        return str(path)
    if (inverse := g.value(path, SH.inversePath)) is not None:
        return f"^{_path_str(g, inverse)}"
    if (alternatives := g.value(path, SH.alternativePath)) is not None:
        return " | ".join(_path_str(g, p) or "?" for p in Collection(g, alternatives))
    for op, mark in ((SH.zeroOrMorePath, "*"), (SH.oneOrMorePath, "+"), (SH.zeroOrOnePath, "?")):
        if (inner := g.value(path, op)) is not None:
            return f"({_path_str(g, inner)}){mark}"
    if g.value(path, RDF.first) is not None:
        return " / ".join(_path_str(g, p) or "?" for p in Collection(g, path))
    return "(complex path)"


def results_from_graph(results: Graph) -> list[Result]:
    """Results of a SHACL validation report graph."""
    out = []
    # Only the report's own results: those under sh:detail explain a result, they are not results.
    for node in results.objects(None, SH.result):
        severity = str(results.value(node, SH.resultSeverity) or SH.Violation).rsplit("#", 1)[-1]
        messages = {}
        for m in results.objects(node, SH.resultMessage):
            lang = m.language if isinstance(m, Literal) and m.language else ""
            messages[lang] = str(m)
        value = results.value(node, SH.value)
        out.append(
            Result(
                severity=severity,
                focus=_node_str(results.value(node, SH.focusNode)),
                component=str(results.value(node, SH.sourceConstraintComponent)),
                source=_node_str(results.value(node, SH.sourceShape)),
                path=_path_str(results, results.value(node, SH.resultPath)),
                value=None if value is None else _node_str(value),
                messages=messages,
            )
        )
    return out


def run_pyshacl(data: Graph, shapes: Graph) -> list[Result]:
    """Validate with pySHACL (the reference engine), no inference: the ontology is in ``data``."""
    import pyshacl

    _conforms, results_graph, _text = pyshacl.validate(
        data,
        shacl_graph=shapes,
        inference="none",
        advanced=True,
        allow_warnings=True,
        allow_infos=True,
    )
    return results_from_graph(results_graph)


def run_violation_queries(store: EmbeddedStore, queries: Iterable[Query]) -> list[Result]:
    """Each row of a ``*-violation.rq`` query is a Violation.

    Its ``?focus`` (or first) variable is the focus node; ``?path`` and
    ``?value`` are used when the query selects them; ``?message`` overrides
    the query's summary.
    """
    results = []
    for query in queries:
        if query.role != "violation":
            continue
        solutions = store.query(query.text)
        names = [v.value for v in solutions.variables]
        focus_var = "focus" if "focus" in names else (names[0] if names else None)
        for sol in solutions:
            focus = sol[focus_var] if focus_var else None
            path, value, message = (
                sol[n] if n in names else None for n in ("path", "value", "message")
            )
            messages = {"en": query.summary}
            if query.header.get("summary_fr"):
                messages["fr"] = query.header["summary_fr"]
            if message is not None:
                messages = {getattr(message, "language", None) or "": message.value}
            results.append(
                Result(
                    severity="Violation",
                    focus=focus.value if focus is not None else "",
                    component=f"query:{query.name}",
                    source=str(query.path or query.name),
                    path=path.value if path is not None else None,
                    value=value.value if value is not None else None,
                    messages=messages,
                )
            )
    return results


_LABELS = """
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?s ?label WHERE {
  VALUES ?s { %s }
  { ?s skos:prefLabel ?label } UNION { ?s dcterms:title ?label } UNION { ?s rdfs:label ?label }
  FILTER (lang(?label) IN ("%s", "", "fr"))
}
"""


def add_labels(store: EmbeddedStore, results: list[Result], lang: str) -> None:
    """Fill each result's ``label`` with its focus node's name, in ``lang`` when there is one."""
    if not re.fullmatch(r"[a-z]{2,3}", lang):
        raise ValueError(f"not a language code: {lang!r}")
    iris = sorted({r.focus for r in results if r.focus.startswith(("http://", "https://"))})
    if not iris:
        return
    best: dict[str, tuple[int, str]] = {}
    for i in range(0, len(iris), 500):
        values = " ".join(f"<{iri}>" for iri in iris[i : i + 500])
        for row in store.select(_LABELS % (values, lang)):
            label = row["label"]
            rank = 0 if label.language == lang else 1 if label.language == "fr" else 2
            current = best.get(row["s"].value)
            if current is None or (rank, label.value) < current:
                best[row["s"].value] = (rank, label.value)
    for r in results:
        if r.focus in best:
            r.label = best[r.focus][1]


def validate_store(
    store: EmbeddedStore,
    shapes_files: Sequence[Path],
    queries_dir: Path | None = None,
    *,
    engine: str = "fast",
    lang: str = "en",
    skip_groups: Iterable[str] = ("reference",),
) -> Report:
    """Validate everything in ``store`` against the shapes and the violation queries.

    The named graphs of ``skip_groups`` are left out of the SHACL run: by default
    the gazetteer (``reference``), generated from a registry package and checked by
    its own tests, whose ~400k triples would take pySHACL minutes.
    """
    if engine not in ENGINES:
        raise LoadError(
            f"unknown validation engine {engine!r}; expected one of {', '.join(ENGINES)}",
            field="--engine",
        )
    shapes = load_shapes(shapes_files)
    skip = set(skip_groups)
    graphs = [g for g in store.graphs() if group_of(g) not in skip] if skip else None
    if engine == "fast":
        from .shacl_fast import Unsupported, validate_fast

        try:
            results = validate_fast(store, shapes, graphs)
        except Unsupported as exc:  # never a silently different answer: hand over to pySHACL
            engine = f"pyshacl (fast engine: {exc.message})"
            results = run_pyshacl(store.to_rdflib(graphs), shapes)
    else:
        results = run_pyshacl(store.to_rdflib(graphs), shapes)
    if queries_dir is not None:
        results += run_violation_queries(store, catalogue(queries_dir))
    add_labels(store, results, lang)
    results.sort(key=Result.key)
    return Report(results, engine)


__all__ = ["ENGINES", "XSD", "Report", "Result", "validate_store"]
