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
>>> add_values("SELECT ?s WHERE { ?s ?p ?o }", {"o": resolve_param(Param("o", "string"), 'a"b')})
'SELECT ?s WHERE { VALUES (?o) { ("a\\\\"b") } ?s ?p ?o }'
>>> query_form("PREFIX x: <http://e/> # SELECT\\nCONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }")
'CONSTRUCT'
"""

from __future__ import annotations

import datetime as dt
import difflib
import json
import re
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from .catalogue import LITERAL_TYPES, Param, Query, catalogue
from .errors import QueryError
from .namespaces import KINDS, PREFIXES, curie
from .rdf import names as rdf_formats
from .rdf import serialize_triples
from .slug import SLUG

Term = ox.NamedNode | ox.Literal | ox.BlankNode

XSD = PREFIXES["xsd"]

#: Result formats for SELECT/ASK and for CONSTRUCT/DESCRIBE (every format of the
#: writer registry).
SELECT_FORMATS = ("table", "csv", "tsv", "json", "xml", "md")
GRAPH_FORMATS = rdf_formats()

_CURIE = re.compile(r"^([A-Za-z][\w-]*):([^\s/<>\"{}|^`\\][^\s<>\"{}|^`\\]*)?$")
_YEAR = re.compile(r"^-?\d{4,}$")
_UPDATE_WORDS = {
    "INSERT",
    "DELETE",
    "LOAD",
    "CLEAR",
    "CREATE",
    "DROP",
    "ADD",
    "MOVE",
    "COPY",
    "WITH",
}
_FORMS = {"SELECT", "CONSTRUCT", "DESCRIBE", "ASK"}


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
        if kind in KINDS and SLUG.match(raw):
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
        if bool(store.query("ASK { { ?x ?p ?o } UNION { ?s ?p ?x } }", {"x": term})):
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


# ---------------------------------------------------------------- query text


_TOKEN = re.compile(
    r"""(?P<skip>\#[^\n]*|'''(?:[^'\\]|\\.|'(?!''))*'''|\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"
    |'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*"|<[^<>"{}|^`\\\s]*>)
    |(?P<var>[?$]\w+)|(?P<word>[A-Za-z_:][\w.:-]*)|(?P<punct>[{}()*])""",
    re.VERBOSE,
)


def _tokens(text: str, variables: bool = False) -> Iterable[tuple[int, str]]:
    """Positions and texts of the significant tokens: comments, strings and IRIs skipped."""
    for match in _TOKEN.finditer(text):
        if match.group("skip") is None and (variables or match.group("var") is None):
            yield match.start(), match.group(0)


def query_form(text: str) -> str:
    """``SELECT``, ``CONSTRUCT``, ``DESCRIBE``, ``ASK`` or ``UPDATE``."""
    for _, token in _tokens(text):
        word = token.upper()
        if word in _FORMS:
            return word
        if word in _UPDATE_WORDS:
            return "UPDATE"
    raise QueryError("no SELECT, CONSTRUCT, DESCRIBE, ASK or update operation found")


def uses_service(text: str) -> bool:
    r"""Does the query call another endpoint (a ``SERVICE`` clause)?

    >>> uses_service("SELECT * WHERE { SERVICE <http://e/sparql> { ?s ?p ?o } }")
    True
    >>> uses_service("# no SERVICE here\nSELECT * WHERE { ?s ?p 'SERVICE' }")
    False
    """
    return any(token.upper() == "SERVICE" for _, token in _tokens(text))


def values_block(bindings: Mapping[str, Term]) -> str:
    """``VALUES (?a ?b) { (term term) }`` with each term in N-Triples form."""
    names = " ".join(f"?{n}" for n in bindings)
    terms = " ".join(str(t) for t in bindings.values())
    return f"VALUES ({names}) {{ ({terms}) }}"


def add_values(text: str, bindings: Mapping[str, Term]) -> str:
    """The query with a ``VALUES`` block of ``bindings`` opening its ``WHERE`` groups.

    Used for servers that cannot take bindings beside the query. It follows
    the scoping of pyoxigraph's substitutions: the outermost ``WHERE`` gets
    every parameter, a subquery only those its ``SELECT`` projects.
    """
    if not bindings:
        return text
    for name in bindings:
        if not re.fullmatch(r"[A-Za-z_]\w*", name):
            raise QueryError(f"invalid parameter name {name!r}", field="--param")
    inserts: list[tuple[int, str]] = []
    selects: list[set[str] | None] = []  # projections of the SELECTs seen, None for ``*``
    projecting = False
    depth = 0
    after_as = False
    pending = False
    first = True
    for pos, token in _tokens(text, variables=True):
        upper = token.upper()
        if upper == "SELECT":
            selects.append(set())
            projecting, depth, after_as = True, 0, False
            continue
        if upper in ("ASK", "WHERE"):
            projecting, pending = False, True
            continue
        if projecting:
            if token == "{" and depth == 0:
                projecting, pending = False, True
            else:
                if token == "(":
                    depth += 1
                elif token == ")":
                    depth -= 1
                elif token == "*" and depth == 0:
                    selects[-1] = None
                elif token[0] in "?$" and (depth == 0 or after_as):
                    projection = selects[-1]
                    if projection is not None:
                        projection.add(token[1:])
                after_as = upper == "AS"
                continue
        if token == "{" and pending:
            pending = False
            scope = None if first else selects[-1] if selects else None
            first = False
            names = [n for n in bindings if scope is None or n in scope]
            if names:
                inserts.append((pos + 1, values_block({n: bindings[n] for n in names})))
        elif upper not in ("FROM", "NAMED"):
            pending = False
    if not inserts:
        raise QueryError("a query with parameters needs a WHERE { … } clause to bind them remotely")
    for pos, block in reversed(inserts):
        text = f"{text[:pos]} {block}{text[pos:]}"
    return text


# ---------------------------------------------------------------- answers


@dataclass
class Answer:
    """What a query returned: rows (SELECT), a boolean (ASK) or triples."""

    form: str
    variables: list[str] = field(default_factory=list)
    rows: list[dict[str, Term]] = field(default_factory=list)
    boolean: bool | None = None
    triples: list[ox.Triple] = field(default_factory=list)
    truncated: bool = False

    def row_keys(self) -> set[tuple[tuple[str, str], ...]]:
        """The rows as a set of (variable, N-Triples term) tuples, for comparisons."""
        return {tuple(sorted((k, str(v)) for k, v in row.items())) for row in self.rows}


def answer_from(result: Any, form: str, limit: int | None = None) -> Answer:
    """An :class:`Answer` from pyoxigraph query results (local or parsed)."""
    if isinstance(result, ox.QueryBoolean) or form == "ASK":
        return Answer("ASK", boolean=bool(result))
    if isinstance(result, ox.QueryTriples) or form in ("CONSTRUCT", "DESCRIBE"):
        triples: list[ox.Triple] = []
        for i, item in enumerate(result):
            if limit is not None and i >= limit:
                return Answer(form, triples=triples, truncated=True)
            triples.append(item.triple if isinstance(item, ox.Quad) else item)
        return Answer(form, triples=triples)
    names = [v.value for v in result.variables]
    rows: list[dict[str, Term]] = []
    for i, solution in enumerate(result):
        if limit is not None and i >= limit:
            return Answer("SELECT", names, rows, truncated=True)
        rows.append({n: solution[n] for n in names if solution[n] is not None})
    return Answer("SELECT", names, rows)


def run_local(
    store: Any,
    text: str,
    bindings: Mapping[str, Term] | None = None,
    *,
    limit: int | None = None,
    timeout: float | None = None,
) -> Answer:
    """Run a read-only query on an :class:`~actorgraph.store.EmbeddedStore`.

    >>> from actorgraph.store import EmbeddedStore
    >>> s = EmbeddedStore()
    >>> s.load_bytes(b'<http://e/a> <http://e/p> "x" .', "nt", graph="http://e/g")
    1
    >>> run_local(s, "SELECT ?s ?o WHERE { ?s ?p ?o }", {"o": ox.Literal("x")}).rows[0]["s"]
    <NamedNode value=http://e/a>

    A bound parameter must be selected (pyoxigraph's substitution rule):

    >>> run_local(s, "SELECT ?s WHERE { ?s ?p ?o }", {"o": ox.Literal("x")})
    Traceback (most recent call last):
    actorgraph.errors.QueryError: --param o: the query must select ?o to take it as a parameter (SELECT ?o …)
    """
    form = query_form(text)
    if form == "UPDATE":
        raise QueryError("this is an update, not a query; pass --update to change the store")

    def work() -> Answer:
        try:
            return answer_from(store.query(text, bindings), form, limit)
        except RuntimeError as exc:
            match = re.search(r"variable \?(\w+) in its SELECT projection", str(exc))
            if not match:
                raise QueryError(f"query failed: {exc}") from None
            name = match.group(1)
            raise QueryError(
                f"the query must select ?{name} to take it as a parameter (SELECT ?{name} …)",
                field=f"--param {name}",
            ) from None

    if timeout is None:
        return work()
    box: dict[str, Any] = {}

    def target() -> None:
        try:
            box["answer"] = work()
        except BaseException as exc:  # handed back to the caller's thread
            box["error"] = exc

    # pyoxigraph cannot cancel a running query: give up waiting and report it.
    worker = threading.Thread(target=target, daemon=True)
    worker.start()
    worker.join(timeout)
    if worker.is_alive():
        raise QueryError(f"query took longer than {timeout:g} s", field="--timeout")
    if "error" in box:
        raise box["error"]
    return box["answer"]


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
    raise QueryError(f"no query named {name_or_file!r} in {queries_dir}", field="NAME", hint=hint)


__all__ = [
    "GRAPH_FORMATS",
    "SELECT_FORMATS",
    "Answer",
    "add_values",
    "bind",
    "find_query",
    "parse_assignments",
    "query_form",
    "render",
    "resolve_param",
    "run_local",
    "uses_service",
]
