"""A remote SPARQL 1.1 server behind the store port.

Queries and updates follow the SPARQL 1.1 Protocol (requests encoded by
SPARQLWrapper), whole graphs the SPARQL 1.1 Graph Store HTTP Protocol; every
request goes through :mod:`actorgraph.store.http`, so it carries the
project's User-Agent and one overall deadline, and a failure becomes a
:class:`~actorgraph.errors.ServiceError` (exit code 3) naming the URL.
Parameters are bound with a ``VALUES`` block made of serialised RDF terms
(:func:`actorgraph.store.sparql.add_values`), never pasted into the text.

>>> store = RemoteStore("http://127.0.0.1:7878/query")
>>> store.update_endpoint, store.graph_store
('http://127.0.0.1:7878/update', 'http://127.0.0.1:7878/store')
"""

from __future__ import annotations

import re
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

import pyoxigraph as ox
from SPARQLWrapper import INSERT, JSON, POST, TURTLE, SPARQLWrapper

from .. import USER_AGENT
from ..errors import QueryError, ServiceError
from . import http
from .sparql import (
    Answer,
    Dataset,
    Term,
    add_values,
    answer_from,
    as_nquads,
    query_form,
    with_slice,
)

_NT = "application/n-triples"
#: Named graphs of the project: the dataset every question is asked against.
PROJECT_GRAPHS = "https://w3id.org/actorgraph/graph/"
_GRAPHS = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"


def check_url(url: str, field: str = "--store") -> str:
    """``url`` when it is an http(s) URL with a host, else a usage error."""
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise QueryError(f"not an http(s) URL: {url!r}", field=field)
    return url


class RemoteStore:
    """A SPARQL 1.1 endpoint (query; update and graph store when known).

    ``endpoint`` is the query URL. The update URL and the Graph Store
    Protocol URL default to Oxigraph's and Fuseki's layout (``…/query`` →
    ``…/update`` and ``…/store``); other servers name them explicitly.
    """

    def __init__(
        self,
        endpoint: str,
        update_endpoint: str | None = None,
        *,
        graph_store: str | None = None,
        timeout: float = http.DEFAULT_TIMEOUT,
        retries: int = 2,
        backoff: float = 0.25,
        sleep: Callable[[float], None] | None = None,
        authorization: str | None = None,
    ) -> None:
        self.endpoint = check_url(endpoint)
        self.authorization = authorization
        base = endpoint.removesuffix("/query") if endpoint.endswith("/query") else None
        if update_endpoint is None and base is not None:
            update_endpoint = base + "/update"
        if graph_store is None and base is not None:
            graph_store = base + "/store"
        self.update_endpoint = update_endpoint or endpoint
        self.graph_store = graph_store
        self.label = endpoint
        self.timeout = timeout
        self.retries = retries
        self.backoff = backoff
        self._sleep = sleep
        self._dataset: list[str] | None = None

    # ---- transport -------------------------------------------------------
    def _send(
        self,
        request: urllib.request.Request,
        what: str = "SPARQL endpoint",
        *,
        missing_ok: bool = False,
        timeout: float | None = None,
    ) -> http.Response:
        extra: dict[str, Any] = {"sleep": self._sleep} if self._sleep else {}
        if self.authorization:
            request.add_header("Authorization", self.authorization)
        if missing_ok:
            extra["answers"] = {404}
        return http.send(
            request,
            timeout=self.timeout if timeout is None else min(timeout, self.timeout),
            retries=self.retries,
            backoff=self.backoff,
            what=what,
            **extra,
        )

    def _protocol(
        self,
        url: str,
        text: str,
        form: str,
        fmt: str | None,
        dataset: list[str] | Dataset | None = None,
        timeout: float | None = None,
    ) -> http.Response:
        """Send ``text``, whose form (:func:`~actorgraph.store.sparql.query_form`)
        is ``form``, by the SPARQL 1.1 Protocol."""
        client = SPARQLWrapper(url, updateEndpoint=url, agent=USER_AGENT)
        client.setMethod(POST)
        client.setQuery(text)
        # SPARQLWrapper guesses the form with a regex that reads words of
        # comments ("deleted", "select") as keywords: it is told instead.
        client.queryType = INSERT if form == "UPDATE" else form
        if fmt is not None:
            client.setReturnFormat(fmt)
        # The SPARQL 1.1 Protocol's dataset: by default the default graph is
        # the merge of the project's graphs, and GRAPH patterns see each of
        # them, on every server, whatever its "union default graph" setting.
        if isinstance(dataset, Dataset):
            default, named = dataset.default, dataset.named
        else:
            default = named = tuple(dataset or ())
        for graph in default:
            client.addDefaultGraph(graph)
        for graph in named:
            client.addNamedGraph(graph)
        return self._send(client._createRequest(), timeout=timeout)

    def dataset(self) -> list[str]:
        """The project's named graphs on the server (its own system graphs and
        the push manifest left out), asked once."""
        if self._dataset is None:
            response = self._protocol(self.endpoint, _GRAPHS, "SELECT", JSON)
            try:
                parsed = ox.parse_query_results(response.body, format=ox.QueryResultsFormat.JSON)
                found = answer_from(parsed, "SELECT")
            except (SyntaxError, ValueError) as exc:
                raise ServiceError(
                    f"{self.endpoint}: the answer is not valid SPARQL results: {_first_line(exc)}"
                ) from None
            self._dataset = sorted(
                r["g"].value
                for r in found.rows
                if isinstance(r.get("g"), ox.NamedNode)
                and r["g"].value.startswith(PROJECT_GRAPHS)
                and not r["g"].value.startswith(PROJECT_GRAPHS + "meta/")
            )
        return self._dataset

    # ---- queries ---------------------------------------------------------
    def answer(
        self,
        text: str,
        bindings: Mapping[str, Term] | None = None,
        *,
        limit: int | None = None,
        offset: int | None = None,
        timeout: float | None = None,
        union: bool = True,
        dataset: Dataset | None = None,
    ) -> Answer:
        """Run a read-only query; parameters go into a ``VALUES`` block.

        ``union``: ask against the project's dataset (:meth:`dataset`); when
        false, against the server's own default dataset, for queries whose
        ``GRAPH <…>`` patterns name their graphs. A ``dataset`` given is sent
        instead of either."""
        form = query_form(text)
        if form == "UPDATE":
            raise QueryError("this is an update, not a query; pass --update to change the store")
        graph = form in ("CONSTRUCT", "DESCRIBE")
        sent = add_values(text, bindings or {})
        sliced = (
            with_slice(sent, None if limit is None else limit + 1, offset)
            if form == "SELECT"
            else None
        )
        if sliced is not None:
            # The server sends only the rows asked for (one more, to tell that
            # there were more); the offset is then already applied.
            sent, offset = sliced, None
        asked: list[str] | Dataset | None = dataset
        if dataset is None:
            asked = self.dataset() if union else None
        response = self._protocol(
            self.endpoint, sent, form, TURTLE if graph else JSON, asked, timeout
        )
        try:
            if graph:
                parsed: Any = ox.parse(response.body, format=_graph_format(response.media_type))
            else:
                parsed = ox.parse_query_results(response.body, format=ox.QueryResultsFormat.JSON)
            result = answer_from(
                parsed, form, None if limit is None else limit + (offset or 0), text
            )
        except (SyntaxError, ValueError) as exc:
            raise ServiceError(
                f"{self.endpoint}: the answer is not valid SPARQL results: {_first_line(exc)}"
            ) from None
        if offset:
            result.rows = result.rows[offset:]
            result.triples = result.triples[offset:]
        result.rows = [{k: portable(v) for k, v in row.items()} for row in result.rows]
        result.triples = [
            ox.Triple(t.subject, t.predicate, portable(t.object)) for t in result.triples
        ]
        return result

    def select(
        self, text: str, bindings: Mapping[str, Any] | None = None, *, union: bool = True
    ) -> list[dict[str, Any]]:
        return self.answer(text, bindings, union=union).rows

    def ask(self, text: str, bindings: Mapping[str, Any] | None = None) -> bool:
        return bool(self.answer(text, bindings).boolean)

    def construct(self, text: str, bindings: Mapping[str, Any] | None = None) -> list[ox.Triple]:
        return self.answer(text, bindings).triples

    def describe(self, iri: str) -> list[ox.Triple]:
        node = ox.NamedNode(iri)  # checked: not pasted unchecked into the text
        return self.construct(f"CONSTRUCT {{ {node} ?p ?o }} WHERE {{ {node} ?p ?o }}")

    def update(self, text: str, bindings: Mapping[str, Term] | None = None) -> None:
        """Run a SPARQL update on the update endpoint."""
        sent = add_values(text, bindings) if bindings else text
        self._protocol(self.update_endpoint, sent, "UPDATE", None)

    # ---- graphs ----------------------------------------------------------
    def graphs(self) -> list[str]:
        """The project's named graphs on the server (see :meth:`dataset`)."""
        self._dataset = None
        return list(self.dataset())

    def count(self, graph: str | None = None) -> int:
        pattern = (
            f"GRAPH <{ox.NamedNode(graph).value}> {{ ?s ?p ?o }}"
            if graph
            else "GRAPH ?g { ?s ?p ?o }"
        )
        rows = self.select(f"SELECT (COUNT(*) AS ?n) WHERE {{ {pattern} }}", union=graph is None)
        return int(rows[0]["n"].value) if rows else 0

    def _graph_url(self, graph: str) -> str:
        if self.graph_store is None:
            raise QueryError(
                f"{self.endpoint}: no Graph Store Protocol URL known for this server",
                field="--store",
            )
        return f"{self.graph_store}?{urllib.parse.urlencode({'graph': graph})}"

    def read_graph(self, graph: str) -> bytes:
        """One named graph as N-Triples (Graph Store Protocol GET, CONSTRUCT otherwise)."""
        if self.graph_store is not None:
            request = urllib.request.Request(self._graph_url(graph), headers={"Accept": _NT})
            response = self._send(request, "graph store", missing_ok=True)
            if response.status == 404:  # no such graph: an empty one
                return b""
            try:
                parsed = ox.parse(response.body, format=_graph_format(response.media_type))
                return ox.serialize(parsed, format=ox.RdfFormat.N_TRIPLES) or b""
            except (SyntaxError, ValueError) as exc:
                raise ServiceError(
                    f"{self.graph_store}: the graph is not valid RDF: {_first_line(exc)}"
                ) from None
        node = ox.NamedNode(graph)
        triples = self.construct(
            f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{node.value}> {{ ?s ?p ?o }} }}"
        )
        return ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b""

    def replace_graph(self, graph: str, data: bytes, fmt: str = "nt") -> None:
        """Replace ``graph`` whole (Graph Store Protocol PUT)."""
        media = {"nt": _NT, "ttl": "text/turtle"}.get(fmt)
        if media is None:
            raise QueryError(f"cannot send a graph as {fmt!r}", field="--format")
        request = urllib.request.Request(
            self._graph_url(graph), data=data, method="PUT", headers={"Content-Type": media}
        )
        self._send(request, "graph store")

    def append_graph(self, graph: str, data: bytes, *, bulk: bool = False) -> None:
        """Add N-Triples ``data`` to ``graph`` (Graph Store Protocol POST).

        ``bulk`` asks the server for its bulk loader, outside any transaction
        (Oxigraph's ``no_transaction``; other servers ignore the parameter)."""
        url = self._graph_url(graph) + ("&no_transaction" if bulk else "")
        request = urllib.request.Request(
            url, data=data, method="POST", headers={"Content-Type": _NT}
        )
        self._send(request, "graph store")

    def dump(self, graphs: Iterable[str] | None = None) -> bytes:
        """Named graphs as N-Quads, one Graph Store request per graph."""
        out = []
        for graph in graphs if graphs is not None else self.graphs():
            data = self.read_graph(graph)
            if data:
                out.append(as_nquads(data, graph))
        return b"".join(out)


_XSD = "http://www.w3.org/2001/XMLSchema#"
_DURATIONS = {_XSD + "duration", _XSD + "yearMonthDuration", _XSD + "dayTimeDuration"}
_MONTHS = re.compile(r"-?[0-9]+")
_SECONDS = re.compile(r"-?[0-9]+\.[0-9]*(?:[eE][-+]?[0-9]+)?|-?[0-9]+[eE][-+]?[0-9]+")


def portable(term: Any) -> Any:
    """``term`` in the lexical form the embedded store gives for its value.

    Some servers answer with the form they store a value in rather than the
    canonical one: Virtuoso 7 gives xsd:boolean as ``1``/``0`` and an
    xsd:duration as its number of months (``P1Y6M`` → ``18``) or of seconds
    (``P3D`` → ``259200.0``). The value is the same, so the answer is made
    the same on every engine; any other term is returned as it is.

    >>> portable(ox.Literal("1", datatype=ox.NamedNode(_XSD + "boolean"))).value
    'true'
    >>> portable(ox.Literal("18", datatype=ox.NamedNode(_XSD + "duration"))).value
    'P1Y6M'
    >>> portable(ox.Literal("93600.0", datatype=ox.NamedNode(_XSD + "dayTimeDuration"))).value
    'P1DT2H'
    """
    if not isinstance(term, ox.Literal):
        return term
    datatype, text = term.datatype.value, term.value
    if datatype == _XSD + "boolean" and text in ("1", "0"):
        return ox.Literal("true" if text == "1" else "false", datatype=term.datatype)
    if datatype in _DURATIONS:
        if _MONTHS.fullmatch(text):
            months = int(text)
            # XSD writes a zero duration as PT0S, a zero yearMonthDuration P0M
            if months == 0 and datatype != _XSD + "yearMonthDuration":
                return ox.Literal("PT0S", datatype=term.datatype)
            return ox.Literal(_months(months), datatype=term.datatype)
        if _SECONDS.fullmatch(text):
            try:
                return ox.Literal(_seconds(Decimal(text)), datatype=term.datatype)
            except InvalidOperation:
                return term
    return term


def _months(total: int) -> str:
    """An ISO 8601 duration of ``total`` months, in canonical XSD form."""
    sign, total = ("-" if total < 0 else ""), abs(total)
    years, months = divmod(total, 12)
    text = (f"{years}Y" if years else "") + (f"{months}M" if months or not years else "")
    return f"{sign}P{text}"


def _seconds(total: Decimal) -> str:
    """An ISO 8601 duration of ``total`` seconds, in canonical XSD form."""
    sign, total = ("-" if total < 0 else ""), abs(total)
    days, rest = divmod(total, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, seconds = divmod(rest, 60)
    date = f"{int(days)}D" if days else ""
    clock = (f"{int(hours)}H" if hours else "") + (f"{int(minutes)}M" if minutes else "")
    if seconds:
        clock += f"{_plain(seconds)}S"
    if not date and not clock:
        clock = "0S"
    return f"{sign}P{date}" + (f"T{clock}" if clock else "")


def _plain(number: Decimal) -> str:
    """``number`` without exponent or trailing zeros (``1.50`` → ``1.5``)."""
    text = format(number.normalize(), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def _graph_format(media_type: str) -> ox.RdfFormat:
    return {
        "application/n-triples": ox.RdfFormat.N_TRIPLES,
        "text/plain": ox.RdfFormat.N_TRIPLES,
        "application/rdf+xml": ox.RdfFormat.RDF_XML,
        "application/ld+json": ox.RdfFormat.JSON_LD,
    }.get(media_type, ox.RdfFormat.TURTLE)


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0][:200] if text else type(exc).__name__
