"""How the server answers for an RDF document: which representation (content
negotiation), conditional requests, ``HEAD``, and the headers every document
carries. Used by the linked-data routes (:mod:`.ld`) and the dataset
descriptions (:mod:`.dataset`); see ``docs/serve.md``, "Serving".

A document has one representation per *variant*: HTML, then every format of
the writer registry (:mod:`actorgraph.rdf.registry`) in its order. The variant
is chosen, first to last, by

1. an extension on the path (``/id/organisation/fing.ttl``),
2. ``?format=`` (a format name, an extension or a media type),
3. the ``Accept`` header (:func:`choose`).

>>> [v.name for v in variants()]
['html', 'ttl', 'nt', 'nq', 'trig', 'jsonld']
>>> choose("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8").name
'html'
>>> choose("*/*").name, choose(None).name, choose("text/*").name
('ttl', 'ttl', 'ttl')
>>> choose("application/ld+json;q=0.9, text/html;q=0.8").name
'jsonld'
>>> choose("image/png") is None
True
>>> split_extension("id/organisation/fing.jsonld")
('id/organisation/fing', 'jsonld')
>>> split_extension("ontology/0.1.0")
('ontology/0.1.0', None)
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from html import escape
from typing import Any

import pyoxigraph as ox
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from ..rdf import registry, serialize_triples
from ..rdf.jsonld import default_context, load_context
from .site import Site

#: Media types that ask for the HTML page (the second is served as text/html).
HTML_TYPES = ("text/html", "application/xhtml+xml")


@dataclass(frozen=True)
class Variant:
    """One representation of a document: HTML, or a format of the registry."""

    name: str
    media_type: str
    extension: str
    #: Further media types naming this variant (understood, never written).
    aliases: tuple[str, ...] = ()

    @property
    def html(self) -> bool:
        return self.name == "html"

    @property
    def media_types(self) -> tuple[str, ...]:
        return (self.media_type, *self.aliases)


HTML = Variant("html", "text/html", "html", aliases=("application/xhtml+xml",))


def variants() -> list[Variant]:
    """HTML, then the registered RDF formats in the registry's order."""
    return [
        HTML,
        *(Variant(f.name, f.media_type, f.extension, f.aliases) for f in registry.formats()),
    ]


def by_extension(extension: str) -> Variant | None:
    """The variant a path extension (``ttl``, ``.html``) names, or None."""
    wanted = extension.lower().removeprefix(".")
    if wanted in ("html", "htm"):
        return HTML
    fmt = registry.by_extension(wanted)
    return None if fmt is None else _variant(fmt.name)


def by_parameter(value: str) -> Variant | None:
    """The variant ``?format=`` names: a format name, an extension or a media type.

    >>> by_parameter("turtle") is None, by_parameter("ttl").name, by_parameter("text/html").name
    (True, 'ttl', 'html')
    """
    value = value.strip()
    for variant in variants():
        if value.lower() == variant.name:
            return variant
    if "/" in value:
        wanted = value.split(";", 1)[0].strip().lower()
        for variant in variants():
            if wanted in variant.media_types:
                return variant
        return None
    return by_extension(value)


def _variant(name: str) -> Variant:
    return next(v for v in variants() if v.name == name)


def split_extension(path: str) -> tuple[str, str | None]:
    """``path`` without a final extension that names a variant, and that variant's name."""
    head, dot, tail = path.rpartition(".")
    if not dot or "/" in tail or not head or head.endswith("/"):
        return path, None
    variant = by_extension(tail)
    return (head, variant.name) if variant is not None else (path, None)


def _weight(variant: Variant, ranges: list[tuple[str, float]]) -> tuple[float, int, int]:
    """(weight, specificity, -position) of the most specific range matching
    ``variant``, by the registry's rule (:func:`~actorgraph.rdf.registry.best_range`)."""
    specificity, weight, position = registry.best_range(
        variant.media_types, variant.media_type, ranges
    )
    return weight, specificity, -position


def choose(accept: str | None) -> Variant | None:
    """The variant an ``Accept`` header prefers, or None (406).

    The RDF format is the registry's choice (:func:`~actorgraph.rdf.registry.negotiate`);
    HTML is then weighed against it by the same rules: the higher weight wins,
    then the more specific range (a type named outright beats a wildcard),
    then the range written first. A tie left after that goes to the RDF
    format, so ``*/*`` alone (curl, most libraries) gets Turtle, while
    browsers, which name ``text/html``, get the page. No header accepts anything.
    """
    ranges = registry.media_ranges(accept) if accept and accept.strip() else [("*/*", 1.0)]
    fmt = registry.negotiate(accept)
    html = _weight(HTML, ranges)
    if fmt is None:
        return HTML if html[0] > 0 else None
    rdf = _weight(_variant(fmt.name), ranges)
    if html[0] > 0 and html > rdf:
        return HTML
    return _variant(fmt.name)


def offered_types() -> list[str]:
    """Every media type a document is offered in (for 406 answers)."""
    return [v.media_type for v in variants()]


@dataclass(frozen=True)
class Wanted:
    """What a request asks for: a variant, and whether ``Accept`` chose it (so
    the answer at this URL varies with ``Accept``) — or the error to answer."""

    variant: Variant | None
    negotiated: bool
    error: Response | None = None


def wanted(request: Request, extension: str | None) -> Wanted:
    """The variant of a request: the path's extension, else ``?format=``, else
    ``Accept``. An unknown ``?format`` is a 400, an ``Accept`` naming nothing
    offered a 406 (both list what is offered)."""
    if extension is not None:
        return Wanted(_variant(extension), False)
    param = request.query_params.get("format")
    if param is not None:
        variant = by_parameter(param)
        if variant is None:
            offered = ", ".join(v.name for v in variants())
            return Wanted(
                None,
                False,
                _plain(400, f"Unknown format {param!r}. Offered: {offered}.\n"),
            )
        return Wanted(variant, False)
    variant = choose(request.headers.get("accept"))
    if variant is None:
        lines = "\n".join(offered_types())
        body = f"Not Acceptable. This document is offered as:\n{lines}\n"
        return Wanted(None, True, _plain(406, body, {"Vary": "Accept"}))
    return Wanted(variant, True)


def _plain(status: int, text: str, headers: Mapping[str, str] | None = None) -> Response:
    return Response(text, status_code=status, media_type="text/plain", headers=headers)


# ---- conditional requests ---------------------------------------------------


def _etags(header: str) -> list[str]:
    """The entity tags of an ``If-None-Match`` header, weak prefixes dropped."""
    tags = []
    for part in header.split(","):
        tag = part.strip()
        if tag.startswith("W/"):
            tag = tag[2:]
        if tag:
            tags.append(tag)
    return tags


def not_modified(request: Request, etag: str, last_modified: str) -> bool:
    """Whether a conditional GET/HEAD may be answered 304 (RFC 9110, 13.2.2):
    ``If-None-Match`` decides when present (weak comparison), else
    ``If-Modified-Since``."""
    if request.method not in ("GET", "HEAD"):
        return False
    none_match = request.headers.get("if-none-match")
    if none_match is not None:
        tags = _etags(none_match)
        return "*" in tags or etag in tags
    since = request.headers.get("if-modified-since")
    if since is None:
        return False
    try:
        then = parsedate_to_datetime(since)
        modified = parsedate_to_datetime(last_modified)
    except (TypeError, ValueError, IndexError):
        return False
    if then.tzinfo is None:
        return False
    return modified <= then


def finish(request: Request, response: Response) -> Response:
    """``response`` as ``HEAD`` wants it: the same headers (``Content-Length``
    included), no body."""
    if request.method != "HEAD":
        return response
    headers = dict(response.headers)
    return Response(b"", status_code=response.status_code, headers=headers)


# ---- the document responder ---------------------------------------------------


def json_context(site: Site) -> dict[str, Any]:
    """The JSON-LD context of every JSON-LD answer: the project's, else the prefixes."""
    if site.project is None or not site.project.context_file.is_file():
        return default_context()
    return load_context(site.project)


def alternates(url: str) -> str:
    """The ``Link`` header naming each variant of the document served at ``url``."""
    return ", ".join(
        f'<{url}.{v.extension}>; rel="alternate"; type="{v.media_type}"' for v in variants()
    )


def not_found(site: Site, variant: Variant | None, iri: str) -> Response:
    """404: an HTML page when HTML was asked for, plain text otherwise."""
    if variant is not None and variant.html:
        home = escape(site.base_url)
        body = (
            '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
            "<title>Not found</title></head><body><main><h1>Not found</h1>"
            f"<p>Nothing is known about <code>{escape(iri)}</code>.</p>"
            f'<p><a href="{home}">Home</a> · <a href="{home}sparql">SPARQL</a></p>'
            "</main></body></html>\n"
        )
        response: Response = Response(body, status_code=404, media_type="text/html")
    else:
        response = _plain(404, f"Not found: nothing is known about <{iri}>.\n")
    return response


Build = Callable[[], list[ox.Quad]]
Page = Callable[[Request, Site, str, list[ox.Quad]], Response | Awaitable[Response]]
#: The HTML 404 page of the site, given the request and the unknown IRI.
Missing = Callable[[Request, Site, str], Response]


async def document(
    request: Request,
    site: Site,
    *,
    iri: str,
    url: str,
    extension: str | None,
    build: Build,
    page: Page,
    context: Mapping[str, Any] | None = None,
    key: str | None = None,
    missing_page: Missing | None = None,
) -> Response:
    """Answer for the document about ``iri`` served at ``url`` (no extension).

    ``build`` makes its statements (it runs in a worker thread: store calls
    block); none at all is a 404. ``page`` renders the HTML variant.
    ``missing_page`` is the HTML 404 (a plain one by default).
    ``context`` is the JSON-LD context. ``key`` names the document in its ETag
    (``iri`` by default). Headers: ``ETag``, ``Last-Modified``, ``Link`` to
    every variant, ``Content-Location`` (the variant's own URL) and ``Vary:
    Accept`` when the URL alone does not fix the variant.
    """
    want = wanted(request, extension)
    if want.error is not None:
        return finish(request, want.error)
    variant = want.variant
    assert variant is not None
    parts = [key or iri, variant.name]
    vary = ["Accept"] if want.negotiated else []
    if variant.html:
        # The page may be written in the reader's language (header or cookie).
        parts.append(request.headers.get("accept-language", ""))
        parts.append(request.cookies.get("lang", ""))
        vary.extend(("Accept-Language", "Cookie"))
    headers = {
        "ETag": site.etag(*parts),
        "Last-Modified": site.last_modified,
        "Link": alternates(url),
    }
    if extension is None:
        headers["Content-Location"] = f"{url}.{variant.extension}"
    if vary:
        headers["Vary"] = ", ".join(vary)
    if not_modified(request, headers["ETag"], headers["Last-Modified"]):
        return Response(status_code=304, headers=headers)
    quads = await run_in_threadpool(build)
    if not quads:
        if variant.html and missing_page is not None:
            missing = missing_page(request, site, iri)
        else:
            missing = not_found(site, variant, iri)
        if vary:
            missing.headers["Vary"] = headers["Vary"]
        return finish(request, missing)
    if variant.html:
        if inspect.iscoroutinefunction(page):
            rendered = await page(request, site, iri, quads)
        else:
            rendered = await run_in_threadpool(page, request, site, iri, quads)
        for name, value in rendered.headers.items():
            if name == "vary":
                vary.extend(v.strip() for v in value.split(",") if v.strip() not in vary)
                headers["Vary"] = ", ".join(vary)
            elif name not in ("content-length", "etag", "last-modified"):
                headers.setdefault(name, value)
        response = Response(bytes(rendered.body), status_code=rendered.status_code, headers=headers)
        if "content-type" not in response.headers:
            response.headers["Content-Type"] = "text/html; charset=utf-8"
        return finish(request, response)
    body = await run_in_threadpool(serialize_triples, quads, variant.name, context=context)
    media_type = variant.media_type
    if media_type.startswith("text/"):
        media_type += "; charset=utf-8"
    headers["Content-Type"] = media_type
    return finish(request, Response(body, headers=headers))


__all__ = [
    "HTML",
    "HTML_TYPES",
    "Variant",
    "Wanted",
    "alternates",
    "by_extension",
    "by_parameter",
    "choose",
    "document",
    "finish",
    "json_context",
    "not_found",
    "not_modified",
    "offered_types",
    "split_extension",
    "variants",
    "wanted",
]
