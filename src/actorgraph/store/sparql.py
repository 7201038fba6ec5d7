r"""SPARQL text and answers, shared by every engine behind the store port.

The form of a query, whether it calls another endpoint, a ``VALUES`` block of
parameters for servers that cannot take bindings beside the query, and
:class:`Answer`, what any store returns.

>>> query_form("PREFIX x: <http://e/> # SELECT\nCONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }")
'CONSTRUCT'
>>> add_values("SELECT ?s WHERE { ?s ?p ?o }", {"o": ox.Literal('a"b')})
'SELECT ?s WHERE { VALUES (?o) { ("a\\"b") } ?s ?p ?o }'
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pyoxigraph as ox

from ..errors import QueryError, ServiceError

Term = ox.NamedNode | ox.Literal | ox.BlankNode

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


def service_endpoints(text: str) -> list[str]:
    r"""The IRIs a query's ``SERVICE`` clauses call, in order.

    >>> service_endpoints("SELECT * WHERE { SERVICE SILENT <http://e/sparql> { ?s ?p ?o } }")
    ['http://e/sparql']
    >>> service_endpoints("# SERVICE <http://x/>\nASK {}")
    []
    """
    found: list[str] = []
    after = False
    for match in _TOKEN.finditer(text):
        token = match.group(0)
        if match.group("skip") is not None:
            if after and token.startswith("<"):
                if token[1:-1] not in found:
                    found.append(token[1:-1])
                after = False
            elif not token.startswith("#"):
                after = False
            continue
        upper = token.upper()
        if upper == "SERVICE":
            after = True
        elif upper != "SILENT":
            after = False
    return found


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0][:200] if text else type(exc).__name__


def with_slice(text: str, limit: int | None, offset: int | None) -> str | None:
    """``text`` with ``LIMIT``/``OFFSET`` appended, so that a server sends only
    those rows; None when the query already slices or ends with a ``VALUES``
    block (the rows are then cut by the client).

    >>> with_slice("SELECT * WHERE { ?s ?p ?o } ORDER BY ?s", 5, 10)
    'SELECT * WHERE { ?s ?p ?o } ORDER BY ?s\\nLIMIT 5 OFFSET 10'
    >>> with_slice("SELECT * WHERE { ?s ?p ?o } LIMIT 3", 5, None) is None
    True
    """
    if limit is None and not offset:
        return text
    words = {token.upper() for _, token in _tokens(text)}
    if words & {"LIMIT", "OFFSET", "VALUES"}:
        return None
    parts = ([f"LIMIT {limit}"] if limit is not None else []) + (
        [f"OFFSET {offset}"] if offset else []
    )
    return text.rstrip() + "\n" + " ".join(parts)


def failure(services: list[str], reason: str) -> QueryError | ServiceError:
    """The error of a query that failed while running: the remote services'
    (exit 3, naming them) when it calls some, else the query's own."""
    if not services:
        return QueryError(f"query failed: {reason}")
    return ServiceError(
        f"{', '.join(services)}: the remote service failed: {reason}",
        hint="check the network, or ask a question without SERVICE",
    )


def as_nquads(ntriples: bytes, graph: str) -> bytes:
    """N-Triples of one graph as N-Quads of that graph (every N-Triples line
    ends with " .\\n"; a line break inside a literal is escaped).

    >>> as_nquads(b'<http://e/a> <http://e/p> "x" .\\n', "http://e/g")
    b'<http://e/a> <http://e/p> "x" <http://e/g> .\\n'
    """
    return ntriples.replace(b" .\n", f" <{graph}> .\n".encode())


#: Seconds a query that calls another endpoint (``SERVICE``) may take when no
#: ``--timeout`` is given; pyoxigraph sets no limit on the remote call itself.
SERVICE_TIMEOUT = 30.0


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


@dataclass(frozen=True)
class Dataset:
    """The RDF dataset a request states (SPARQL 1.1 Protocol ``default-graph-uri``
    and ``named-graph-uri``): the default graph is the merge of ``default``,
    ``GRAPH`` patterns see ``named``. Either may be empty."""

    default: tuple[str, ...] = ()
    named: tuple[str, ...] = ()


# ---- a query from elsewhere: what it makes the engine fetch ----------------
#
# A query sent by a visitor must not make the server fetch a URL the visitor
# names (``SERVICE <…>``, ``LOAD <…>``). Oxigraph exposes no parsed form of a
# query, so its text is cut into SPARQL's tokens here, every character
# accounted for, and wherever this reading could differ from the engine's the
# query is refused rather than guessed at (see :func:`refused_services`).

_LEX = re.compile(
    r"""(?P<ws>[ \t\r\n]+)
    |(?P<comment>\#[^\r\n]*)
    |(?P<string>'''(?:[^'\\]|\\.|'(?!''))*'''|\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"
       |'(?:[^'\\\n\r]|\\.)*'|"(?:[^"\\\n\r]|\\.)*")
    |(?P<iri><(?:[^<>"{}|^`\\\x00-\x20]|\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8})*>)
    |(?P<var>[?$]\w+)
    |(?P<name>(?:[^\W\d_](?:[\w.\-]*[\w\-])?)?:
       (?:[\w:\-]|%[0-9A-Fa-f]{2}|\\[_~.\-!$&'()*+,;=/?\#@%]|\.(?=[\w:\-%\\.]))*
       |_:\w(?:[\w.\-]*[\w\-])?)
    |(?P<word>[A-Za-z_]\w*)
    |(?P<number>\d+(?:\.\d*)?(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?)
    |(?P<punct>\^\^|&&|\|\||!=|<=|>=|[{}()\[\];,.*+\-/!=<>&|^@])""",
    re.VERBOSE,
)
_CODEPOINT = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")


@dataclass(frozen=True)
class _Token:
    kind: str
    text: str
    start: int


def _lex(text: str) -> tuple[list[_Token], str | None]:
    """The significant tokens of ``text`` (no spaces, no comments), and the
    reason the reading may differ from the engine's, if it may."""
    tokens: list[_Token] = []
    pos = 0
    doubt: str | None = None
    while pos < len(text):
        match = _LEX.match(text, pos)
        if match is None:
            return tokens, f"unexpected character {text[pos]!r} at offset {pos}"
        kind = match.lastgroup or ""
        token = match.group(0)
        if kind == "iri" and doubt is None and ("'" in token or "#" in token):
            # ``<`` may also be "less than": then a quote inside opens a
            # string, a ``#`` a comment (to the end of the line, where a long
            # string opened after it would end the engine's reading elsewhere).
            end = text.find("\n", match.end())
            rest = text[match.end() : len(text) if end < 0 else end]
            if "'" in token or "'''" in rest or '"""' in rest:
                doubt = f"{token} may be read as a comparison"
        if kind not in ("ws", "comment"):
            tokens.append(_Token(kind, token, pos))
        pos = match.end()
    return tokens, doubt


def _readings(text: str) -> list[str]:
    """``text``, and ``text`` with its ``\\u``/``\\U`` escapes decoded (SPARQL
    lets an engine decode them before parsing): a check holds for both."""
    if "\\u" not in text and "\\U" not in text:
        return [text]
    decoded = _CODEPOINT.sub(lambda m: chr(int(m.group(1) or m.group(2), 16)), text)
    return [text] if decoded == text else [text, decoded]


def _hides(token: _Token, keyword: str) -> bool:
    """Whether ``token`` may hold ``keyword`` for an engine that matches
    keywords without looking for the end of the word (``trueSERVICE``,
    ``SERVICE:x``); a prefixed name's local part is read whole."""
    upper = token.text.upper()
    if token.kind == "word":
        return keyword in upper and upper != keyword
    return token.kind == "name" and keyword in upper.partition(":")[0]


def refused_services(text: str, allowed: Iterable[str] = ()) -> list[str]:
    r"""The ``SERVICE`` calls of ``text`` whose endpoint is not in ``allowed``,
    as written (``<IRI>``, ``?var``, ``prefix:name``); a call the text may hide
    from this reading is reported too, with the reason.

    A call inside an allowed call's group is the allowed endpoint's to make
    (Oxigraph sends the group to it), so it is not checked.

    >>> refused_services("SELECT * { SERVICE <http://e/> { ?s ?p ?o } }", ["http://e/"])
    []
    >>> refused_services("SELECT * { SERVICE SILENT ?x { ?s ?p ?o } }")
    ['?x']
    >>> refused_services("SELECT * { ?s ?p 'customer service' } # no SERVICE")
    []
    >>> refused_services("SELECT * { SERVICE <http://e/> { SERVICE <http://x/> {} } }", ["http://e/"])
    []

    A prefixed name may hold a ``#`` that opens no comment:

    >>> refused_services("SELECT * { ?s e:a\\#b ?o . SERVICE <http://x/> { ?s ?p ?o } }")
    ['<http://x/>']
    """
    allow = set(allowed)
    refused: list[str] = []
    for reading in _readings(text):
        if "service" not in reading.lower():
            continue  # the engine's SERVICE keyword is these seven letters
        tokens, doubt = _lex(reading)
        if doubt is not None:
            refused.append(f"a SERVICE clause that cannot be checked ({doubt})")
            continue
        depth = 0
        delegated: int | None = None  # depth of an allowed call's group
        awaiting = False  # an allowed endpoint was read: its group opens next
        for i, token in enumerate(tokens):
            if token.text == "{":
                depth += 1
                if awaiting:
                    delegated, awaiting = depth, False
                continue
            if token.text == "}":
                if delegated == depth:
                    delegated = None
                depth -= 1
                continue
            if delegated is not None:
                continue
            if _hides(token, "SERVICE"):
                refused.append(f"a SERVICE clause that cannot be checked (in {token.text!r})")
                continue
            if token.kind != "word" or token.text.upper() != "SERVICE":
                continue
            nxt = tokens[i + 1] if i + 1 < len(tokens) else None
            if nxt is not None and nxt.text.upper() == "SILENT":
                nxt = tokens[i + 2] if i + 2 < len(tokens) else None
            target = nxt.text if nxt is not None else "(nothing)"
            if nxt is not None and nxt.kind == "iri" and target[1:-1] in allow:
                awaiting = True
            else:
                refused.append(target)
    return list(dict.fromkeys(refused))


def loads_url(text: str) -> bool:
    """Whether an update may ``LOAD`` a document (or may hide a ``LOAD`` from
    this reading).

    >>> loads_url("LOAD <http://e/data.ttl> INTO GRAPH <http://e/g>")
    True
    >>> loads_url("INSERT DATA { <http://e/a> <http://e/p> 'download' }")
    False
    """
    for reading in _readings(text):
        if "load" not in reading.lower():
            continue
        tokens, doubt = _lex(reading)
        if doubt is not None:
            return True
        for token in tokens:
            if _hides(token, "LOAD") or (token.kind == "word" and token.text.upper() == "LOAD"):
                return True
    return False


def declares_dataset(text: str) -> bool:
    """Whether a query names its own dataset (``FROM``, ``FROM NAMED``).

    >>> declares_dataset("SELECT * FROM <http://e/g> WHERE { ?s ?p ?o }")
    True
    >>> declares_dataset("SELECT * WHERE { ?s <http://e/from> 'FROM' }")
    False
    """
    return any(t.kind == "word" and t.text.upper() == "FROM" for t in _lex(text)[0])


def with_using(text: str, dataset: Dataset) -> str:
    """An update with the dataset of the SPARQL 1.1 Protocol's
    ``using-graph-uri`` / ``using-named-graph-uri`` written into it: a
    ``USING`` clause before the ``WHERE`` of each ``DELETE``/``INSERT``
    operation. An update that names its own (``USING``, ``WITH``) is refused.

    >>> with_using("INSERT { ?s a <http://e/C> } WHERE { ?s ?p ?o }", Dataset(("http://e/g",)))
    'INSERT { ?s a <http://e/C> } USING <http://e/g> WHERE { ?s ?p ?o }'
    """
    if not dataset.default and not dataset.named:
        return text
    tokens, _ = _lex(text)
    clause = " ".join(
        [f"USING {ox.NamedNode(g)}" for g in dataset.default]
        + [f"USING NAMED {ox.NamedNode(g)}" for g in dataset.named]
    )
    depth = 0
    inserts: list[int] = []
    previous = ""
    for token in tokens:
        upper = token.text.upper()
        if token.text == "{":
            depth += 1
        elif token.text == "}":
            depth -= 1
        elif depth == 0 and token.kind == "word":
            if upper in ("USING", "WITH"):
                raise QueryError(
                    f"the update names its own dataset ({upper}): using-graph-uri and "
                    "using-named-graph-uri cannot be given with it",
                    field="using-graph-uri",
                )
            if upper == "WHERE" and previous != "DELETE":
                inserts.append(token.start)
        previous = upper
    for pos in reversed(inserts):
        text = f"{text[:pos]}{clause} {text[pos:]}"
    return text


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


def star_order(text: str, names: Sequence[str]) -> list[str]:
    """``names`` in the order the query first writes them when its outer
    projection is ``SELECT *`` (pyoxigraph sorts them), else as given.

    >>> star_order("SELECT * WHERE { ?s ?p ?o }", ["o", "p", "s"])
    ['s', 'p', 'o']
    >>> star_order("SELECT ?o ?s WHERE { ?s ?p ?o }", ["o", "s"])
    ['o', 's']
    """
    tokens = iter(_tokens(text, variables=True))
    for _, token in tokens:
        if token.upper() == "SELECT":
            break
    else:
        return list(names)
    nxt = next(tokens, (0, ""))[1].upper()
    if nxt in ("DISTINCT", "REDUCED"):
        nxt = next(tokens, (0, ""))[1]
    if nxt != "*":
        return list(names)
    first: dict[str, int] = {}
    for _, token in tokens:
        if token[0] in "?$":
            first.setdefault(token[1:], len(first))
    # A name the text does not show (none should) keeps its place after the others.
    return sorted(names, key=lambda n: (first.get(n, len(first)), list(names).index(n)))


def answer_from(
    result: Any, form: str, limit: int | None = None, text: str | None = None
) -> Answer:
    """An :class:`Answer` from pyoxigraph query results (local or parsed);
    with the query's ``text``, the columns of ``SELECT *`` keep the query's order."""
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
    if text is not None:
        names = star_order(text, names)
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
    dataset: Dataset | None = None,
) -> Answer:
    """Run a read-only query on an :class:`~actorgraph.store.EmbeddedStore`
    (over ``dataset`` when given, else over the union of its graphs).

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

    services = service_endpoints(text)
    if services and timeout is None:
        timeout = SERVICE_TIMEOUT

    def work() -> Answer:
        failed = ""
        try:
            # No local holds the results: this frame is in the traceback of
            # an error raised below, which leaves the thread.
            return answer_from(
                store.query(text, bindings)
                if dataset is None
                else store.query(text, bindings, dataset=dataset),
                form,
                limit,
                text,
            )
        except OSError as exc:  # raised while a SERVICE answer is read
            # Raised after the except block, once the traceback (and the
            # pyoxigraph results it holds, which must not leave this thread) is gone.
            failed = _first_line(exc)
        except RuntimeError as exc:
            match = re.search(r"variable \?(\w+) in its SELECT projection", str(exc))
            if not match:
                raise QueryError(f"query failed: {exc}") from None
            name = match.group(1)
            raise QueryError(
                f"the query must select ?{name} to take it as a parameter (SELECT ?{name} …)",
                field=f"--param {name}",
            ) from None
        raise failure(services, failed)

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
        if services:
            raise ServiceError(
                f"{', '.join(services)}: no answer within {timeout:g} s",
                hint="the remote service is slow or hanging; raise --timeout or try later",
            )
        raise QueryError(f"query took longer than {timeout:g} s", field="--timeout")
    if "error" in box:
        raise box["error"]
    return box["answer"]
