"""Routes of the server: the W3C Reconciliation Service API 0.2 at ``/reconcile``
(see :mod:`actorgraph.serve`), for OpenRefine and other clients.

====================================  ==========================================
``GET /reconcile``                    the service manifest
``GET|POST /reconcile?queries=…``     a batch of reconciliation queries
                                      (POST: an ``application/x-www-form-urlencoded``
                                      form, as OpenRefine sends it)
``GET|POST /reconcile?extend=…``      data extension
``GET /reconcile/properties?type=``   the data extension's property proposals
``GET /reconcile/suggest/entity``     suggest (``prefix``, ``cursor``; ``type``)
``GET /reconcile/suggest/type``       … types
``GET /reconcile/suggest/property``   … properties
``GET /reconcile/preview?id=``        a small HTML card of an entity
``GET /reconcile/view?id=``           303 to the entity's page
====================================  ==========================================

Every answer carries ``Access-Control-Allow-Origin: *`` and ``OPTIONS``
answers the preflight, as the specification requires (OpenRefine runs in a
browser). Mistakes in a request are answered 400 with ``{"error": message}``;
a body over the server's ``max_body`` 413.

The index (:class:`~actorgraph.reconcile.Reconciler`) is built on a thread as
soon as the routes are made, so that it is ready a second or two after the
server starts; requests that come earlier wait for it. Matching runs in the
threadpool, never on the event loop.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import gc
import threading
import time
from collections.abc import Awaitable, Callable
from html import escape
from typing import Any
from urllib.parse import parse_qs

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from ..errors import ActorGraphError, NotFoundError, UsageError
from ..namespaces import BASE
from ..reconcile import Reconciler
from ..reconcile import protocol as api
from ..reconcile.cache import keep, load_or_build
from ..reconcile.extend import extend
from .site import Site

CORS = {"Access-Control-Allow-Origin": "*"}
_PREFLIGHT = {
    **CORS,
    "Access-Control-Allow-Methods": "GET, POST, OPTIONS",
    "Access-Control-Max-Age": "86400",
}


class Service:
    """The reconciliation index of one site, built on a thread from its creation."""

    def __init__(self, site: Site) -> None:
        self.site = site
        self.started = time.monotonic()
        #: Seconds from the start of the build to the index being ready.
        self.build_seconds: float | None = None
        self._future: concurrent.futures.Future[Reconciler] = concurrent.futures.Future()
        #: Set once the build's work is over (the index kept on disk, if it was built).
        self.settled = threading.Event()
        threading.Thread(target=self._build, name="reconcile-index", daemon=True).start()

    def _build(self) -> None:
        try:
            reconciler, built = load_or_build(self.site.store, self.site.project)
        except BaseException as exc:  # handed to every request that waits for it
            self._future.set_exception(exc)
            self.settled.set()
            return
        self.build_seconds = time.monotonic() - self.started
        self._future.set_result(reconciler)
        # The index lives as long as the server: the collector need not walk it again.
        gc.freeze()
        if built:
            keep(reconciler, self.site.store, self.site.project)
        self.settled.set()

    def wait(self, timeout: float | None = None) -> Reconciler:
        """The index, once built (for code outside the event loop)."""
        return self._future.result(timeout)

    async def reconciler(self) -> Reconciler:
        return await asyncio.wrap_future(self._future)


def service(site: Site) -> Service:
    """The site's :class:`Service`, made (and its build started) on first call."""
    # Kept on the site: several applications made over one site share one index.
    found = site.__dict__.get("_reconcile_service")
    if found is None:
        found = site.__dict__["_reconcile_service"] = Service(site)
    assert isinstance(found, Service)
    return found


Handler = Callable[[Request], Awaitable[Response]]


def _cors(handler: Handler) -> Handler:
    """``handler`` with CORS headers, the preflight answered and errors as 400s."""

    async def wrapped(request: Request) -> Response:
        if request.method == "OPTIONS":
            headers = dict(_PREFLIGHT)
            asked = request.headers.get("access-control-request-headers")
            headers["Access-Control-Allow-Headers"] = asked or "Content-Type"
            return Response(status_code=204, headers=headers)
        try:
            response = await handler(request)
        except ActorGraphError as exc:
            response = JSONResponse({"error": str(exc)}, status_code=exc.http_status)
        response.headers.update(CORS)
        return response

    return wrapped


async def _params(request: Request, limit: int) -> dict[str, str]:
    """The query string's parameters, and a POSTed form's (which win)."""
    params = {k: v for k, v in request.query_params.items()}
    if request.method != "POST":
        return params
    kind = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    if kind == "multipart/form-data":
        try:
            form = await request.form(max_files=0, max_fields=20, max_part_size=limit)
        except Exception as exc:  # multipart's own errors have no common base
            raise UsageError(f"malformed multipart form: {exc}", field="body") from None
        params.update({k: v for k, v in form.items() if isinstance(v, str)})
        return params
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            raise _TooLarge(f"the request body is over {limit} bytes")
    try:
        text = bytes(body).decode("utf-8")
        fields = parse_qs(text, keep_blank_values=True, max_num_fields=20)
    except (UnicodeDecodeError, ValueError) as exc:
        raise UsageError(f"malformed form body: {exc}", field="body") from None
    params.update({k: v[0] for k, v in fields.items()})
    return params


class _TooLarge(UsageError):
    http_status = 413


def routes(site: Site) -> list[BaseRoute]:
    """The routes this module serves (and the start of the index's build)."""
    svc = service(site)
    service_url = site.url(BASE + "reconcile")

    @_cors
    async def endpoint(request: Request) -> Response:
        params = await _params(request, site.settings.max_body)
        rec = await svc.reconciler()
        if "queries" in params and "extend" in params:
            raise UsageError("give queries or extend, not both")
        if "queries" in params:

            def answer() -> dict[str, Any]:
                return api.answer_batch(rec, api.parse_batch(params["queries"], rec.types))

            return JSONResponse(await run_in_threadpool(answer))
        if "extend" in params:

            def extended() -> dict[str, Any]:
                ids, props = api.parse_extend(params["extend"])
                return extend(rec, ids, props)

            return JSONResponse(await run_in_threadpool(extended))
        if "query" in params:
            raise UsageError(
                'version 0.2 of the protocol takes a batch: queries={"q0": {"query": …}}',
                field="query",
            )
        if request.method == "POST":
            raise UsageError("a POST holds queries=… or extend=…", field="body")
        return JSONResponse(
            api.manifest(
                service_url,
                rec.types,
                view_url=service_url + "/view?id={{id}}",
                preview_url=service_url + "/preview?id={{id}}",
            )
        )

    @_cors
    async def suggest_entity(request: Request) -> Response:
        rec = await svc.reconciler()
        q = request.query_params
        prefix, cursor = api.prefix_of(q.get("prefix")), api.page(q.get("cursor"))
        types = [t for t in q.getlist("type") if t]
        result = await run_in_threadpool(api.suggest_entities, rec, prefix, cursor, types)
        return JSONResponse(result)

    @_cors
    async def suggest_type(request: Request) -> Response:
        rec = await svc.reconciler()
        q = request.query_params
        prefix, cursor = api.prefix_of(q.get("prefix")), api.page(q.get("cursor"))
        return JSONResponse(api.suggest_types(rec.types, prefix, cursor))

    @_cors
    async def suggest_property(request: Request) -> Response:
        q = request.query_params
        prefix, cursor = api.prefix_of(q.get("prefix")), api.page(q.get("cursor"))
        return JSONResponse(api.suggest_properties(prefix, cursor))

    @_cors
    async def properties(request: Request) -> Response:
        rec = await svc.reconciler()
        q = request.query_params
        return JSONResponse(api.propose_properties(rec.types, q.get("type"), q.get("limit")))

    @_cors
    async def preview(request: Request) -> Response:
        rec = await svc.reconciler()
        iri = request.query_params.get("id")
        if not iri:
            raise UsageError("the id parameter is missing", field="id")
        ent = rec.entity(iri)
        if ent is None:
            raise NotFoundError(f"no entity {iri}", field="id")
        return HTMLResponse(render_preview(site, rec, ent))

    @_cors
    async def view(request: Request) -> Response:
        iri = request.query_params.get("id", "")
        if not iri.startswith(BASE):
            raise UsageError(f"not an IRI of this service: {iri!r}", field="id")
        return RedirectResponse(site.url(iri), status_code=303)

    methods = ["GET", "OPTIONS"]
    return [
        Route("/reconcile", endpoint, methods=["GET", "POST", "OPTIONS"]),
        Route("/reconcile/suggest/entity", suggest_entity, methods=methods),
        Route("/reconcile/suggest/type", suggest_type, methods=methods),
        Route("/reconcile/suggest/property", suggest_property, methods=methods),
        Route("/reconcile/properties", properties, methods=methods),
        Route("/reconcile/preview", preview, methods=methods),
        Route("/reconcile/view", view, methods=methods),
    ]


def render_preview(site: Site, rec: Reconciler, ent: Any) -> str:
    """The preview card of an entity: its name (a link to its page), what it
    is, its identifiers and other names; every value escaped."""
    rows: list[tuple[str, str]] = [("Type", ", ".join(k.name for k in rec.kinds(ent)))]
    if ent.sirens:
        rows.append(("SIREN", ", ".join(sorted(ent.sirens))))
    if ent.codes:
        rows.append(("Code INSEE", ", ".join(sorted(ent.codes))))
    territory = [
        e for e in (rec.departement(ent), rec.region(ent)) if e is not None and e is not ent
    ]
    if territory:
        rows.append(("Territoire", ", ".join(e.official or e.name for e in territory)))
    others = [n for n, _ in ent.names if n != ent.name]
    if others:
        rows.append(("Autres noms", " · ".join(others[:8])))
    cells = "".join(f"<dt>{escape(k)}</dt><dd>{escape(v)}</dd>" for k, v in rows if v)
    name = escape(rec.display_name(ent))
    return (
        '<!doctype html>\n<html lang="fr"><head><meta charset="utf-8">'
        f"<title>{name}</title><style>"
        "body{font:13px/1.35 system-ui,sans-serif;margin:6px;color:#222}"
        "h1{font-size:15px;margin:0 0 2px}p{margin:0 0 6px;color:#555}"
        "dt{font-weight:600;float:left;clear:left;width:7.5em}dd{margin:0 0 2px 8em}"
        "</style></head><body>"
        f'<h1><a href="{escape(site.url(ent.iri))}" target="_blank" rel="noopener">{name}</a></h1>'
        f"<p>{escape(rec.describe(ent))}</p><dl>{cells}</dl></body></html>\n"
    )


__all__ = ["Service", "render_preview", "routes", "service"]
