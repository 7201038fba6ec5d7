"""Routes of the server: ld (see :mod:`actorgraph.serve`).

A stand-in until the linked-data routes land: every other path is read as a
project IRI and answered as an HTML page (:func:`.pages.render_entity`), or as
Turtle, JSON-LD or N-Triples when it ends with ``.ttl``, ``.jsonld`` or
``.nt``. No content negotiation yet.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from ..rdf import by_extension, serialize_triples
from .site import Site, description


def routes(site: Site) -> list[BaseRoute]:
    """The routes this module serves."""
    from .pages import not_found_page, render_entity

    def entity(request: Request) -> Response:
        path = request.url.path
        fmt = None
        stem, dot, ext = path.rpartition(".")
        if dot and "/" not in ext and by_extension(ext) is not None:
            path, fmt = stem, by_extension(ext)
        iri = site.iri(path)
        quads = description(site.store, iri)
        if fmt is not None:
            if not quads:
                return Response(status_code=404)
            body = serialize_triples([q.triple for q in quads], fmt.name)
            return Response(body, media_type=fmt.media_type)
        if not quads and path.strip("/") != "ontology":
            return not_found_page(request, site)
        return render_entity(request, site, iri, quads)

    return [Route("/{rest:path}", entity)]
