"""Routes of the server: the pages people read (see :mod:`actorgraph.serve`).

=====================================  ===========================================
``/``                                  what the graph holds, where to start
``/search?q=…&kind=…``                 names and titles, case and accents ignored
``/queries``, ``/queries/<name>``      the question catalogue as forms; results
                                       as a table, ``/queries/<name>.csv|.json``
``/network``, ``/network.svg``         the partnership network: measures, picture
``/network/<slug>.svg``                one organisation's neighbourhood
``/territory``, ``/territory/<code>``  régions and départements; a territory by
                                       INSEE code (redirects to its page)
``/static/…``                          the style sheet and icon
=====================================  ===========================================

The pages of the project's IRIs (``/id/…``, ``/ontology``, ``/graph/…``) are
the linked-data routes' (:mod:`.ld`): they call :func:`render_entity` when
content negotiation picks HTML, and :func:`not_found_page` for a 404.
Territories are the gazetteer's ``agc:commune-<code>``, ``agc:departement-<code>``
and ``agc:region-<code>`` concepts, so their pages are ``/id/concept/…``.

Pages are Jinja2 templates with autoescaping on, in French or English
(:mod:`.i18n`), work without JavaScript and load nothing from another site.
"""

from __future__ import annotations

import logging
import shutil
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pyoxigraph as ox
from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup
from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

from ..catalogue import Query, catalogue
from ..errors import ActorGraphError, QueryError
from ..namespaces import ORG_ID, PROJECT_ID
from ..query import bind, render, short, unknown_entities
from ..store.sparql import query_form, service_endpoints
from ..store.workers import FORMATS as ANSWER_FORMATS
from . import entities as E
from .derived import (
    AG,
    KIND_ORDER,
    ONTOLOGY,
    counts,
    derived,
    draw_svg,
    network_of,
    organisation_classes_of,
    picture_source,
    project_organisations,
    search_index_of,
)
from .i18n import COOKIE, LANGUAGES, PARAM, Translator, choose_language
from .site import Site

log = logging.getLogger(__name__)

HERE = Path(__file__).parent
TEMPLATES = HERE / "templates"
STATIC = HERE / "static"

ENV = Environment(
    loader=FileSystemLoader(TEMPLATES),
    autoescape=True,
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)


def web_href(href: str) -> bool:
    """Whether a link may point at ``href``: a web address, an e-mail address
    or telephone number, or one of the site's own paths; never
    ``javascript:``, ``data:`` or another scheme an IRI of the data (or of a
    query's answer) may hold.

    >>> web_href("https://w3id.org/actorgraph/"), web_href("/search"), web_href("javascript:alert(1)")
    (True, True, False)
    """
    return href.lower().startswith(("http://", "https://", "mailto:", "tel:", "/", "#", "?"))


#: Every link of every page goes through the ``link`` macro, which asks this.
ENV.tests["web_href"] = web_href

#: The RDF formats each entity page offers as ``<link rel="alternate">``.
ALTERNATES = (
    ("ttl", "text/turtle", "Turtle"),
    ("jsonld", "application/ld+json", "JSON-LD"),
    ("nt", "application/n-triples", "N-Triples"),
)
#: Organisations drawn at most in the network picture (the most central).
PICTURE_LIMIT = 500
PICTURE_TOP = 300
#: Rows of the measures table at most.
MEASURES_SHOWN = 500
#: Downloads of a catalogue answer, by the form of its query.
DOWNLOADS = {
    "SELECT": ("csv", "json"),
    "ASK": ("csv", "json"),
    "CONSTRUCT": ("ttl", "nt"),
    "DESCRIBE": ("ttl", "nt"),
}


# ---------------------------------------------------------------- frame


def language(request: Request) -> str:
    return choose_language(
        request.query_params.get(PARAM),
        request.cookies.get(COOKIE),
        request.headers.get("accept-language"),
    )


def _switch_href(request: Request, site: Site, other: str) -> str:
    items = [(k, v) for k, v in request.query_params.multi_items() if k != PARAM]
    items.append((PARAM, other))
    return site.base_url + request.url.path.lstrip("/") + "?" + urlencode(items)


def render_page(
    request: Request,
    site: Site,
    template: str,
    title: str,
    *,
    status: int = 200,
    lang: str | None = None,
    alternates: list[dict[str, str]] | None = None,
    jsonld: str | None = None,
    quick_search: bool = True,
    **context: Any,
) -> HTMLResponse:
    """A page of ``template`` in the request's language."""
    lang = lang or language(request)
    other = next(x for x in LANGUAGES if x != lang)
    html = ENV.get_template(template).render(
        t=Translator(lang),
        lang=lang,
        other=other,
        switch_href=_switch_href(request, site, other),
        href=lambda path: site.base_url + path.lstrip("/"),
        title=title,
        alternates=alternates or [],
        jsonld=Markup(jsonld) if jsonld else None,
        quick_search=quick_search,
        **context,
    )
    response = HTMLResponse(html, status_code=status)
    response.headers["Content-Language"] = lang
    response.headers["Vary"] = "Accept-Language, Cookie"
    if request.query_params.get(PARAM) in LANGUAGES:
        response.set_cookie(COOKIE, lang, max_age=365 * 24 * 3600, samesite="lax")
    return response


def not_found_page(request: Request, site: Site, message: str | None = None) -> HTMLResponse:
    """The 404 page, in the request's language, saying ``message``."""
    t = Translator(language(request))
    return render_page(
        request,
        site,
        "message.html",
        t("not_found"),
        status=404,
        heading=t("not_found"),
        message=message or t("not_found_text"),
        hint=None,
    )


def error_page(request: Request, site: Site, exc: ActorGraphError) -> HTMLResponse:
    """An expected error, with the HTTP status its kind means."""
    t = Translator(language(request))
    return render_page(
        request,
        site,
        "message.html",
        t("error"),
        status=exc.http_status,
        heading=t("error"),
        message=exc.message,
        hint=exc.hint,
    )


# ---------------------------------------------------------------- entity pages


def alternates_of(site: Site, iri: str) -> list[dict[str, str]]:
    """The RDF documents of ``iri``'s page (its address with each format's extension)."""
    url = site.url(iri.split("#", 1)[0])
    return [
        {"type": media, "href": f"{url}.{ext}", "label": label} for ext, media, label in ALTERNATES
    ]


def render_entity(request: Request, site: Site, iri: str, quads: list[ox.Quad]) -> Response:
    """The HTML page of ``iri``: a page made for its type (organisation,
    project, resource, concept, vocabulary, territory, the ontology), else
    each statement of ``quads`` with its property's name and its named graph.
    Every value is HTML-escaped."""
    lang = language(request)
    page = E.Page(site, lang)
    try:
        return _render_entity(request, site, page, iri, quads)
    except ActorGraphError as exc:
        return error_page(request, site, exc)


def _render_entity(
    request: Request, site: Site, page: E.Page, iri: str, quads: list[ox.Quad]
) -> Response:
    node = ox.NamedNode(iri)
    types = {
        q.object.value
        for q in quads
        if q.subject == node and q.predicate.value == E.TYPE and isinstance(q.object, ox.NamedNode)
    } or E.types_of(site.store, iri)
    common: dict[str, Any] = {"lang": page.lang, "alternates": alternates_of(site, iri)}
    if iri == ONTOLOGY:
        doc = E.ontology(page)
        return render_page(request, site, "ontology.html", doc["title"].value, doc=doc, **common)
    if not quads and not types:
        return not_found_page(request, site)
    card_kind = _card_kind(site, iri, types)
    if card_kind is not None:
        template, make = card_kind
        card = make(page, iri)
        return render_page(
            request,
            site,
            template,
            card["title"].value,
            card=card,
            jsonld=card.get("jsonld"),
            **common,
        )
    graphs = [
        q.graph_name.value
        for q in quads
        if q.subject == node and isinstance(q.graph_name, ox.NamedNode)
    ]
    card = {
        "iri": iri,
        "title": page.name(iri),
        **E.generic(page, iri, quads),
        "remarks": E.remarks(page, iri, graphs),
    }
    return render_page(request, site, "entity.html", card["title"].value, card=card, **common)


def _card_kind(
    site: Site, iri: str, types: set[str]
) -> tuple[str, Callable[[E.Page, str], dict[str, Any]]] | None:
    """The template and card of an entity of ``types``, the most specific
    first; None for the generic list of statements."""
    if types & organisation_classes_of(site) or (
        iri.startswith(str(ORG_ID)) and "#" not in iri and types
    ):
        return "organisation.html", E.organisation
    if types & {AG + "Project", AG + "Programme"}:
        return "project.html", E.project
    if AG + "Resource" in types:
        return "resource.html", E.resource
    if E.SKOS + "ConceptScheme" in types:
        return "scheme.html", E.scheme
    if types & set(E.LEVELS):
        return "territory.html", E.territory
    if E.SKOS + "Concept" in types:
        return "concept.html", E.concept
    return None


def render_ontology(request: Request, site: Site) -> Response:
    """The documentation of the ontology (its IRI's HTML page)."""
    return render_entity(request, site, ONTOLOGY, [])


# ---------------------------------------------------------------- home and search


def home(request: Request, site: Site) -> Response:
    lang = language(request)
    page = E.Page(site, lang)
    numbers = derived(site).get(site.version, "counts", lambda: counts(site.store))
    actors = sorted(
        derived(site).get(site.version, "actors", lambda: project_organisations(site.store))
    )
    actors = [a for a in actors if "#" not in a]
    page.load_names(actors)
    links = sorted((page.link(a) for a in actors[:200]), key=lambda link: E.sort_key(link.text))
    return render_page(
        request,
        site,
        "home.html",
        Translator(lang)("home"),
        lang=lang,
        counts=numbers,
        actors=links,
        vocabularies=E.schemes(page),
        quick_search=False,
    )


def search(request: Request, site: Site) -> Response:
    lang = language(request)
    t = Translator(lang)
    q = request.query_params.get("q", "").strip()[:200]
    kind = request.query_params.get("kind", "")
    if kind not in KIND_ORDER:
        kind = ""
    hits: list[dict[str, Any]] = []
    total = 0
    if q:
        index = search_index_of(site)
        total, found = index.search(q, kind or None)
        for hit in found:
            name = hit.entry.name(lang)
            hits.append(
                {
                    "link": E.Link(
                        site.url(hit.entry.iri), name, _lang_of(hit.entry, name), hit.entry.iri
                    ),
                    "kind": hit.entry.kind,
                    "level": hit.entry.level,
                    "code": hit.entry.code if hit.entry.kind == "territory" else "",
                    "matched": hit.label if hit.label != name else "",
                }
            )
    title = t("results_for", q=q) if q else t("search")
    return render_page(
        request,
        site,
        "search.html",
        title,
        lang=lang,
        q=q,
        kind=kind,
        kinds=KIND_ORDER,
        hits=hits,
        total=total,
        quick_search=False,
    )


def _lang_of(entry: Any, name: str) -> str:
    for text, tag in entry.names:
        if text == name:
            return str(tag)
    return ""


# ---------------------------------------------------------------- catalogue


def _catalogue(site: Site) -> dict[str, Query]:
    if site.project is None:
        return {}
    project = site.project
    return derived(site).get(
        site.version, "catalogue", lambda: {q.name: q for q in catalogue(project.queries_dir)}
    )


def queries(request: Request, site: Site) -> Response:
    lang = language(request)
    t = Translator(lang)
    items = [
        {"name": q.name, "summary": q.summary_in(lang), "params": q.params, "role": q.role}
        for q in _catalogue(site).values()
    ]
    groups = [
        (t("reports"), [i for i in items if i["role"] != "violation"]),
        (t("checks"), [i for i in items if i["role"] == "violation"]),
    ]
    return render_page(request, site, "queries.html", t("catalogue"), lang=lang, groups=groups)


_SLOTS: dict[int, threading.BoundedSemaphore] = {}


def _slots(site: Site) -> threading.BoundedSemaphore:
    return _SLOTS.setdefault(
        id(site), threading.BoundedSemaphore(max(1, site.settings.query_slots))
    )


def query_page(request: Request, site: Site) -> Response:
    lang = language(request)
    t = Translator(lang)
    name = request.path_params["name"]
    fmt = None
    for ext in ("csv", "json", "ttl", "nt"):
        if name.endswith("." + ext):
            name, fmt = name[: -len(ext) - 1], ext
    query = _catalogue(site).get(name)
    if query is None:
        return not_found_page(request, site, t("query_not_found", name=name))

    params = {p.name: p for p in query.params}
    given = {
        key[2:]: value.strip()
        for key, value in request.query_params.items()
        if key.startswith("p.") and value.strip()
    }
    if fmt is None:
        for p in query.params:
            if p.name == "lang" and p.type == "string" and "lang" not in given:
                given["lang"] = lang
    run = fmt is not None or "run" in request.query_params
    errors: list[str] = []
    bad: set[str] = set()
    services = service_endpoints(query.text)
    result = None
    if run:
        for unknown in sorted(set(given) - set(params)):
            errors.append(QueryError(f"unknown parameter ?{unknown}").message)
        for p in query.params:
            if p.required and p.name not in given:
                errors.append(t("missing_param", name=p.name))
                bad.add(p.name)
        refused = [s for s in services if s not in site.settings.services]
        errors += [t("service_refused", service=s) for s in refused]
        bindings: dict[str, Any] = {}
        if not errors:
            try:
                bindings = bind(query, {k: v for k, v in given.items() if k in params})
            except QueryError as exc:
                errors.append(exc.message)
                bad.update(n for n in params if f"?{n}" in exc.message)
        if not errors:
            notes = unknown_entities(site.store, query, bindings)
            errors += notes
            bad.update(n for n in params if any(n in note for note in notes))
        if not errors:
            try:
                with _slots(site):
                    answer = site.store.answer(
                        query.text,
                        bindings,
                        limit=site.settings.result_cap,
                        timeout=site.settings.query_timeout,
                    )
            except ActorGraphError as exc:
                if fmt:
                    return PlainTextResponse(exc.message + "\n", status_code=exc.http_status)
                return _query_form(
                    request,
                    site,
                    query,
                    lang,
                    given,
                    bad,
                    [exc.message],
                    services,
                    None,
                    exc.http_status,
                )
            if fmt:
                if fmt not in DOWNLOADS[answer.form]:
                    return PlainTextResponse(
                        f"no {fmt} for a {answer.form} query\n", status_code=400
                    )
                body = render(answer, fmt)
                assert isinstance(body, bytes)
                return Response(
                    body,
                    media_type=ANSWER_FORMATS[fmt][0],
                    headers={"Content-Disposition": f'attachment; filename="{query.name}.{fmt}"'},
                )
            result = _result(site, query, answer, bindings, given)
        elif fmt:
            return PlainTextResponse("\n".join(errors) + "\n", status_code=400)
    status = 400 if errors else 200
    return _query_form(request, site, query, lang, given, bad, errors, services, result, status)


def _query_form(
    request: Request,
    site: Site,
    query: Query,
    lang: str,
    given: dict[str, str],
    bad: set[str],
    errors: list[str],
    services: list[str],
    result: dict[str, Any] | None,
    status: int,
) -> HTMLResponse:
    page = E.Page(site, lang)
    fields = []
    for p in query.params:
        value = given.get(p.name, "")
        fields.append(
            {
                "name": p.name,
                "type": p.type,
                "description": p.description,
                "example": p.example or "",
                "default": p.default,
                "required": p.required,
                "value": value,
                "error": p.name in bad,
                "datalist": _datalist(page, p.type),
            }
        )
    return render_page(
        request,
        site,
        "query.html",
        query.name,
        status=status,
        lang=lang,
        query=query,
        summary=query.summary_in(lang),
        fields=fields,
        errors=errors,
        services=services,
        result=result,
    )


def _datalist(page: E.Page, kind: str) -> list[tuple[str, str]]:
    """Suggestions for a parameter naming an organisation or a project of the project's sources."""
    site = page.site
    if kind == "organisation":
        iris = sorted(
            i
            for i in derived(site).get(
                site.version, "actors", lambda: project_organisations(site.store)
            )
            if "#" not in i
        )
        namespace = str(ORG_ID)
    elif kind == "project":
        rows = site.store.select(
            E.P + "SELECT DISTINCT ?p WHERE { ?p a ?t VALUES ?t { ag:Project ag:Programme } }"
        )
        iris = sorted(r["p"].value for r in rows if r["p"].value.startswith(str(PROJECT_ID)))
        namespace = str(PROJECT_ID)
    else:
        return []
    iris = iris[:500]
    page.load_names(iris)
    return [(i[len(namespace) :], page.name(i).value) for i in iris if i.startswith(namespace)]


def result_cell(site: Site, term: Any) -> E.Link | E.Text | None:
    """A term of a query's answer as a table shows it: an IRI as a link
    (under its CURIE), a literal as its text; None for an unbound variable."""
    if term is None:
        return None
    if isinstance(term, ox.NamedNode):
        return E.Link(site.url(term.value), short(term), "", term.value)
    if isinstance(term, ox.Literal):
        return E.Text(term.value, term.language or "")
    return E.Text(short(term))


def _result(
    site: Site, query: Query, answer: Any, bindings: dict[str, Any], given: dict[str, str]
) -> dict[str, Any]:
    def cell(term: Any) -> E.Link | E.Text | None:
        return result_cell(site, term)

    if answer.form in ("CONSTRUCT", "DESCRIBE"):
        columns = ["subject", "predicate", "object"]
        rows = [[cell(tr.subject), cell(tr.predicate), cell(tr.object)] for tr in answer.triples]
    else:
        columns = [v for v in answer.variables if v not in bindings] or list(answer.variables)
        rows = [[cell(row.get(v)) for v in columns] for row in answer.rows]
    query_string = urlencode([(f"p.{k}", v) for k, v in sorted(given.items())])
    downloads = [
        (
            ext.upper(),
            site.base_url
            + f"queries/{query.name}.{ext}"
            + (f"?{query_string}" if query_string else ""),
        )
        for ext in DOWNLOADS[answer.form]
    ]
    return {
        "columns": columns,
        "rows": rows,
        "truncated": answer.truncated,
        "boolean": answer.boolean if answer.form == "ASK" else None,
        "downloads": downloads,
        "form": query_form(query.text),
    }


# ---------------------------------------------------------------- network


def network_page(request: Request, site: Site) -> Response:
    lang = language(request)
    t = Translator(lang)
    net, measures = network_of(site)
    page = E.Page(site, lang)
    ranked = measures.ranking("pagerank")[:MEASURES_SHOWN]
    rows = []
    for iri in ranked:
        node, m = net.nodes[iri], measures.nodes[iri]
        rows.append(
            {
                "link": E.Link(site.url(iri), node.label, "fr" if node.name else "", iri),
                "kind": node.kind_label(lang),
                "degree": m.degree,
                "weighted_degree": m.weighted_degree,
                "betweenness": round(m.betweenness, 4),
                "pagerank": round(m.pagerank, 4),
                "community": m.community,
                "articulation": m.articulation,
            }
        )
    del page
    return render_page(
        request,
        site,
        "network.html",
        t("network_title"),
        lang=lang,
        counts={
            "nodes": len(net.nodes),
            "edges": len(net.edges),
            "communities": measures.communities,
        }
        if net.nodes
        else None,
        picture=bool(net.nodes) and shutil.which("sfdp") is not None,
        rows=rows,
    )


def _svg_response(svg: bytes | None, request: Request, site: Site) -> Response:
    if svg is None:
        return PlainTextResponse(
            Translator(language(request))("network_no_picture") + "\n", status_code=503
        )
    return Response(svg, media_type="image/svg+xml", headers={"Vary": "Accept-Language, Cookie"})


def network_svg(request: Request, site: Site) -> Response:
    lang = language(request)
    net, measures = network_of(site)
    if not net.nodes:
        return not_found_page(request, site)

    def build() -> bytes | None:
        from ..network import most_central

        view = net
        if len(net.nodes) > PICTURE_LIMIT:
            view = net.subnetwork(set(most_central(net, measures, PICTURE_TOP)))
        return draw_svg(picture_source(site, view, measures, lang, total=len(net.nodes)))

    return _svg_response(
        derived(site).get(site.version, f"network-svg-{lang}", build), request, site
    )


def ego_svg(request: Request, site: Site) -> Response:
    from ..network import neighbourhood

    lang = language(request)
    iri = str(ORG_ID) + request.path_params["slug"]
    net, measures = network_of(site)
    if iri not in net.nodes:
        return not_found_page(request, site)
    cache = derived(site)
    key = (iri, lang)
    with cache._lock:
        svg = cache.pictures.get(key)
        if svg is not None:
            cache.pictures.move_to_end(key)
    if svg is None:
        view = net.subnetwork(neighbourhood(net, iri, 1))
        svg = draw_svg(picture_source(site, view, measures, lang, total=len(net.nodes)))
        with cache._lock:
            cache.pictures[key] = svg
            while len(cache.pictures) > 64:
                cache.pictures.popitem(last=False)
    return _svg_response(svg, request, site)


# ---------------------------------------------------------------- territories


def territory_index(request: Request, site: Site) -> Response:
    lang = language(request)
    page = E.Page(site, lang)
    card = E.territory_index(page)
    return render_page(
        request, site, "territory_index.html", page.t("territories"), lang=lang, card=card
    )


def territory_by_code(request: Request, site: Site) -> Response:
    """The page of the territory with this INSEE code (a choice when a
    région and a département share it)."""
    code = request.path_params["code"].strip()
    found = E.territories_by_code(site.store, code)
    if len(found) == 1:
        return RedirectResponse(site.url(found[0]), status_code=303)
    if not found:
        return not_found_page(request, site)
    lang = language(request)
    page = E.Page(site, lang)
    page.load_names(found)
    choices = [(page.link(i), E.territory_level(E.types_of(site.store, i))) for i in found]
    return render_page(
        request,
        site,
        "territory_choice.html",
        page.t("territory_choose", code=code),
        lang=lang,
        code=code,
        choices=choices,
    )


# ---------------------------------------------------------------- routes


def routes(site: Site) -> list[BaseRoute]:
    """The routes this module serves."""

    def handler(function: Any) -> Any:
        def endpoint(request: Request) -> Response:
            try:
                return function(request, site)
            except ActorGraphError as exc:
                return error_page(request, site, exc)

        endpoint.__name__ = function.__name__
        return endpoint

    return [
        Route("/", handler(home), name="home"),
        Route("/search", handler(search), name="search"),
        Route("/queries", handler(queries), name="queries"),
        Route("/queries/{name}", handler(query_page), name="query"),
        Route("/network", handler(network_page), name="network"),
        Route("/network.svg", handler(network_svg), name="network-svg"),
        Route("/network/{slug}.svg", handler(ego_svg), name="ego-svg"),
        Route("/territory", handler(territory_index), name="territories"),
        Route("/territory/{code}", handler(territory_by_code), name="territory"),
        Mount("/static", app=StaticFiles(directory=STATIC), name="static"),
    ]


__all__ = [
    "ENV",
    "error_page",
    "language",
    "not_found_page",
    "render_entity",
    "render_ontology",
    "render_page",
    "routes",
]
