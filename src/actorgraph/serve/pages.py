"""Routes of the server: the pages people read (see :mod:`actorgraph.serve`).

:func:`render_entity` is the HTML document of any project IRI; the
linked-data routes (:mod:`.ld`) call it when content negotiation picks HTML.
"""

from __future__ import annotations

from html import escape

import pyoxigraph as ox
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import BaseRoute

from .site import Site


def _term(site: Site, term: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple) -> str:
    if isinstance(term, ox.NamedNode):
        href = escape(site.url(term.value))
        return f'<a href="{href}">{escape(term.value)}</a>'
    if isinstance(term, ox.Literal):
        lang = f' lang="{escape(term.language)}"' if term.language else ""
        return f"<span{lang}>{escape(term.value)}</span>"
    return escape(str(term))


def render_entity(request: Request, site: Site, iri: str, quads: list[ox.Quad]) -> Response:
    """The HTML page of ``iri``: each statement of its description with its
    named graph (every value HTML-escaped)."""
    rows = "\n".join(
        f"<tr><td>{_term(site, q.subject)}</td><td>{_term(site, q.predicate)}</td>"
        f"<td>{_term(site, q.object)}</td><td>{_term(site, q.graph_name)}</td></tr>"
        for q in quads
    )
    body = (
        '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{escape(iri)}</title></head><body><main><h1>{escape(iri)}</h1>"
        "<table><thead><tr><th>subject</th><th>property</th><th>value</th><th>graph</th>"
        f"</tr></thead><tbody>\n{rows}\n</tbody></table></main></body></html>\n"
    )
    return HTMLResponse(body)


def routes(site: Site) -> list[BaseRoute]:
    """The routes this module serves."""
    return []


__all__ = ["render_entity", "routes"]
