"""Running queries: parameters turned into RDF terms, bound by the engine, and
the answers rendered as a table or in the W3C SPARQL results formats.

A parameter's value is never pasted into the query text. On the embedded
store it is handed to pyoxigraph as a substitution; for a remote server it
goes into a ``VALUES`` block made of serialised RDF terms (N-Triples form,
escaped by pyoxigraph), placed at the start of every ``WHERE`` group.

>>> from actorgraph.catalogue import Param
>>> resolve_param(Param("org", "organisation"), "la-27e-region")
<NamedNode value=https://w3id.org/actorgraph/id/organisation/la-27e-region>
>>> resolve_param(Param("org", "organisation"), "agorg:fing").value
'https://w3id.org/actorgraph/id/organisation/fing'
>>> str(resolve_param(Param("min", "integer"), "2"))
'"2"^^<http://www.w3.org/2001/XMLSchema#integer>'
"""

from __future__ import annotations

import datetime as dt
import difflib
import json
import re
from collections.abc import Iterable, Mapping
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from .catalogue import LITERAL_TYPES, Param, Query, catalogue
from .errors import QueryError, UnknownQuery
from .namespaces import KINDS, PREFIXES, curie
from .rdf import names as rdf_formats
from .rdf import serialize_triples
from .slug import SLUG
from .store.sparql import Answer, Term

XSD = PREFIXES["xsd"]

#: Result formats for SELECT/ASK and for CONSTRUCT/DESCRIBE (every format of the
#: writer registry).
SELECT_FORMATS = ("table", "csv", "tsv", "json", "xml", "md")
GRAPH_FORMATS = rdf_formats()

_CURIE = re.compile(r"^([A-Za-z][\w-]*):([^\s/<>\"{}|^`\\][^\s<>\"{}|^`\\]*)?$")
_YEAR = re.compile(r"^-?\d{4,}$")


# ---------------------------------------------------------------- parameters


def _ill_typed(param: Param, raw: str, why: str) -> QueryError:
    return QueryError(
        f"parameter ?{param.name}: {why} (got {raw!r})", field=f"--param {param.name}"
    )


def resolve_iri(raw: str) -> ox.NamedNode:
    """A full IRI (``<…>`` optional) or a CURIE of a known prefix, as a checked IRI."""
    text = raw.strip()
    if text.startswith("<") and text.endswith(">"):
        text = text[1:-1]
    match = _CURIE.match(text)
    if match and match.group(1) in PREFIXES and "://" not in text:
        text = PREFIXES[match.group(1)] + (match.group(2) or "")
    scheme = re.match(r"^([A-Za-z][A-Za-z0-9+.-]*):", text)
    if not scheme:
        raise ValueError("not an absolute IRI or a known CURIE")
    if "://" not in text and scheme.group(1).lower() not in ("urn", "mailto", "tag"):
        # ``nope:thing`` is more likely a CURIE with a mistyped prefix than an IRI
        raise ValueError(f"unknown prefix {scheme.group(1)!r} (known: {', '.join(PREFIXES)})")
    return ox.NamedNode(text)  # raises ValueError on characters an IRI cannot hold


def resolve_param(param: Param, raw: str) -> Term:
    """The RDF term ``raw`` stands for, given the parameter's declared type."""
    kind = param.type
    if kind in KINDS or kind == "iri":
        raw = raw.strip()  # a value pasted with its line end
        if kind in KINDS and SLUG.fullmatch(raw):
            return ox.NamedNode(str(KINDS[kind][raw]))
        try:
            node = resolve_iri(raw)
        except ValueError as exc:
            expected = (
                f"a full IRI, a CURIE or a slug of kind {kind}"
                if kind in KINDS
                else "an IRI or CURIE"
            )
            raise _ill_typed(param, raw, f"expected {expected}; {exc}") from None
        return node
    datatype = ox.NamedNode(XSD + LITERAL_TYPES[kind])
    if kind == "string":
        return ox.Literal(raw)
    if kind == "integer":
        if not re.fullmatch(r"[+-]?\d+", raw.strip()):
            raise _ill_typed(param, raw, "expected an integer")
        return ox.Literal(str(int(raw)), datatype=datatype)
    if kind == "decimal":
        try:
            value = Decimal(raw.strip())
        except InvalidOperation:
            raise _ill_typed(param, raw, "expected a decimal number") from None
        if not value.is_finite():
            raise _ill_typed(param, raw, "expected a decimal number")
        return ox.Literal(format(value, "f"), datatype=datatype)
    if kind == "boolean":
        if raw.strip().lower() not in ("true", "false"):
            raise _ill_typed(param, raw, "expected true or false")
        return ox.Literal(raw.strip().lower(), datatype=datatype)
    if kind == "date":
        try:
            return ox.Literal(dt.date.fromisoformat(raw.strip()).isoformat(), datatype=datatype)
        except ValueError:
            raise _ill_typed(param, raw, "expected a date YYYY-MM-DD") from None
    if kind == "year":
        if not _YEAR.match(raw.strip()):
            raise _ill_typed(param, raw, "expected a year YYYY")
        return ox.Literal(raw.strip(), datatype=datatype)
    raise _ill_typed(param, raw, f"unknown parameter type {kind}")  # pragma: no cover


def unknown_entities(store: Any, query: Query, bindings: Mapping[str, Term]) -> list[str]:
    """Notes for entity parameters that name nothing in ``store``, with the
    closest slugs of the same kind (a mistyped slug otherwise just finds no row).

    >>> from actorgraph.store import EmbeddedStore
    >>> s = EmbeddedStore()
    >>> s.load_bytes(b'<https://w3id.org/actorgraph/id/organisation/la-27e-region> '
    ...              b'<http://e/p> "x" .', "nt", graph="http://e/g")
    1
    >>> q = Query.from_text("q", "#+ params: ?org (organisation)\\nSELECT ?org WHERE { ?org ?p ?o }")
    >>> unknown_entities(s, q, {"org": ox.NamedNode(str(KINDS["organisation"]["la-27e-regio"]))})
    ['no organisation agorg:la-27e-regio in the graph; did you mean la-27e-region?']
    """
    notes = []
    for param in query.params:
        term = bindings.get(param.name)
        if param.type not in KINDS or not isinstance(term, ox.NamedNode):
            continue
        if store.ask("ASK { { ?x ?p ?o } UNION { ?s ?p ?x } }", {"x": term}):
            continue
        namespace = str(KINDS[param.type])
        note = f"no {param.type} {short(term)} in the graph"
        if term.value.startswith(namespace):
            known = [
                row["s"].value[len(namespace) :]
                for row in store.select(
                    f'SELECT DISTINCT ?s WHERE {{ ?s ?p ?o FILTER STRSTARTS(STR(?s), "{namespace}") }}'
                )
            ]
            known = [k for k in known if "#" not in k and "/" not in k]
            close = difflib.get_close_matches(term.value[len(namespace) :], known, n=3)
            if close:
                note += f"; did you mean {', '.join(close)}?"
        notes.append(note)
    return notes


def parse_assignments(items: Iterable[str]) -> dict[str, str]:
    """``["org=la-27e-region", …]`` as a dict; each must hold ``=``.

    >>> parse_assignments(["org=la-27e-region", "text=a=b"])
    {'org': 'la-27e-region', 'text': 'a=b'}
    """
    out: dict[str, str] = {}
    for item in items:
        name, sep, value = item.partition("=")
        name = name.strip().lstrip("?$")
        if not sep or not name:
            raise QueryError(f"expected NAME=VALUE, got {item!r}", field="--param")
        if name in out:
            raise QueryError(f"parameter ?{name} given twice", field=f"--param {name}")
        out[name] = value
    return out


def bind(query: Query, values: Mapping[str, str]) -> dict[str, Term]:
    """The engine bindings for ``query``: every declared parameter resolved.

    A missing, unknown or ill-typed parameter raises :class:`QueryError`
    naming it, with the query's header as the hint.
    """
    params = query.params
    declared = {p.name: p for p in params}
    header = query.header_text()
    hint = f"the query's header:\n{header}" if header else None
    unknown = sorted(set(values) - set(declared))
    if unknown:
        known = ", ".join(f"?{n}" for n in declared) or "none"
        raise QueryError(
            f"unknown parameter ?{unknown[0]} for query {query.name} (it takes: {known})",
            field=f"--param {unknown[0]}",
            hint=hint,
        )
    bindings: dict[str, Term] = {}
    for param in params:
        raw = values.get(param.name, param.default)
        if raw is None:
            raise QueryError(
                f"missing parameter ?{param.name} for query {query.name}: "
                f"give --param {param.name}=VALUE ({param.describe()})",
                field=f"--param {param.name}",
                hint=hint,
            )
        try:
            bindings[param.name] = resolve_param(param, raw)
        except QueryError as exc:
            exc.hint = hint
            raise
    return bindings


# ---------------------------------------------------------------- rendering


def _json_term(term: Term) -> dict[str, str]:
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    out = {"type": "literal", "value": term.value}
    if term.language:
        out["xml:lang"] = term.language
    elif term.datatype.value != XSD + "string":
        out["datatype"] = term.datatype.value
    return out


def to_json(answer: Answer) -> str:
    """The W3C SPARQL 1.1 results JSON of a SELECT or ASK answer."""
    if answer.form == "ASK":
        return json.dumps({"head": {}, "boolean": bool(answer.boolean)})
    bindings = [{k: _json_term(v) for k, v in row.items()} for row in answer.rows]
    return json.dumps(
        {"head": {"vars": answer.variables}, "results": {"bindings": bindings}},
        ensure_ascii=False,
    )


def short(term: Term | None) -> str:
    """A compact human form: CURIE for known namespaces, plain text for literals.

    >>> short(ox.NamedNode("https://w3id.org/actorgraph/id/organisation/fing"))
    'agorg:fing'
    >>> short(ox.Literal("2", datatype=ox.NamedNode(XSD + "integer")))
    '2'
    """
    if term is None:
        return ""
    if isinstance(term, ox.NamedNode):
        return curie(term.value) or term.value
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    return term.value


def _md_cell(text: str) -> str:
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")


def render(answer: Answer, fmt: str, hide: Iterable[str] = ()) -> str | bytes | Any:
    """The answer in ``fmt``: bytes for W3C/RDF formats, str for md, a rich Table for table.

    ``hide`` names columns left out of ``table`` and ``md`` (the parameters,
    which hold the same value on every row); the W3C formats keep them all.
    """
    if answer.form in ("CONSTRUCT", "DESCRIBE"):
        if fmt not in GRAPH_FORMATS:
            raise QueryError(
                f"a {answer.form} query gives triples: --format {fmt} is not one of "
                f"{', '.join(GRAPH_FORMATS)}",
                field="--format",
            )
        # Written as exports are: sorted, canonical blank nodes, the prefixes used.
        return serialize_triples(answer.triples, fmt)
    if fmt in GRAPH_FORMATS:
        raise QueryError(
            f"a {answer.form} query gives results, not triples: use one of {', '.join(SELECT_FORMATS)}",
            field="--format",
        )
    if fmt in ("json", "xml", "csv", "tsv"):
        if fmt == "json":
            return to_json(answer).encode() + b"\n"
        if answer.form == "ASK" and fmt in ("csv", "tsv"):
            return b"true\n" if answer.boolean else b"false\n"
        parsed = ox.parse_query_results(to_json(answer).encode(), format=ox.QueryResultsFormat.JSON)
        target = {
            "xml": ox.QueryResultsFormat.XML,
            "csv": ox.QueryResultsFormat.CSV,
            "tsv": ox.QueryResultsFormat.TSV,
        }
        return parsed.serialize(format=target[fmt]) or b""
    if answer.form == "ASK":
        return "true" if answer.boolean else "false"
    hidden = set(hide)
    shown = [v for v in answer.variables if v not in hidden] or answer.variables
    if fmt == "md":
        lines = ["| " + " | ".join(shown) + " |", "|" + "---|" * len(shown)]
        for row in answer.rows:
            lines.append("| " + " | ".join(_md_cell(short(row.get(v))) for v in shown) + " |")
        return "\n".join(lines) + "\n"
    if fmt == "table":
        from rich.table import Table

        table = Table(show_lines=False)
        for v in shown:
            table.add_column(v, overflow="fold")
        for row in answer.rows:
            table.add_row(*(short(row.get(v)) for v in shown))
        return table
    raise QueryError(f"unknown format {fmt!r}", field="--format")


# ---------------------------------------------------------------- lookup


def find_query(queries_dir: Path, name_or_file: str) -> Query:
    """A catalogue query by name, or a ``.rq`` file by path."""
    path = Path(name_or_file)
    if name_or_file.endswith((".rq", ".sparql")) or path.is_file():
        return Query.from_file(path)
    candidate = queries_dir / f"{name_or_file}.rq"
    if candidate.is_file():
        return Query.from_file(candidate)
    names = [q.name for q in catalogue(queries_dir)]
    close = difflib.get_close_matches(name_or_file, names, n=3, cutoff=0.7)
    hint = f"did you mean {', '.join(close)}?" if close else "run `actorgraph queries` for the list"
    raise UnknownQuery(f"no query named {name_or_file!r} in {queries_dir}", field="NAME", hint=hint)


__all__ = [
    "GRAPH_FORMATS",
    "SELECT_FORMATS",
    "bind",
    "find_query",
    "parse_assignments",
    "render",
    "resolve_param",
]
