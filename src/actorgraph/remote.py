"""A remote SPARQL 1.1 server, queried through SPARQLWrapper.

Requests carry the project's User-Agent and a timeout; a failure to connect
or a server error (5xx) is retried with a growing pause, and what still fails
becomes a :class:`~actorgraph.errors.ServiceError` (exit code 3) naming the
URL and quoting the server's message. Parameters are bound with a ``VALUES``
block made of serialised RDF terms (:func:`actorgraph.query.add_values`).

>>> store = RemoteStore("http://127.0.0.1:7878/query")
>>> store.update_endpoint
'http://127.0.0.1:7878/update'
"""

from __future__ import annotations

import time
import urllib.error
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

import pyoxigraph as ox
from SPARQLWrapper import JSON, POST, TURTLE, SPARQLWrapper
from SPARQLWrapper.SPARQLExceptions import SPARQLWrapperException

from . import USER_AGENT
from .errors import QueryError, ServiceError
from .query import Answer, Term, add_values, answer_from, query_form

#: HTTP statuses worth asking again: the server may be starting or overloaded.
RETRY_STATUSES = {429, 502, 503, 504}

T = TypeVar("T")


def retrying(
    call: Callable[[], T],
    *,
    retryable: Callable[[Exception], bool],
    retries: int,
    backoff: float,
    sleep: Callable[[float], None] = time.sleep,
) -> T:
    """``call()``, asked again up to ``retries`` times while it fails in a ``retryable`` way.

    The n-th retry waits ``backoff * 2**n`` seconds; the last failure, or one
    not worth retrying, is raised as is for the caller to translate.

    >>> answers = iter([ConnectionError("down"), "ok"])
    >>> def call():
    ...     answer = next(answers)
    ...     if isinstance(answer, Exception):
    ...         raise answer
    ...     return answer
    >>> waits = []
    >>> retrying(call, retryable=lambda e: True, retries=2, backoff=0.5, sleep=waits.append)
    'ok'
    >>> waits
    [0.5]
    """
    attempt = 0
    while True:
        try:
            return call()
        except Exception as exc:
            if attempt >= retries or not retryable(exc):
                raise
        sleep(backoff * 2**attempt)
        attempt += 1


def retryable(exc: BaseException) -> bool:
    """A connection failure, or an HTTP status in :data:`RETRY_STATUSES`."""
    if isinstance(exc, urllib.error.HTTPError):
        return exc.code in RETRY_STATUSES
    return isinstance(exc, urllib.error.URLError | TimeoutError | ConnectionError)


def _message(exc: BaseException) -> str:
    """The server's own words when there are some, else the exception's."""
    if isinstance(exc, urllib.error.HTTPError):
        try:
            body = exc.read().decode("utf-8", "replace").strip()
        except Exception:  # the body may already be consumed or closed
            body = ""
        return f"HTTP {exc.code} {exc.reason}" + (f": {body[:500]}" if body else "")
    if isinstance(exc, urllib.error.URLError):
        return str(exc.reason)
    if isinstance(exc, SPARQLWrapperException):
        text = str(exc).strip()
        return text.split("Response:", 1)[-1].strip() if "Response:" in text else text
    return str(exc) or type(exc).__name__


class RemoteStore:
    """A SPARQL 1.1 endpoint (query, and update when ``update_endpoint`` is known)."""

    def __init__(
        self,
        endpoint: str,
        update_endpoint: str | None = None,
        *,
        timeout: float = 30.0,
        retries: int = 2,
        backoff: float = 0.25,
    ) -> None:
        if not endpoint.startswith(("http://", "https://")):
            raise QueryError(f"not an http(s) URL: {endpoint!r}", field="--endpoint")
        self.endpoint = endpoint
        if update_endpoint is None and endpoint.endswith("/query"):
            update_endpoint = endpoint.removesuffix("/query") + "/update"
        self.update_endpoint = update_endpoint or endpoint
        self.timeout = timeout
        self.retries = retries
        self.backoff = backoff

    def _client(self, url: str) -> SPARQLWrapper:
        client = SPARQLWrapper(url, agent=USER_AGENT)
        client.setTimeout(max(1, round(self.timeout)))
        client.setMethod(POST)
        return client

    def _send(self, client: SPARQLWrapper, url: str) -> Any:
        try:
            return retrying(
                client.query, retryable=retryable, retries=self.retries, backoff=self.backoff
            )
        except urllib.error.HTTPError as exc:
            raise ServiceError(f"{url}: {_message(exc)}") from None
        except SPARQLWrapperException as exc:
            # 400 (malformed), 401, 404, 414, 500: asking again will not help.
            raise ServiceError(f"{url}: {_message(exc)}") from None
        except (urllib.error.URLError, TimeoutError, ConnectionError) as exc:
            raise ServiceError(
                f"{url}: cannot reach the SPARQL endpoint: {_message(exc)}",
                hint="check the URL and that the server is running",
            ) from None

    def query(
        self,
        text: str,
        bindings: Mapping[str, Term] | None = None,
        *,
        limit: int | None = None,
    ) -> Answer:
        """Run a read-only query; parameters go into a ``VALUES`` block."""
        form = query_form(text)
        if form == "UPDATE":
            raise QueryError("this is an update, not a query; pass --update to change the store")
        client = self._client(self.endpoint)
        client.setQuery(add_values(text, bindings or {}))
        graph = form in ("CONSTRUCT", "DESCRIBE")
        client.setReturnFormat(TURTLE if graph else JSON)
        response = self._send(client, self.endpoint)
        try:
            body = response.response.read()
        except (OSError, TimeoutError) as exc:
            raise ServiceError(f"{self.endpoint}: reading the answer failed: {exc}") from None
        try:
            if graph:
                return answer_from(ox.parse(body, format=ox.RdfFormat.TURTLE), form, limit)
            parsed = ox.parse_query_results(body, format=ox.QueryResultsFormat.JSON)
        except (SyntaxError, ValueError) as exc:
            raise ServiceError(f"{self.endpoint}: the answer is not valid: {exc}") from None
        return answer_from(parsed, form, limit)

    def update(self, text: str, bindings: Mapping[str, Term] | None = None) -> None:
        """Run a SPARQL update on the update endpoint."""
        client = self._client(self.update_endpoint)
        client.setQuery(add_values(text, bindings or {}) if bindings else text)
        self._send(client, self.update_endpoint)
