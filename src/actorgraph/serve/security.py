"""The server's safety middleware: security headers on every response, a
bound on request bodies, and CORS on the machine-facing paths.

Pure ASGI (no ``BaseHTTPMiddleware``, which wraps every response in a task
and a stream): it only edits the headers of the ``http.response.start``
message and counts the bytes ``receive`` hands over.

- **Headers.** ``Content-Security-Policy`` (:data:`CSP`: everything from the
  site itself, no inline script, no inline style, no framing),
  ``X-Content-Type-Options: nosniff``, ``Referrer-Policy``,
  ``X-Frame-Options: DENY``. A route that sets its own
  ``Content-Security-Policy`` keeps it.
- **Bodies.** A request announcing more than ``max_body`` bytes
  (``Content-Length``) is answered 413 before any of it is read; a body sent
  without a length (chunked) is counted as it arrives and the request is
  answered 413 as soon as it passes the bound. On the ``json_errors`` paths
  (``/reconcile``, whose clients read errors as JSON) the refusal is
  ``{"error": "…"}``.
- **CORS.** On the ``cors`` paths (``/sparql``) any origin may read the
  answers (``Access-Control-Allow-Origin: *``, no credentials) and preflight
  requests (``OPTIONS`` with ``Access-Control-Request-Method``) are answered
  here.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from starlette.exceptions import HTTPException

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

#: The Content-Security-Policy of every page: scripts, styles, images, forms
#: and connections only from the site itself; no plugin, no framing.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)

HEADERS: tuple[tuple[bytes, bytes], ...] = (
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"strict-origin-when-cross-origin"),
    (b"x-frame-options", b"DENY"),
)

#: The methods and request headers a cross-origin client may use on the CORS paths.
CORS_METHODS = b"GET, POST, OPTIONS"
CORS_HEADERS = b"Accept, Authorization, Content-Type"
#: Response headers a cross-origin script may read besides the simple ones.
CORS_EXPOSE = b"X-Actorgraph-Truncated, X-Actorgraph-Result-Cap, Retry-After, ETag"


def _too_large(limit: int) -> str:
    return f"the request body is over {limit:,} bytes"


class SecurityMiddleware:
    """Wraps the application: see the module's docstring."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        max_body: int,
        cors: tuple[str, ...] = (),
        json_errors: tuple[str, ...] = (),
    ) -> None:
        self.app = app
        self.max_body = max_body
        self.cors = cors
        #: Paths whose clients read errors as JSON (``{"error": "…"}``).
        self.json_errors = json_errors

    @staticmethod
    def _under(path: str, prefixes: tuple[str, ...]) -> bool:
        return any(path == p or path.startswith(p.rstrip("/") + "/") for p in prefixes)

    def _is_cors(self, path: str) -> bool:
        return self._under(path, self.cors)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        cors = self._is_cors(scope.get("path", ""))
        request_headers = dict(scope.get("headers") or [])
        if (
            cors
            and scope["method"] == "OPTIONS"
            and b"access-control-request-method" in request_headers
        ):
            await self._plain(send, 204, b"", cors=True)
            return
        length = request_headers.get(b"content-length")
        if length is not None:
            try:
                announced = int(length)
            except ValueError:
                await self._plain(send, 400, b"invalid Content-Length", cors=cors)
                return
            if announced > self.max_body:
                message = _too_large(self.max_body)
                if self._under(scope.get("path", ""), self.json_errors):
                    body = json.dumps({"error": message}).encode()
                    await self._plain(send, 413, body, cors=cors, media=b"application/json")
                else:
                    await self._plain(send, 413, message.encode(), cors=cors)
                return

        received = 0

        async def counted() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_body:
                    raise HTTPException(413, _too_large(self.max_body))
            return message

        async def secured(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = self._headers(list(message.get("headers", [])), cors)
            await send(message)

        await self.app(scope, counted, secured)

    def _headers(self, headers: list[tuple[bytes, bytes]], cors: bool) -> list[tuple[bytes, bytes]]:
        present = {name.lower() for name, _ in headers}
        added = [(name, value) for name, value in HEADERS if name not in present]
        if cors:
            added += [
                (name, value)
                for name, value in (
                    (b"access-control-allow-origin", b"*"),
                    (b"access-control-expose-headers", CORS_EXPOSE),
                )
                if name not in present
            ]
        return headers + added

    async def _plain(
        self,
        send: Send,
        status: int,
        body: bytes,
        *,
        cors: bool,
        media: bytes = b"text/plain; charset=utf-8",
    ) -> None:
        headers = [
            (b"content-type", media),
            (b"content-length", str(len(body)).encode()),
        ]
        if status == 413:
            headers.append((b"connection", b"close"))
        if status == 204 and cors:
            headers += [
                (b"access-control-allow-methods", CORS_METHODS),
                (b"access-control-allow-headers", CORS_HEADERS),
                (b"access-control-max-age", b"86400"),
            ]
        await send(
            {
                "type": "http.response.start",
                "status": status,
                "headers": self._headers(headers, cors),
            }
        )
        await send({"type": "http.response.body", "body": body})


__all__ = ["CSP", "HEADERS", "SecurityMiddleware"]
