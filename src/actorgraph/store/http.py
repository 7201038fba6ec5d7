"""The one HTTP client of the package: every call to a remote server goes
through :func:`send`.

Each call has **one overall deadline** (``timeout`` seconds) that covers
connecting, waiting for the answer, reading it and every retry: a server that
accepts and never answers, or sends one byte every few seconds, is given up on
when the deadline passes. Connection failures and HTTP 429/502/503/504 are
asked again with a growing pause (while time is left); what still fails
becomes a :class:`~actorgraph.errors.ServiceError` (exit code 3) with a
one-line reason: the URL, the HTTP status and the first words of the server's
answer, never a byte-string ``repr`` nor the query that was sent.

Requests carry the project's User-Agent (:data:`actorgraph.USER_AGENT`).

>>> summary(b"Internal error\\n  at line 3 of the query: SELECT ...")
'Internal error'
>>> waits = []
>>> retrying(iter([1]).__next__, retryable=lambda e: True, retries=2, backoff=0.5, sleep=waits.append)
1
"""

from __future__ import annotations

import http.client
import socket
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from email.message import Message
from typing import Any, TypeVar

from .. import USER_AGENT
from ..errors import ServiceError

#: HTTP statuses worth asking again: the server may be starting or overloaded.
RETRY_STATUSES = {429, 502, 503, 504}

#: Default overall deadline of one call, in seconds.
DEFAULT_TIMEOUT = 30.0

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
    if isinstance(exc, HttpStatusError):
        return exc.status in RETRY_STATUSES
    return isinstance(
        exc,
        urllib.error.URLError | TimeoutError | ConnectionError | http.client.HTTPException,
    )


def summary(body: bytes, limit: int = 200) -> str:
    """The first non-empty line of a server's answer, as text, cut at ``limit``
    characters: enough to say what went wrong, without the query a server
    often echoes after it."""
    text = body.decode("utf-8", "replace")
    for line in text.splitlines():
        line = " ".join(line.split())
        if line:
            return line if len(line) <= limit else line[: limit - 1] + "…"
    return ""


@dataclass(frozen=True)
class Response:
    """A complete answer: status, headers and the whole body."""

    url: str
    status: int
    headers: Message
    body: bytes

    @property
    def media_type(self) -> str:
        return (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()


class HttpStatusError(Exception):
    """An answer with a status of 400 or more (translated by :func:`send`)."""

    def __init__(self, status: int, reason: str, body: bytes) -> None:
        super().__init__(f"HTTP {status} {reason}")
        self.status = status
        self.reason = reason
        self.body = body


class DeadlineExceeded(TimeoutError):
    """The overall deadline passed."""


def _socket_of(response: Any) -> socket.socket | None:
    # http.client reads through a buffered SocketIO; its socket is where a
    # per-read timeout can be shortened to what is left of the deadline.
    raw = getattr(getattr(response, "fp", None), "raw", None)
    sock = getattr(raw, "_sock", None)
    return sock if isinstance(sock, socket.socket) else None


def read_body(
    response: Any, deadline: float, max_bytes: int | None = None, *, cut: bool = False
) -> bytes:
    """The whole body, read piece by piece, each read bounded by what is left
    of the deadline (a slow drip does not reset it). A body over ``max_bytes``
    is an error, or with ``cut``, its first ``max_bytes`` bytes (enough of an
    error page to quote its first line)."""
    sock = _socket_of(response)
    chunks: list[bytes] = []
    size = 0
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            raise DeadlineExceeded()
        if sock is not None:
            sock.settimeout(left)
        try:
            chunk = response.read1(65536)
        except TimeoutError:
            raise DeadlineExceeded() from None
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)
        size += len(chunk)
        if max_bytes is not None and size > max_bytes:
            if cut:
                return b"".join(chunks)[:max_bytes]
            raise ServiceError(
                f"{response.geturl() or ''}: the answer is larger than {max_bytes:,} bytes"
            )


def send(
    request: urllib.request.Request,
    *,
    timeout: float = DEFAULT_TIMEOUT,
    retries: int = 2,
    backoff: float = 0.25,
    what: str = "server",
    sleep: Callable[[float], None] = time.sleep,
    max_bytes: int | None = None,
    on_attempt: Callable[[], None] | None = None,
    answers: set[int] | frozenset[int] = frozenset(),
) -> Response:
    """Send ``request`` and read the whole answer within ``timeout`` seconds in all.

    Statuses of 400 and more raise :class:`ServiceError` with the status and
    the first line of the server's answer (unless listed in ``answers``: a
    Graph Store's 404 for a graph it does not hold); so do an unreachable
    server and a passed deadline.
    """
    url = request.full_url
    if not request.has_header("User-agent"):
        request.add_header("User-Agent", USER_AGENT)
    deadline = time.monotonic() + timeout

    def once() -> Response:
        if on_attempt is not None:
            on_attempt()
        left = deadline - time.monotonic()
        if left <= 0:
            raise DeadlineExceeded()
        try:
            response = urllib.request.urlopen(request, timeout=left)
        except urllib.error.HTTPError as exc:
            try:
                body = read_body(exc, deadline, 64 * 1024, cut=True) if exc.fp else b""
            except (DeadlineExceeded, ServiceError, OSError, http.client.HTTPException):
                body = b""
            if exc.code in answers:
                return Response(url, exc.code, exc.headers, body)
            raise HttpStatusError(exc.code, str(exc.reason or ""), body) from None
        except TimeoutError:
            raise DeadlineExceeded() from None
        with response:
            body = read_body(response, deadline, max_bytes)
            return Response(response.geturl() or url, response.status, response.headers, body)

    def pause(seconds: float) -> None:
        sleep(max(0.0, min(seconds, deadline - time.monotonic())))

    try:
        return retrying(
            once, retryable=_retry_in_time(deadline), retries=retries, backoff=backoff, sleep=pause
        )
    except DeadlineExceeded:
        raise ServiceError(
            f"{url}: no complete answer within {timeout:g} s",
            hint="the server is slow or hanging; raise --timeout or try later",
        ) from None
    except HttpStatusError as exc:
        said = summary(exc.body)
        raise ServiceError(
            f"{url}: HTTP {exc.status} {exc.reason}".rstrip() + (f": {said}" if said else ""),
            hint=_status_hint(exc.status),
        ) from None
    except urllib.error.URLError as exc:
        raise ServiceError(
            f"{url}: cannot reach the {what}: {exc.reason}",
            hint="check the URL and that the server is running",
        ) from None
    except (ConnectionError, http.client.HTTPException, OSError) as exc:
        reason = str(exc) or type(exc).__name__
        raise ServiceError(f"{url}: the {what} broke off the connection: {reason}") from None


def authorization(url: str, env: str | None = None) -> str | None:
    """The ``Authorization`` header for ``url``: from the environment variable
    ``env`` (``user:password`` for HTTP basic, ``Bearer <token>`` as it is),
    else from ``~/.netrc`` (the entry of the URL's host), else none.
    Credentials never come from a command-line argument, which other users
    of the machine can read.

    >>> import os
    >>> os.environ["AG_DOCTEST_AUTH"] = "dba:secret"
    >>> authorization("http://127.0.0.1:8890/sparql", "AG_DOCTEST_AUTH")
    'Basic ZGJhOnNlY3JldA=='
    """
    import base64
    import netrc
    import os
    import urllib.parse

    from ..errors import UsageError

    if env:
        value = os.environ.get(env)
        if not value:
            raise UsageError(f"the environment variable {env} is not set", field="--auth-env")
        if value.lower().startswith("bearer "):
            return value
        if ":" not in value:
            raise UsageError(
                f"{env} must hold user:password (HTTP basic) or 'Bearer <token>'",
                field="--auth-env",
            )
        return "Basic " + base64.b64encode(value.encode()).decode()
    host = urllib.parse.urlsplit(url).hostname or ""
    try:
        entry = netrc.netrc().authenticators(host)
    except (FileNotFoundError, netrc.NetrcParseError, OSError):
        return None
    if not entry:
        return None
    login, _, password = entry
    return "Basic " + base64.b64encode(f"{login}:{password or ''}".encode()).decode()


def _retry_in_time(deadline: float) -> Callable[[Exception], bool]:
    def check(exc: Exception) -> bool:
        return (
            not isinstance(exc, DeadlineExceeded) and retryable(exc) and time.monotonic() < deadline
        )

    return check


def _status_hint(status: int) -> str | None:
    if status in (401, 403):
        return "the server refused the request: check the credentials it expects"
    if status == 404:
        return "check the endpoint's URL"
    return None
