"""``/sparql``: the SPARQL 1.1 Protocol endpoint (see ``docs/serve.md``).

- **Queries** by ``GET ?query=``, by ``POST`` of a form (``query=``) or of
  the query itself (``application/sparql-query``), over the dataset that
  ``default-graph-uri`` / ``named-graph-uri`` state (else the query's own
  ``FROM``, else the merge of every graph as the default graph, as the
  command line asks). The answer's format is negotiated (``Accept`` with its
  q-values, or ``format=``): SPARQL JSON, XML, CSV, TSV for SELECT and ASK;
  Turtle, N-Triples, JSON-LD, RDF/XML, N-Quads, TriG for CONSTRUCT and
  DESCRIBE; 406 when none fits.
- **Without a query**, ``GET`` answers the SPARQL 1.1 Service Description
  (RDF, negotiated), or, for a browser, a page with a form and the
  catalogue's questions as examples, working without JavaScript.
- **Updates** (``update=``, ``application/sparql-update``) are refused
  (403) unless the server runs with ``--allow-update``; then they need the
  bearer token of ``--token-env`` (401 otherwise). ``LOAD`` is always refused.
- **Limits.** A query runs at most ``query_timeout`` seconds (503, and its
  worker process is killed: :mod:`actorgraph.store.workers`); an answer holds
  at most ``result_cap`` rows or triples (cut there, with the header
  ``X-Actorgraph-Truncated: true``); ``query_slots`` queries run at once,
  the next ones wait their turn up to ``queue_wait`` seconds (then 503
  with ``Retry-After``); ``SERVICE`` may call only the endpoints of
  ``services`` (400 otherwise: the server never fetches a URL a visitor names).
"""

from __future__ import annotations

import asyncio
import atexit
import hmac
import os
import threading
import time
import urllib.parse
from collections import deque
from concurrent.futures import ThreadPoolExecutor
from typing import Any, cast

import pyoxigraph as ox
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from ..errors import ActorGraphError, QueryTimeout
from ..store import EmbeddedStore
from ..store.sparql import (
    Answer,
    Dataset,
    declares_dataset,
    loads_url,
    query_form,
    refused_services,
    with_using,
)
from ..store.workers import Job, Result, WorkerPool, answer_remote, execute, serialise
from .pages import language, render_page, result_cell
from .site import Site

PATH = "/sparql"

#: Every parameter the endpoint reads; any other is refused (400).
PARAMETERS = (
    "query",
    "update",
    "default-graph-uri",
    "named-graph-uri",
    "using-graph-uri",
    "using-named-graph-uri",
    "format",
    "lang",  # the language of the query page, not part of the protocol
)

#: What a SELECT or ASK may be answered as, in the server's order of preference.
RESULT_TYPES: tuple[tuple[str, str], ...] = (
    ("json", "application/sparql-results+json"),
    ("xml", "application/sparql-results+xml"),
    ("csv", "text/csv"),
    ("tsv", "text/tab-separated-values"),
    ("json", "application/json"),
    ("xml", "application/xml"),
    ("xml", "text/xml"),
)
#: What a CONSTRUCT or DESCRIBE (or the service description) may be answered as.
GRAPH_TYPES: tuple[tuple[str, str], ...] = (
    ("ttl", "text/turtle"),
    ("nt", "application/n-triples"),
    ("jsonld", "application/ld+json"),
    ("rdfxml", "application/rdf+xml"),
    ("nq", "application/n-quads"),
    ("trig", "application/trig"),
    ("ttl", "application/x-turtle"),
    ("jsonld", "application/json"),
)
HTML = ("html", "text/html")

#: Queries that may wait for a slot, per slot; beyond them a query is refused at once.
WAITING_PER_SLOT = 32

SD = "http://www.w3.org/ns/sparql-service-description#"
FORMAT_IRIS = {
    "json": "http://www.w3.org/ns/formats/SPARQL_Results_JSON",
    "xml": "http://www.w3.org/ns/formats/SPARQL_Results_XML",
    "csv": "http://www.w3.org/ns/formats/SPARQL_Results_CSV",
    "tsv": "http://www.w3.org/ns/formats/SPARQL_Results_TSV",
    "ttl": "http://www.w3.org/ns/formats/Turtle",
    "nt": "http://www.w3.org/ns/formats/N-Triples",
    "jsonld": "http://www.w3.org/ns/formats/JSON-LD",
    "rdfxml": "http://www.w3.org/ns/formats/RDF_XML",
    "nq": "http://www.w3.org/ns/formats/N-Quads",
    "trig": "http://www.w3.org/ns/formats/TriG",
}
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"


class HttpError(Exception):
    """A refusal with its status and headers."""

    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers or {}


# ---- content negotiation ------------------------------------------------------


def _ranges(accept: str) -> list[tuple[str, str, float]]:
    """The media ranges of an ``Accept`` header: (type, subtype, q)."""
    found = []
    for part in accept.split(","):
        media, *params = (p.strip() for p in part.split(";"))
        if "/" not in media:
            continue
        kind, _, sub = media.lower().partition("/")
        q = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    q = max(0.0, min(1.0, float(value)))
                except ValueError:
                    q = 0.0
        found.append((kind.strip(), sub.strip(), q))
    return found


def negotiate(accept: str | None, offers: tuple[tuple[str, str], ...]) -> tuple[str, str] | None:
    """The offer the client prefers: the highest q of the most specific range
    matching it (``type/sub`` over ``type/*`` over ``*/*``), ties broken by
    the order of ``offers``; None when the client accepts none.

    >>> negotiate("text/csv;q=0.5, application/sparql-results+xml", RESULT_TYPES)
    ('xml', 'application/sparql-results+xml')
    >>> negotiate(None, GRAPH_TYPES)
    ('ttl', 'text/turtle')
    >>> negotiate("text/*;q=0.2, text/turtle;q=0", GRAPH_TYPES) is None
    True
    >>> negotiate("image/png", RESULT_TYPES) is None
    True
    """
    if not accept or not accept.strip():
        return offers[0]
    ranges = _ranges(accept)
    best = 0.0
    chosen = None
    for key, media in offers:
        kind, _, sub = media.partition("/")
        q, rank = 0.0, -1
        for r_kind, r_sub, r_q in ranges:
            if (r_kind, r_sub) == (kind, sub):
                specificity = 2
            elif r_kind == kind and r_sub == "*":
                specificity = 1
            elif r_kind == "*" and r_sub == "*":
                specificity = 0
            else:
                continue
            if specificity > rank:
                rank, q = specificity, r_q
        if q > best:
            best, chosen = q, (key, media)
    return chosen


def _format_param(value: str, offers: tuple[tuple[str, str], ...]) -> tuple[str, str]:
    """The offer ``format=`` names (a format name or a media type)."""
    wanted = value.strip().lower()
    for key, media in offers:
        if wanted in (key, media):
            return key, media
    aliases = {"turtle": "ttl", "ntriples": "nt", "json-ld": "jsonld", "rdf": "rdfxml"}
    for key, media in offers:
        if aliases.get(wanted) == key:
            return key, media
    names = sorted({key for key, _ in offers})
    raise HttpError(400, f"format={value!r} is not one of {', '.join(names)} for this query")


# ---- the request ----------------------------------------------------------------


def _charset_ok(content_type: str) -> bool:
    for param in content_type.split(";")[1:]:
        name, _, value = param.strip().partition("=")
        if name.lower() == "charset" and value.strip().strip('"').lower() not in ("utf-8", "utf8"):
            return False
    return True


def _decode(body: bytes, what: str) -> str:
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        raise HttpError(400, f"the {what} is not UTF-8 text") from None


async def read_call(request: Request) -> list[tuple[str, str]]:
    """Every parameter of the request (URL and body), in order; a query or an
    update sent directly comes as its ``query`` or ``update`` parameter."""
    params = list(request.query_params.multi_items())
    if request.method != "POST":
        return params
    content_type = request.headers.get("content-type", "")
    media = content_type.split(";")[0].strip().lower()
    direct = {"application/sparql-query": "query", "application/sparql-update": "update"}
    if media not in (*direct, "application/x-www-form-urlencoded"):
        shown = media or "none"
        raise HttpError(
            415,
            f"a POST to {PATH} is a form (application/x-www-form-urlencoded), "
            f"application/sparql-query or application/sparql-update, not {shown}",
        )
    if not _charset_ok(content_type):
        raise HttpError(415, "the body must be UTF-8 (charset=utf-8)")
    body = await request.body()
    if media in direct:
        return [*params, (direct[media], _decode(body, direct[media]))]
    try:
        form = urllib.parse.parse_qsl(
            _decode(body, "form"), keep_blank_values=True, errors="strict"
        )
    except (UnicodeDecodeError, ValueError):
        raise HttpError(400, "the form is not UTF-8 text") from None
    return [*params, *form]


def _one(params: list[tuple[str, str]], name: str) -> str | None:
    values = [v for k, v in params if k == name]
    if len(values) > 1:
        raise HttpError(400, f"{name} given {len(values)} times: one operation per request")
    return values[0] if values else None


def _graphs(params: list[tuple[str, str]], name: str) -> tuple[str, ...]:
    graphs = []
    for key, value in params:
        if key != name:
            continue
        try:
            graphs.append(ox.NamedNode(value.strip()).value)
        except ValueError:
            raise HttpError(400, f"{name}={value!r} is not an absolute IRI") from None
    return tuple(dict.fromkeys(graphs))


def _check_params(params: list[tuple[str, str]]) -> None:
    unknown = sorted({k for k, _ in params} - set(PARAMETERS))
    if unknown:
        raise HttpError(
            400,
            f"unknown parameter {unknown[0]!r} (the endpoint takes {', '.join(PARAMETERS)})",
        )


# ---- running queries ------------------------------------------------------------------


class Busy(ActorGraphError):
    """Every query slot is taken and the queue is full, or the wait too long."""

    http_status = 503


class Slots:
    """``size`` query slots shared by every request of the process (whatever
    event loop serves it); a request waits its turn, in order, for a bounded
    time. Released from any thread."""

    def __init__(self, size: int, waiting: int) -> None:
        self.free = size
        self.waiting = waiting
        self._lock = threading.Lock()
        self._queue: deque[tuple[asyncio.AbstractEventLoop, asyncio.Future[None]]] = deque()

    async def acquire(self, wait: float) -> bool:
        loop = asyncio.get_running_loop()
        with self._lock:
            if self.free > 0 and not self._queue:
                self.free -= 1
                return True
            if len(self._queue) >= self.waiting:
                return False
            waiter: asyncio.Future[None] = loop.create_future()
            entry = (loop, waiter)
            self._queue.append(entry)
        try:
            await asyncio.wait_for(asyncio.shield(waiter), wait)
            return True
        except (TimeoutError, asyncio.CancelledError) as exc:
            with self._lock:
                if entry in self._queue:  # not handed a slot: give up the place
                    self._queue.remove(entry)
                    owned = False
                else:
                    owned = True
            if isinstance(exc, asyncio.CancelledError):
                if owned:
                    self.release()
                raise
            return owned

    def release(self) -> None:
        with self._lock:
            if self._queue:
                loop, waiter = self._queue.popleft()
                loop.call_soon_threadsafe(_wake, waiter)
                return
            self.free += 1


def _wake(waiter: asyncio.Future[None]) -> None:
    if not waiter.done():
        waiter.set_result(None)


class Engine:
    """Where a site's queries run: worker processes for an on-disk store
    opened read-only (the project store), threads for a store in memory, the
    remote server's own deadline for a remote store."""

    def __init__(self, site: Site) -> None:
        self.site = site
        settings = site.settings
        self.slots = Slots(settings.query_slots, WAITING_PER_SLOT * settings.query_slots)
        self.threads = ThreadPoolExecutor(settings.query_slots, "actorgraph-query")
        store = site.store
        if isinstance(store, EmbeddedStore):
            self.mode = "process" if store.path is not None and store.read_only else "thread"
        else:
            self.mode = "remote"
        self._pool: WorkerPool | None = None
        self._lock = threading.Lock()
        self._updating = threading.Lock()
        self._closed = False
        self.examples: list[tuple[str, dict[str, str], str]] | None = None

    @property
    def pool(self) -> WorkerPool:
        """The worker processes, started on first use."""
        with self._lock:
            if self._closed:
                raise ActorGraphError("the server is shutting down")
            if self._pool is None:
                folder = cast(EmbeddedStore, self.site.store).path
                assert folder is not None
                self._pool = WorkerPool(folder, self.site.settings.query_slots)
            return self._pool

    def _call(self, job: Job) -> Result:
        timeout = self.site.settings.query_timeout
        if self.mode == "process":
            return self.pool.run(job, timeout)
        if self.mode == "thread":
            return execute(cast(EmbeddedStore, self.site.store), job)
        return answer_remote(self.site.store, job, timeout)

    async def run(self, job: Job) -> Result:
        """The answer to ``job``, within the settings' limits."""
        settings = self.site.settings
        if not await self.slots.acquire(settings.queue_wait):
            raise Busy(
                f"every query slot is taken ({settings.query_slots} running, others waiting)",
                hint="try again in a moment",
            )
        loop = asyncio.get_running_loop()
        try:
            future = loop.run_in_executor(self.threads, self._call, job)
        except BaseException:
            self.slots.release()
            raise

        def done(finished: asyncio.Future[Result]) -> None:
            # The slot is free once the query has really ended, not when the
            # request stopped waiting for it.
            self.slots.release()
            if not finished.cancelled():
                finished.exception()  # retrieved: no "never retrieved" warning

        future.add_done_callback(done)
        if self.mode != "thread":
            return await future  # bounded: the pool kills, the remote deadline ends
        try:
            return await asyncio.wait_for(asyncio.shield(future), settings.query_timeout)
        except TimeoutError:
            raise QueryTimeout(
                f"the query took longer than {settings.query_timeout:g} s",
                hint="ask a narrower question: fewer variables left open, a LIMIT",
            ) from None

    async def update(self, text: str, base_iri: str) -> None:
        """Run an update (one at a time), then give the site a new version."""
        store = self.site.store
        if isinstance(store, EmbeddedStore) and store.read_only:
            raise HttpError(
                403,
                "the project store is read-only: it is made from the project's files "
                "(edit them, or serve a SPARQL server given with --store to accept updates)",
            )

        def work() -> None:
            with self._updating:
                if isinstance(store, EmbeddedStore):
                    store.update(text, base_iri=base_iri)
                else:
                    store.update(text)
                self.site.loaded = time.time()
                self.site.version = f"{time.time_ns():x}"

        await asyncio.get_running_loop().run_in_executor(None, work)

    def close(self) -> None:
        with self._lock:
            self._closed = True
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.close()
        self.threads.shutdown(wait=False, cancel_futures=True)


_ENGINES: dict[int, Engine] = {}
_ENGINES_LOCK = threading.Lock()


def engine(site: Site) -> Engine:
    """The engine of ``site`` (one per site and process)."""
    with _ENGINES_LOCK:
        found = _ENGINES.get(id(site))
        if found is None or found.site is not site:
            found = _ENGINES[id(site)] = Engine(site)
        return found


def close(site: Site) -> None:
    """Stop the worker processes of ``site`` (at the application's shutdown)."""
    with _ENGINES_LOCK:
        found = _ENGINES.pop(id(site), None)
    if found is not None and found.site is site:
        found.close()


@atexit.register
def _close_all() -> None:
    with _ENGINES_LOCK:
        engines = list(_ENGINES.values())
        _ENGINES.clear()
    for found in engines:
        found.close()


# ---- the service description and the page ------------------------------------------------


def endpoint_url(site: Site) -> str:
    return site.base_url + PATH.lstrip("/")


def service_description(site: Site) -> list[ox.Triple]:
    """The SPARQL 1.1 Service Description of the endpoint."""
    settings = site.settings
    service = ox.NamedNode(endpoint_url(site))

    def sd(name: str) -> ox.NamedNode:
        return ox.NamedNode(SD + name)

    a = ox.NamedNode(RDF_TYPE)
    triples = [
        ox.Triple(service, a, sd("Service")),
        ox.Triple(service, sd("endpoint"), service),
        ox.Triple(service, sd("supportedLanguage"), sd("SPARQL11Query")),
        ox.Triple(service, sd("feature"), sd("UnionDefaultGraph")),
        ox.Triple(
            service,
            sd("defaultEntailmentRegime"),
            ox.NamedNode("http://www.w3.org/ns/entailment/Simple"),
        ),
        ox.Triple(service, ox.NamedNode(RDFS + "label"), ox.Literal("actorgraph SPARQL endpoint")),
        ox.Triple(
            service,
            ox.NamedNode(RDFS + "comment"),
            ox.Literal(
                f"A query runs at most {settings.query_timeout:g} s; an answer holds at most "
                f"{settings.result_cap} rows or triples (cut there, with the header "
                "X-Actorgraph-Truncated: true); SERVICE may call only "
                + (", ".join(settings.services) or "no endpoint")
                + ".",
                language="en",
            ),
        ),
    ]
    if settings.allow_update:
        triples.append(ox.Triple(service, sd("supportedLanguage"), sd("SPARQL11Update")))
    if settings.services:
        triples.append(ox.Triple(service, sd("feature"), sd("BasicFederatedQuery")))
    for key in dict.fromkeys(k for k, _ in (*RESULT_TYPES, *GRAPH_TYPES)):
        triples.append(ox.Triple(service, sd("resultFormat"), ox.NamedNode(FORMAT_IRIS[key])))
    dataset, default = ox.BlankNode(), ox.BlankNode()
    triples += [
        ox.Triple(service, sd("defaultDataset"), dataset),
        ox.Triple(dataset, a, sd("Dataset")),
        ox.Triple(dataset, sd("defaultGraph"), default),
        ox.Triple(default, a, sd("Graph")),
    ]
    for graph in site.store.graphs():
        node = ox.BlankNode()
        triples += [
            ox.Triple(dataset, sd("namedGraph"), node),
            ox.Triple(node, a, sd("NamedGraph")),
            ox.Triple(node, sd("name"), ox.NamedNode(graph)),
        ]
    return triples


def examples(site: Site) -> list[tuple[str, dict[str, str], str]]:
    """The catalogue's questions as runnable queries (their example values
    bound in a ``VALUES`` block): (name, summary by language, text)."""
    found = engine(site)
    if found.examples is not None:
        return found.examples
    out: list[tuple[str, dict[str, str], str]] = []
    if site.project is not None:
        from ..catalogue import catalogue
        from ..query import bind
        from ..store.sparql import add_values

        for query in catalogue(site.project.queries_dir):
            if query.role == "violation":
                continue
            values = {p.name: p.example for p in query.params if p.default is None and p.example}
            try:
                text = add_values(query.text, bind(query, values))
            except ActorGraphError:
                continue
            summaries = {lang: query.summary_in(lang) for lang in ("en", "fr")}
            out.append((query.name, summaries, text))
    found.examples = out
    return out


#: The answer formats the query page offers, in its order.
_FORM_FORMATS = ("html", "json", "xml", "csv", "tsv", "ttl", "jsonld", "nt")


def _answer_view(site: Site, result: Result) -> dict[str, Any]:
    """What the query page shows of an answer: a table of rows (the cells of
    the catalogue's pages: IRIs as links), a boolean, or the RDF text of a graph."""
    graph = result.form in ("CONSTRUCT", "DESCRIBE")
    view: dict[str, Any] = {
        "truncated": result.truncated,
        "unit": "triples" if graph else "rows",
        "text": result.body.decode("utf-8") if graph else None,
        "boolean": None,
        "names": [],
        "rows": [],
    }
    if graph:
        return view
    parsed = ox.parse_query_results(result.body, format=ox.QueryResultsFormat.JSON)
    if isinstance(parsed, ox.QueryBoolean):
        view["boolean"] = bool(parsed)
        return view
    variables = list(parsed.variables)
    view["names"] = [v.value for v in variables]
    view["rows"] = [[result_cell(site, row[v]) for v in variables] for row in parsed]
    return view


def page(
    request: Request,
    site: Site,
    query: str = "",
    answer: dict[str, Any] | None = None,
    error: str = "",
    status: int = 200,
) -> Response:
    """The query page, in the reader's language: a form (no script), the
    answer or the error, the catalogue's questions as examples, the limits."""
    settings = site.settings
    lang = language(request)
    default = (
        query
        or "SELECT ?g (COUNT(*) AS ?triples)\nWHERE { GRAPH ?g { ?s ?p ?o } }\nGROUP BY ?g\nORDER BY DESC(?triples)\n"
    )
    listed = [
        {
            "name": name,
            "summary": summaries.get(lang) or name,
            "href": site.base_url
            + PATH.lstrip("/")
            + "?"
            + urllib.parse.urlencode({"query": text, "lang": lang}),
        }
        for name, summaries, text in examples(site)
    ]
    return render_page(
        request,
        site,
        "sparql.html",
        "SPARQL",
        status=status,
        lang=lang,
        endpoint=endpoint_url(site),
        query=default,
        formats=_FORM_FORMATS,
        chosen="html",
        error=error,
        answer=answer,
        examples=listed,
        timeout=f"{settings.query_timeout:g}",
        cap=settings.result_cap,
        services=settings.services,
    )


# ---- the route ----------------------------------------------------------------------------


def _plain(status: int, message: str, headers: dict[str, str] | None = None) -> Response:
    return Response(message + "\n", status_code=status, media_type="text/plain", headers=headers)


def _status(exc: ActorGraphError) -> int:
    return int(getattr(exc, "http_status", 400))


def _describe(exc: ActorGraphError) -> str:
    text = str(exc)
    return f"{text}\n{exc.hint}" if exc.hint else text


def _etag_matches(request: Request, etag: str) -> bool:
    wanted = request.headers.get("if-none-match", "")
    return any(tag.strip() in (etag, "*") for tag in wanted.split(",")) if wanted else False


async def _query(
    request: Request, site: Site, params: list[tuple[str, str]], text: str
) -> Response:
    settings = site.settings
    for name in ("using-graph-uri", "using-named-graph-uri"):
        if any(k == name for k, _ in params):
            raise HttpError(400, f"{name} belongs to updates; a query takes default-graph-uri")
    form = query_form(text)
    if form == "UPDATE":
        raise HttpError(400, "this is an update: send it as update=, by POST")
    kind = GRAPH_TYPES if form in ("CONSTRUCT", "DESCRIBE") else RESULT_TYPES
    asked = _one(params, "format")
    if asked is None:
        choice = negotiate(request.headers.get("accept"), (*kind, HTML))
        if choice is None:
            offered = ", ".join(dict.fromkeys(m for _, m in kind))
            raise HttpError(406, f"a {form} query is answered as one of: {offered}")
        fmt, media = choice
    elif asked.strip().lower() == "html":
        fmt, media = HTML
    else:
        fmt, media = _format_param(asked, kind)
    default = _graphs(params, "default-graph-uri")
    named = _graphs(params, "named-graph-uri")
    stated = any(k in ("default-graph-uri", "named-graph-uri") for k, _ in params)
    refused = refused_services(text, settings.services)
    if refused:
        allowed = ", ".join(settings.services) or "none"
        raise HttpError(
            400,
            f"SERVICE refused: {', '.join(refused)} (this server calls only: {allowed})",
        )
    page_wanted = fmt == "html"
    job = Job(
        text,
        ("ttl" if kind is GRAPH_TYPES else "json") if page_wanted else fmt,
        cap=settings.result_cap,
        dataset=Dataset(default, named) if stated else None,
        union=not stated and not declares_dataset(text),
        base_iri=endpoint_url(site),
    )
    etag = site.etag("sparql", text, fmt, repr(job.dataset), str(job.union))
    headers = {"Vary": "Accept", "Cache-Control": "no-cache"}
    if request.method in ("GET", "HEAD"):
        headers["ETag"] = etag
        headers["Last-Modified"] = site.last_modified
        if _etag_matches(request, etag):
            return Response(status_code=304, headers=headers)
    result = await engine(site).run(job)
    if result.truncated:
        headers["X-Actorgraph-Truncated"] = "true"
        headers["X-Actorgraph-Result-Cap"] = str(settings.result_cap)
    if page_wanted:
        response = page(request, site, text, _answer_view(site, result))
        response.headers.update(headers)
        return response
    return Response(result.body, media_type=media, headers=headers)


def _authorised(request: Request, site: Site) -> None:
    token = os.environ.get(site.settings.token_env, "")
    given = request.headers.get("authorization", "")
    scheme, _, credentials = given.partition(" ")
    challenge = 'Bearer realm="actorgraph"'
    if scheme.lower() != "bearer" or not credentials.strip():
        raise HttpError(
            401,
            "an update needs the header Authorization: Bearer <token>",
            {"WWW-Authenticate": challenge},
        )
    if not token or not hmac.compare_digest(credentials.strip().encode(), token.encode()):
        raise HttpError(
            401,
            "the bearer token is not the one this server expects",
            {"WWW-Authenticate": challenge + ', error="invalid_token"'},
        )


async def _update(
    request: Request, site: Site, params: list[tuple[str, str]], text: str
) -> Response:
    settings = site.settings
    if request.method != "POST":
        raise HttpError(
            400, "an update is sent by POST (update= in a form, or application/sparql-update)"
        )
    if not settings.allow_update:
        raise HttpError(403, "this server accepts no updates (it runs without --allow-update)")
    _authorised(request, site)
    for name in ("default-graph-uri", "named-graph-uri", "format"):
        if any(k == name for k, _ in params):
            raise HttpError(400, f"{name} belongs to queries; an update takes using-graph-uri")
    if query_form(text) != "UPDATE":
        raise HttpError(400, "this is a query, not an update: send it as query=")
    if loads_url(text):
        raise HttpError(403, "LOAD is refused: this server never fetches a URL it is given")
    refused = refused_services(text, settings.services)
    if refused:
        raise HttpError(400, f"SERVICE refused: {', '.join(refused)}")
    dataset = Dataset(_graphs(params, "using-graph-uri"), _graphs(params, "using-named-graph-uri"))
    await engine(site).update(with_using(text, dataset), endpoint_url(site))
    return Response(status_code=204, headers={"ETag": site.etag("sparql")})


async def _describe_service(request: Request, site: Site) -> Response:
    choice = negotiate(request.headers.get("accept"), (*GRAPH_TYPES, HTML))
    if choice is None:
        offered = ", ".join(dict.fromkeys(m for _, m in (*GRAPH_TYPES, HTML)))
        raise HttpError(406, f"the service description is served as one of: {offered}")
    fmt, media = choice
    etag = site.etag("sparql-sd", fmt)
    headers = {"Vary": "Accept", "ETag": etag, "Last-Modified": site.last_modified}
    if _etag_matches(request, etag):
        return Response(status_code=304, headers=headers)
    if fmt == "html":
        response = page(request, site)
        response.headers.update(headers)
        return response
    triples = await asyncio.get_running_loop().run_in_executor(None, service_description, site)
    body = serialise(Answer("CONSTRUCT", triples=triples), fmt)
    return Response(body, media_type=media, headers=headers)


def routes(site: Site) -> list[BaseRoute]:
    """The routes this module serves."""

    async def sparql(request: Request) -> Response:
        wants_page = False
        query: str | None = None
        try:
            if request.method == "OPTIONS":
                return Response(status_code=204, headers={"Allow": "GET, POST, OPTIONS"})
            params = await read_call(request)
            _check_params(params)
            query, update = _one(params, "query"), _one(params, "update")
            if query is not None and update is not None:
                raise HttpError(400, "a request holds a query or an update, not both")
            if query is not None:
                asked = _one(params, "format")
                wants_page = asked == "html" or (
                    asked is None
                    and negotiate(request.headers.get("accept"), (*RESULT_TYPES, HTML)) == HTML
                )
                return await _query(request, site, params, query)
            if update is not None:
                return await _update(request, site, params, update)
            if request.method == "POST":
                raise HttpError(400, "no query= nor update= in the request")
            if any(k not in ("format", "lang") for k, _ in params):
                raise HttpError(400, "graph parameters without a query")
            return await _describe_service(request, site)
        except HttpError as exc:
            if wants_page:
                return page(request, site, query or "", error=exc.message, status=exc.status)
            return _plain(exc.status, exc.message, exc.headers)
        except ActorGraphError as exc:
            status = _status(exc)
            headers = {"Retry-After": "2"} if isinstance(exc, Busy) else None
            if wants_page:
                return page(request, site, query or "", error=_describe(exc), status=status)
            return _plain(status, _describe(exc), headers)

    return [Route(PATH, sparql, methods=["GET", "POST", "OPTIONS"], name="sparql")]


__all__ = [
    "GRAPH_TYPES",
    "PATH",
    "RESULT_TYPES",
    "Engine",
    "close",
    "engine",
    "negotiate",
    "routes",
    "service_description",
]
