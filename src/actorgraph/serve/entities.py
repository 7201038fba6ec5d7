"""What an entity page shows, read from the store: organisation cards,
projects, resources, concepts and vocabularies, territories, the ontology.

Each function asks the store through the port (a few SELECTs, the IRI bound
by the engine, never pasted into the text) and returns plain values for the
templates: :class:`Link` (an address and its text in some language) and
:class:`Text` (a literal). Nothing here writes HTML: the templates escape
every value.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pyoxigraph as ox

from ..namespaces import BASE, GRAPH, PREFIXES, curie, sparql_prefixes
from ..slug import fold
from .derived import AG, ONTOLOGY, REFERENCE, derived
from .i18n import Translator, pick

if TYPE_CHECKING:
    from .site import Site

P = sparql_prefixes()

RDF = PREFIXES["rdf"]
RDFS = PREFIXES["rdfs"]
SKOS = PREFIXES["skos"]
SCHEMA = PREFIXES["schema"]
DCTERMS = PREFIXES["dcterms"]
PROV = PREFIXES["prov"]
OWL = PREFIXES["owl"]
FOAF = PREFIXES["foaf"]
ORG = PREFIXES["org"]
IGEO = PREFIXES["igeo"]
WD = PREFIXES["wd"]
XSD = PREFIXES["xsd"]

TYPE = RDF + "type"
#: Label properties, in the order a name is taken from them.
NAME_PROPERTIES = (
    SKOS + "prefLabel",
    IGEO + "nom",
    RDFS + "label",
    DCTERMS + "title",
    SCHEMA + "name",
    SKOS + "altLabel",
    SKOS + "hiddenLabel",
)
_NAME_LIST = ", ".join(str(ox.NamedNode(p)) for p in NAME_PROPERTIES)
#: Most values listed under one heading on a page (the rest are counted).
LIST_LIMIT = 300

ANNUAIRE = "https://annuaire-entreprises.data.gouv.fr/entreprise/"
INSEE_DOSSIER = "https://www.insee.fr/fr/statistiques/2011101?geo="
WIKIDATA_PAGE = "https://www.wikidata.org/wiki/"


@dataclass(frozen=True)
class Text:
    """A literal's text, and its language tag (empty when it has none)."""

    value: str
    lang: str = ""
    datatype: str = ""

    @classmethod
    def of(cls, lit: ox.Literal) -> Text:
        return cls(lit.value, lit.language or "", "" if lit.language else lit.datatype.value)


@dataclass(frozen=True)
class Link:
    """An address to follow and its text (with the text's language, if any)."""

    href: str
    text: str
    lang: str = ""
    iri: str = ""
    #: Whether the address is another site's.
    external: bool = False


@dataclass
class Fact:
    """A value and the sources (links to their pages) of the graphs stating it."""

    value: Link | Text
    sources: list[Link] = field(default_factory=list)


def literal_or_iri(term: Any) -> str:
    return term.value if hasattr(term, "value") else str(term)


def chunks(items: Sequence[str], size: int = 400) -> Iterable[Sequence[str]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


def values_block(iris: Iterable[str]) -> str:
    """``<a> <b> …``: IRIs serialised by pyoxigraph (so escaped as N-Triples)."""
    return " ".join(str(ox.NamedNode(i)) for i in iris)


class Page:
    """What every entity function needs: the site, the language, and the names
    of the IRIs it links to (looked up in batches)."""

    def __init__(self, site: Site, lang: str) -> None:
        self.site = site
        self.lang = lang
        self.t = Translator(lang)
        self.store = site.store
        self._names: dict[str, dict[str, list[ox.Literal]]] = {}

    # ---- names ---------------------------------------------------------
    def load_names(self, iris: Iterable[str]) -> None:
        """Look up the labels of ``iris`` not looked up yet."""
        wanted = sorted({i for i in iris if i and i not in self._names})
        for part in chunks(wanted):
            for iri in part:
                self._names[iri] = {}
            # a FILTER on the property, not a second VALUES block: joining two
            # blocks made the engine take 300 times as long
            rows = self.store.select(
                f"""SELECT ?x ?p ?l WHERE {{
                  VALUES ?x {{ {values_block(part)} }}
                  ?x ?p ?l .
                  FILTER (isLiteral(?l) && ?p IN ({_NAME_LIST})) }}"""
            )
            for row in rows:
                self._names[row["x"].value].setdefault(row["p"].value, []).append(row["l"])

    def name(self, iri: str) -> Text:
        """The name of ``iri`` in the page's language, as its data gives it."""
        if iri not in self._names:
            self.load_names([iri])
        found = self._names.get(iri, {})
        for prop in NAME_PROPERTIES:
            if prop in found:
                lit = pick(found[prop], self.lang)
                if lit is not None:
                    return Text.of(lit)
        if iri.startswith(AG):
            labels = derived(self.site).get(self.site.version, "terms", self._term_labels)
            lit = pick(labels.get(iri, []), self.lang)
            if lit is not None:
                return Text.of(lit)
        return Text(short_name(iri))

    def _term_labels(self) -> dict[str, list[ox.Literal]]:
        from .derived import term_labels

        return term_labels(self.store)

    def link(self, iri: str, text: Text | str | None = None) -> Link:
        """A link to ``iri``'s page (another site's address as it is)."""
        if text is None:
            text = self.name(iri)
        if isinstance(text, str):
            text = Text(text)
        href = self.site.url(iri)
        return Link(href, text.value, text.lang, iri, external=not iri.startswith(BASE))

    def term(self, term: Any) -> Link | Text:
        """A link for an IRI, a text for a literal."""
        if isinstance(term, ox.NamedNode):
            return self.link(term.value)
        if isinstance(term, ox.Literal):
            return Text.of(term)
        return Text(str(term))

    # ---- sources -------------------------------------------------------
    def graph_sources(self) -> dict[str, list[str]]:
        """The sources (``prov:wasDerivedFrom``) of each named graph."""

        def build() -> dict[str, list[str]]:
            rows = self.store.select(
                P
                + f"""SELECT DISTINCT ?g ?src WHERE {{ ?g prov:wasDerivedFrom ?src
                  FILTER (STRSTARTS(STR(?g), "{GRAPH}")) }} ORDER BY ?g ?src"""
            )
            out: dict[str, list[str]] = {}
            for row in rows:
                out.setdefault(row["g"].value, []).append(row["src"].value)
            return out

        return derived(self.site).get(self.site.version, "graph-sources", build)

    def source_links(self, graphs: Iterable[str]) -> list[Link]:
        sources = self.graph_sources()
        out: list[Link] = []
        for g in sorted(set(graphs)):
            found = sources.get(g)
            links = [self.link(src) for src in found] if found else [self.link(g, short_name(g))]
            out += [link for link in links if link not in out]
        return out


def short_name(iri: str) -> str:
    """A readable stand-in for a name: a CURIE, or the last part of the IRI.

    >>> short_name("https://w3id.org/actorgraph/id/organisation/fing")
    'fing'
    >>> short_name("https://schema.org/foundingDate")
    'schema:foundingDate'
    """
    if iri.startswith(BASE + "id/"):
        return iri.rsplit("/", 1)[-1]
    return curie(iri, strict=False) or iri


def sort_key(text: str) -> str:
    """Names sorted as a reader expects: accents and case aside.

    >>> sorted(["Île-de-France", "Occitanie", "Bretagne"], key=sort_key)
    ['Bretagne', 'Île-de-France', 'Occitanie']
    """
    return fold(text)


def slug(iri: str) -> str:
    return iri.rstrip("/").rsplit("/", 1)[-1]


# ---------------------------------------------------------------- statements


def types_of(store: Any, iri: str) -> set[str]:
    rows = store.select("SELECT DISTINCT ?x ?t WHERE { ?x a ?t }", {"x": ox.NamedNode(iri)})
    return {row["t"].value for row in rows if isinstance(row["t"], ox.NamedNode)}


def statements(store: Any, iri: str) -> list[tuple[str, Any, str]]:
    """``(property, value, graph)`` of every statement whose subject is ``iri``."""
    rows = store.select(
        "SELECT ?x ?p ?o ?g WHERE { GRAPH ?g { ?x ?p ?o } }", {"x": ox.NamedNode(iri)}, union=False
    )
    return sorted(
        ((row["p"].value, row["o"], row["g"].value) for row in rows),
        key=lambda s: (s[0], str(s[1]), s[2]),
    )


class Statements:
    """One subject's statements, by property."""

    def __init__(self, items: list[tuple[str, Any, str]]) -> None:
        self.items = items
        self.by_property: dict[str, list[tuple[Any, str]]] = {}
        for p, o, g in items:
            self.by_property.setdefault(p, []).append((o, g))

    def values(self, prop: str) -> list[Any]:
        seen: list[Any] = []
        for o, _ in self.by_property.get(prop, []):
            if o not in seen:
                seen.append(o)
        return seen

    def iris(self, prop: str) -> list[str]:
        return [o.value for o in self.values(prop) if isinstance(o, ox.NamedNode)]

    def literals(self, prop: str) -> list[ox.Literal]:
        return [o for o in self.values(prop) if isinstance(o, ox.Literal)]

    def first(self, prop: str) -> Any | None:
        found = self.values(prop)
        return found[0] if found else None

    def graphs(self) -> set[str]:
        return {g for _, _, g in self.items}

    def facts(self, page: Page, prop: str) -> list[Fact]:
        """Each value of ``prop`` with the sources of the graphs that state it."""
        by_value: dict[Any, list[str]] = {}
        for o, g in self.by_property.get(prop, []):
            by_value.setdefault(o, []).append(g)
        return [Fact(page.term(o), page.source_links(gs)) for o, gs in by_value.items()]

    def text(self, page: Page, prop: str) -> Text | None:
        lit = pick(self.literals(prop), page.lang)
        return Text.of(lit) if lit is not None else None


def property_label(page: Page, iri: str) -> str:
    """The name of a property: the ontology's label, a known one, or a CURIE."""
    if iri.startswith(AG):
        return page.name(iri).value
    known = KNOWN_PROPERTIES.get(iri)
    if known:
        return known[1] if page.lang == "fr" else known[0]
    return short_name(iri)


#: Names of the external properties the data uses most: (English, French).
KNOWN_PROPERTIES: dict[str, tuple[str, str]] = {
    TYPE: ("type", "type"),
    SKOS + "prefLabel": ("preferred name", "nom préféré"),
    SKOS + "altLabel": ("other name", "autre nom"),
    SKOS + "hiddenLabel": ("misspelling", "graphie fautive"),
    SKOS + "definition": ("definition", "définition"),
    SKOS + "note": ("note", "note"),
    SKOS + "inScheme": ("in vocabulary", "dans le vocabulaire"),
    SKOS + "broader": ("broader", "plus général"),
    SKOS + "narrower": ("narrower", "plus précis"),
    SKOS + "topConceptOf": ("top concept of", "concept de tête de"),
    SKOS + "hasTopConcept": ("top concept", "concept de tête"),
    SCHEMA + "description": ("description", "description"),
    SCHEMA + "foundingDate": ("founded", "fondation"),
    SCHEMA + "startDate": ("start", "début"),
    SCHEMA + "endDate": ("end", "fin"),
    SCHEMA + "url": ("address", "adresse"),
    SCHEMA + "email": ("email", "courriel"),
    DCTERMS + "title": ("title", "titre"),
    DCTERMS + "description": ("description", "description"),
    DCTERMS + "modified": ("updated", "mise à jour"),
    DCTERMS + "created": ("created", "création"),
    DCTERMS + "license": ("licence", "licence"),
    DCTERMS + "source": ("source", "source"),
    DCTERMS + "spatial": ("area", "territoire"),
    DCTERMS + "publisher": ("publisher", "éditeur"),
    DCTERMS + "creator": ("creator", "auteur"),
    DCTERMS + "conformsTo": ("conforms to", "conforme à"),
    PROV + "wasDerivedFrom": ("derived from", "provient de"),
    PROV + "wasGeneratedBy": ("generated by", "produit par"),
    OWL + "sameAs": ("same as", "identique à"),
    FOAF + "homepage": ("website", "site web"),
    ORG + "memberOf": ("member of", "membre de"),
    IGEO + "nom": ("name", "nom"),
    IGEO + "codeINSEE": ("INSEE code", "code INSEE"),
    IGEO + "sousDivisionDe": ("within", "subdivision de"),
    RDFS + "label": ("label", "libellé"),
    RDFS + "subClassOf": ("subclass of", "sous-classe de"),
    RDFS + "subPropertyOf": ("subproperty of", "sous-propriété de"),
    RDFS + "seeAlso": ("see also", "voir aussi"),
}


# ---------------------------------------------------------------- generic


@dataclass
class Row:
    subject: Link | Text
    property: Link
    value: Link | Text
    graph: Link | Text


#: Most statements a generic page lists (a source of a large sheet is the
#: object of thousands); its RDF versions hold them all.
GENERIC_ROWS = 500


def generic(
    page: Page, iri: str, quads: Sequence[ox.Quad], limit: int = GENERIC_ROWS
) -> dict[str, Any]:
    """The statements of ``quads`` (the first ``limit``) with each property's
    name and graph."""
    shown = list(quads[:limit])
    page.load_names(
        {q.subject.value for q in shown if isinstance(q.subject, ox.NamedNode)}
        | {q.object.value for q in shown if isinstance(q.object, ox.NamedNode)}
    )
    own = [q for q in shown if q.subject == ox.NamedNode(iri)]
    other = [q for q in shown if q.subject != ox.NamedNode(iri)]
    rows = [
        Row(
            page.term(q.subject),
            Link(
                page.site.url(q.predicate.value),
                property_label(page, q.predicate.value),
                "",
                q.predicate.value,
            ),
            page.term(q.object),
            page.link(q.graph_name.value, short_name(q.graph_name.value))
            if isinstance(q.graph_name, ox.NamedNode)
            else Text(""),
        )
        for q in own + other
    ]
    return {"rows": rows, "total": len(quads), "shown": len(shown)}


# ---------------------------------------------------------------- sources and validation


@dataclass
class SourceInfo:
    graph: Link
    source: Link | None
    statements: int
    title: Text | None = None
    modified: str = ""
    retrieved: str = ""
    sha256: str = ""
    file: str = ""
    url: Link | None = None
    licence: Link | None = None


def sources(page: Page, graph_counts: dict[str, int]) -> list[SourceInfo]:
    """Each named graph stating something about the entity, its source and the
    source's date, hash and file or address."""
    graph_sources = page.graph_sources()
    wanted = sorted({src for g in graph_counts for src in graph_sources.get(g, [])})
    page.load_names(wanted)
    details: dict[str, Statements] = {}
    if wanted:
        rows = page.store.select(
            f"SELECT ?s ?p ?o WHERE {{ VALUES ?s {{ {values_block(wanted)} }} ?s ?p ?o }}"
        )
        grouped: dict[str, list[tuple[str, Any, str]]] = {}
        for row in rows:
            grouped.setdefault(row["s"].value, []).append((row["p"].value, row["o"], ""))
        details = {s: Statements(items) for s, items in grouped.items()}
    out = []
    for g in sorted(graph_counts):
        found: list[str | None] = list(graph_sources.get(g, [])) or [None]
        for src in found:
            out.append(_source_info(page, g, src, graph_counts[g], details.get(src or "")))
    return out


def _source_info(
    page: Page, g: str, src: str | None, count: int, st: Statements | None
) -> SourceInfo:
    info = SourceInfo(page.link(g, short_name(g)), page.link(src) if src else None, count)
    if st is not None:
        info.title = st.text(page, DCTERMS + "title")
        info.modified = literal_or_iri(st.first(DCTERMS + "modified") or "")
        info.retrieved = literal_or_iri(st.first(AG + "retrieved") or "")
        info.sha256 = literal_or_iri(st.first(AG + "sha256") or "")
        info.file = literal_or_iri(st.first(AG + "fileName") or "")
        url = st.iris(SCHEMA + "url")
        info.url = (
            Link(page.site.url(url[0]), url[0], external=not url[0].startswith(BASE))
            if url
            else None
        )
        licence = st.iris(DCTERMS + "license")
        info.licence = Link(licence[0], licence[0], external=True) if licence else None
    return info


@dataclass
class Remark:
    severity: str
    path: str
    value: str
    message: str
    origin: str


def remarks(page: Page, iri: str, graphs: Iterable[str] = ()) -> list[Remark] | None:
    """The validation results about ``iri`` (and its ``#`` nodes), or None when
    the site cannot validate (no project files) or ``iri`` is stated only in
    the reference gazetteer (which validation leaves out)."""
    if page.site.project is None:
        return None
    graphs = set(graphs)
    if graphs and all(g.startswith(REFERENCE) for g in graphs):
        return None
    from .derived import validation_of

    by_focus = validation_of(page.site)
    from ..validation.report import short_path

    out = []
    for r in by_focus.get(iri.partition("#")[0], ()):
        if r.focus == iri or r.focus.startswith(iri + "#"):
            out.append(
                Remark(
                    r.severity,
                    short_path(r.path) if r.path else "",
                    r.value or "",
                    r.message(page.lang),
                    r.file or (short_name(r.graph) if r.graph else ""),
                )
            )
    return out


# ---------------------------------------------------------------- organisation


@dataclass
class PartnerItem:
    partner: Link
    kind: str
    written: str
    link: str


@dataclass
class RoleGroup:
    role: Link | None
    items: list[PartnerItem]


@dataclass
class ProjectGroup:
    project: Link | None
    leader: Link | None
    roles: list[RoleGroup]


@dataclass
class ResourceItem:
    link: Link
    truncated: bool
    kinds: list[Link]
    themes: list[Link]
    relation: str
    position: int | None


_PARTNERS = (
    P
    + """
SELECT DISTINCT ?x ?link ?partner ?project ?role ?written ?direction WHERE {
  { ?link ag:partnerOf ?x ; ag:partner ?partner . BIND ("to" AS ?direction) }
  UNION { ?project ag:leader ?x . ?link ag:inProject ?project ; ag:partner ?partner . BIND ("to" AS ?direction) }
  UNION { ?link ag:partner ?x ; ag:partnerOf ?partner . BIND ("of" AS ?direction) }
  UNION { ?link ag:partner ?x ; ag:inProject ?project . ?project ag:leader ?partner . BIND ("of" AS ?direction) }
  OPTIONAL { ?link ag:inProject ?project }
  OPTIONAL { ?link ag:role ?role }
  OPTIONAL { ?link ag:partnerName ?written }
}"""
)

_PROJECTS = (
    P
    + """
SELECT DISTINCT ?x ?project ?how ?role ?start ?end WHERE {
  { ?project ag:leader ?x . BIND ("leader" AS ?how) }
  UNION { ?link ag:partner ?x ; ag:inProject ?project . OPTIONAL { ?link ag:role ?role } BIND ("partner" AS ?how) }
  OPTIONAL { ?project schema:startDate ?start }
  OPTIONAL { ?project schema:endDate ?end }
}"""
)

_RESOURCES = (
    P
    + """
SELECT ?x ?r ?relation ?truncated ?position ?kind ?theme WHERE {
  { ?r ag:relatedActor ?x . BIND ("related" AS ?relation) }
  UNION { ?r dcterms:publisher ?x . BIND ("publisher" AS ?relation) }
  OPTIONAL { ?r ag:titleTruncated ?truncated }
  OPTIONAL { ?r ag:listPosition ?position }
  OPTIONAL { ?r ag:resourceKind ?kind }
  OPTIONAL { ?r ag:theme ?theme }
}"""
)

#: The register's authority (the organisation itself, or the one it is the
#: same as), the territory it governs and the EPCI it belongs to.
_PLACE = (
    P
    + """
SELECT DISTINCT ?x ?auth ?area ?epci WHERE {
  # not "?x owl:sameAs? ?auth": Oxigraph evaluates the zero-length path over
  # every node of the graph (0.4 s at 1M triples); each branch starts from ?x
  { ?x dcterms:spatial ?area BIND (?x AS ?auth) }
  UNION { ?x org:memberOf ?epci BIND (?x AS ?auth) }
  UNION { ?x owl:sameAs ?auth . ?auth dcterms:spatial ?area }
  UNION { ?x owl:sameAs ?auth . ?auth org:memberOf ?epci }
}"""
)

_MEMBERS = (
    P
    + """
SELECT DISTINCT ?x ?member ?area WHERE {
  { ?member org:memberOf ?x } UNION { ?x owl:sameAs ?e . ?member org:memberOf ?e }
  OPTIONAL { ?member dcterms:spatial ?area }
}"""
)

_SAME_AS_HERE = P + "SELECT DISTINCT ?x ?o WHERE { ?o owl:sameAs ?x }"


def kind_links(page: Page, types: Iterable[str]) -> list[Link]:
    """The ontology's kinds among ``types``, most specific first."""
    classes = derived(page.site).get(page.site.version, "org-classes", lambda: _org_classes(page))
    found = [t for t in types if t.startswith(AG)]
    # a class that is another's superclass is left out when both are there
    specific = [t for t in found if not any(t in classes.get(o, set()) for o in found if o != t)]
    return [page.link(t) for t in sorted(specific)]


def _org_classes(page: Page) -> dict[str, set[str]]:
    """Each class of the ontology and its superclasses."""
    rows = page.store.select(
        P + "SELECT ?c ?s WHERE { ?c rdfs:subClassOf+ ?s FILTER (isIRI(?c) && isIRI(?s)) }"
    )
    out: dict[str, set[str]] = {}
    for row in rows:
        out.setdefault(row["c"].value, set()).add(row["s"].value)
    return out


@dataclass
class Identifier:
    label: str
    value: str
    links: list[Link]
    sources: list[Link]


def _identifiers(page: Page, st: Statements, types: set[str]) -> list[Identifier]:
    t = page.t
    out: list[Identifier] = []

    def add(prop: str, label: str, links: Any) -> None:
        by_value: dict[str, list[str]] = {}
        for o, g in st.by_property.get(prop, []):
            by_value.setdefault(literal_or_iri(o), []).append(g)
        for value, graphs in by_value.items():
            out.append(Identifier(label, value, links(value), page.source_links(graphs)))

    add(
        AG + "siren",
        t("siren"),
        lambda v: [Link(ANNUAIRE + v, t("register_siren"), "fr", external=True)],
    )
    add(
        AG + "formerSiren",
        t("former_siren"),
        lambda v: [Link(ANNUAIRE + v, t("register_siren"), "fr", external=True)],
    )
    add(AG + "rna", t("rna"), lambda v: [])
    level = insee_level(types)
    add(
        AG + "inseeCode",
        t("insee_code"),
        lambda v: (
            [Link(INSEE_DOSSIER + f"{level}-{v}", t("register_insee"), "fr", external=True)]
            if level
            else []
        ),
    )
    for prop, label in (
        (AG + "territoryItem", "territory_item"),
        (AG + "institutionItem", "institution_item"),
    ):
        add(
            prop,
            t(label),
            lambda v: (
                [Link(WIKIDATA_PAGE + v.removeprefix(WD), v.removeprefix(WD), external=True)]
                if v.startswith(WD)
                else [Link(v, v, external=True)]
            ),
        )
    return out


def insee_level(types: Iterable[str]) -> str:
    """The INSEE code prefix of a body's territory (``COM``, ``DEP``, ``REG``), if known."""
    for t in types:
        if t in (AG + "Commune", IGEO + "Commune"):
            return "COM"
        if t in (AG + "Departement", IGEO + "Departement"):
            return "DEP"
        if t in (AG + "Region", IGEO + "Region"):
            return "REG"
    return ""


def organisation(page: Page, iri: str) -> dict[str, Any]:
    """The card of an organisation."""
    store, _t, x = page.store, page.t, {"x": ox.NamedNode(iri)}
    st = Statements(statements(store, iri))
    types = set(st.iris(TYPE))

    partner_rows = store.select(_PARTNERS, x)
    project_rows = store.select(_PROJECTS, x)
    resource_rows = store.select(_RESOURCES, x)
    place_rows = store.select(_PLACE, x)
    member_rows = store.select(_MEMBERS, x)
    same_here = [row["o"].value for row in store.select(_SAME_AS_HERE, x)]
    contact_iris = st.iris(AG + "contactPoint")
    contacts = [Statements(statements(store, c)) for c in contact_iris]

    page.load_names(
        [r["partner"].value for r in partner_rows]
        + [r[k].value for r in partner_rows for k in ("project", "role") if k in r]
        + [r["project"].value for r in project_rows]
        + [r[k].value for r in project_rows if "role" in r for k in ("role",)]
        + [r[k].value for r in resource_rows for k in ("r", "kind", "theme") if k in r]
        + [r[k].value for r in place_rows for k in ("auth", "area", "epci") if k in r]
        + [r[k].value for r in member_rows for k in ("member", "area") if k in r]
        + same_here
        + [o for p in (AG + "incubatedBy", AG + "approach", OWL + "sameAs") for o in st.iris(p)]
        + list(types)
    )

    # names
    names = {
        "pref": st.facts(page, SKOS + "prefLabel"),
        "alt": st.facts(page, SKOS + "altLabel"),
        "hidden": st.facts(page, SKOS + "hiddenLabel"),
    }
    title = page.name(iri)

    # partners, grouped by direction, project and role
    partner_kinds = _kinds_of(page, {r["partner"].value for r in partner_rows})
    groups: dict[str, dict[str | None, dict[str | None, list[PartnerItem]]]] = {"to": {}, "of": {}}
    partners: set[str] = set()
    links: set[str] = set()
    for row in partner_rows:
        partner = row["partner"].value
        partners.add(partner)
        links.add(row["link"].value)
        project = row["project"].value if "project" in row else None
        role = row["role"].value if "role" in row else None
        written = row["written"].value if "written" in row else ""
        link = page.link(partner)
        item = PartnerItem(
            link,
            ", ".join(k.text for k in partner_kinds.get(partner, [])),
            written if written and written != link.text else "",
            row["link"].value,
        )
        bucket = groups[row["direction"].value].setdefault(project, {}).setdefault(role, [])
        if all(i.partner.iri != partner for i in bucket):
            bucket.append(item)
    leaders = _leaders(page, {p for d in groups.values() for p in d if p})
    partner_groups = {
        direction: [
            ProjectGroup(
                page.link(project) if project else None,
                leaders.get(project) if project else None,
                [
                    RoleGroup(
                        page.link(role) if role else None,
                        sorted(items, key=lambda i: sort_key(i.partner.text)),
                    )
                    for role, items in sorted(
                        by_role.items(), key=lambda kv: page.name(kv[0]).value if kv[0] else "~"
                    )
                ],
            )
            for project, by_role in sorted(
                by_project.items(),
                key=lambda kv: (kv[0] is None, page.name(kv[0]).value if kv[0] else ""),
            )
        ]
        for direction, by_project in groups.items()
    }

    # projects
    projects: dict[str, dict[str, Any]] = {}
    for row in project_rows:
        p = row["project"].value
        entry = projects.setdefault(
            p,
            {
                "link": page.link(p),
                "how": set(),
                "roles": [],
                "start": literal_or_iri(row.get("start", "")),
                "end": literal_or_iri(row.get("end", "")),
            },
        )
        entry["how"].add(row["how"].value)
        if "role" in row:
            role = page.link(row["role"].value)
            if role not in entry["roles"]:
                entry["roles"].append(role)
    project_list = sorted(projects.values(), key=lambda e: sort_key(e["link"].text))

    # resources, in the source's order
    resources = _resources(page, resource_rows)

    # place in the register
    areas = sorted({r["area"].value for r in place_rows if "area" in r})
    epcis = sorted({r["epci"].value for r in place_rows if "epci" in r})
    authorities = sorted(
        {r["auth"].value for r in place_rows if "auth" in r and r["auth"].value != iri}
    )
    members = sorted(
        (
            (page.link(r["area"].value) if "area" in r else page.link(r["member"].value))
            for r in member_rows
        ),
        key=lambda link: sort_key(link.text),
    )

    contact = []
    for c in contacts:
        for mail in c.literals(SCHEMA + "email"):
            contact.append(
                (page.t("email"), Link("mailto:" + mail.value, mail.value, external=True))
            )
        for url in c.iris(SCHEMA + "url"):
            contact.append((page.t("web"), Link(url, url, external=True)))

    # network
    net_info = _network_info(page, iri)

    description = st.text(page, SCHEMA + "description")
    card = {
        "iri": iri,
        "title": title,
        "names": names,
        "kinds": st.facts(page, TYPE),
        "kind_links": kind_links(page, types),
        "description": description,
        "founded": st.facts(page, SCHEMA + "foundingDate"),
        "ceased": st.facts(page, AG + "ceasedActivity"),
        "incubated_by": st.facts(page, AG + "incubatedBy"),
        "general_interest": st.facts(page, AG + "generalInterest"),
        "approach": [page.link(a) for a in st.iris(AG + "approach")],
        "homepage": [Link(h, h, external=True) for h in st.iris(FOAF + "homepage")],
        "identifiers": _identifiers(page, st, types),
        "same_as": [page.link(a) for a in st.iris(OWL + "sameAs")],
        "same_here": [page.link(a) for a in same_here],
        "contact": contact,
        "partner_groups": partner_groups,
        "partner_count": len(partners),
        "partnership_count": len(links),
        "projects": project_list,
        "resources": resources,
        "areas": [page.link(a) for a in areas],
        "epcis": [page.link(e) for e in epcis],
        "authorities": [page.link(a) for a in authorities],
        "members": members[:LIST_LIMIT],
        "member_count": len(members),
        "network": net_info,
        "sources": sources(page, _graph_counts(st)),
        "remarks": remarks(page, iri, st.graphs()),
    }
    card["jsonld"] = organisation_jsonld(page, iri, st, card)
    return card


def _graph_counts(st: Statements) -> dict[str, int]:
    counts: dict[str, int] = {}
    for _, _, g in st.items:
        counts[g] = counts.get(g, 0) + 1
    return counts


def _kinds_of(page: Page, iris: set[str]) -> dict[str, list[Link]]:
    if not iris:
        return {}
    rows = page.store.select(
        f"SELECT ?x ?t WHERE {{ VALUES ?x {{ {values_block(sorted(iris))} }} ?x a ?t }}"
    )
    types: dict[str, set[str]] = {}
    for row in rows:
        types.setdefault(row["x"].value, set()).add(row["t"].value)
    page.load_names({t for ts in types.values() for t in ts})
    return {i: kind_links(page, ts) for i, ts in types.items()}


def _leaders(page: Page, projects: set[str]) -> dict[str, Link]:
    if not projects:
        return {}
    rows = page.store.select(
        P
        + f"SELECT ?p ?l WHERE {{ VALUES ?p {{ {values_block(sorted(projects))} }} ?p ag:leader ?l }}"
    )
    page.load_names(row["l"].value for row in rows)
    return {row["p"].value: page.link(row["l"].value) for row in rows}


def _resources(page: Page, rows: list[dict[str, Any]]) -> list[ResourceItem]:
    found: dict[str, ResourceItem] = {}
    for row in rows:
        r = row["r"].value
        item = found.get(r)
        if item is None:
            truncated = "truncated" in row and row["truncated"].value == "true"
            item = found[r] = ResourceItem(
                page.link(r), truncated, [], [], row["relation"].value, None
            )
        if "position" in row:
            position = int(row["position"].value)
            item.position = position if item.position is None else min(item.position, position)
        for key, into in (("kind", item.kinds), ("theme", item.themes)):
            if key in row:
                link = page.link(row[key].value)
                if link not in into:
                    into.append(link)
    return sorted(
        found.values(),
        key=lambda i: (i.position is None, i.position or 0, sort_key(i.link.text)),
    )


def _network_info(page: Page, iri: str) -> dict[str, Any] | None:
    from .derived import network_of

    try:
        net, measures = network_of(page.site)
    except Exception:  # the page goes on without the network
        return None
    if iri not in net.nodes or iri not in measures.nodes:
        return None
    m = measures.nodes[iri]
    return {
        "degree": m.degree,
        "weighted_degree": m.weighted_degree,
        "pagerank": m.pagerank,
        "betweenness": m.betweenness,
        "community": m.community,
        "slug": slug(iri),
        # drawn by Graphviz: no picture (and no broken image) where it is missing
        "picture": m.degree > 0 and shutil.which("sfdp") is not None,
    }


def organisation_jsonld(page: Page, iri: str, st: Statements, card: dict[str, Any]) -> str:
    """A schema.org description of the organisation, as JSON-LD text safe to
    put in a ``<script>`` element (``<``, ``>`` and ``&`` escaped as ``\\u`` codes)."""
    types = set(st.iris(TYPE))
    if types & {
        AG + "PublicOrganisation",
        AG + "LocalAuthority",
        AG + "Commune",
        AG + "Departement",
        AG + "Region",
        AG + "EPCI",
        AG + "Metropole",
        AG + "CommunauteUrbaine",
        AG + "CommunauteAgglomeration",
        AG + "CommunauteCommunes",
        AG + "StateService",
        AG + "PublicFinancialInstitution",
    }:
        schema_type = "GovernmentOrganization"
    elif AG + "Association" in types:
        schema_type = "NGO"
    else:
        schema_type = "Organization"
    doc = schema_doc(page, iri, schema_type, card["title"].value)
    alternates = sorted(
        {lit.value for p in ("prefLabel", "altLabel") for lit in st.literals(SKOS + p)}
        - {card["title"].value}
    )
    if alternates:
        doc["alternateName"] = alternates
    descriptions = st.literals(SCHEMA + "description")
    if descriptions:
        doc["description"] = [{"@value": d.value, "@language": d.language} for d in descriptions]
    founded = sorted({lit.value for lit in st.literals(SCHEMA + "foundingDate")})
    if founded:
        doc["foundingDate"] = founded[0] if len(founded) == 1 else founded
    identifiers = [
        {"@type": "PropertyValue", "propertyID": label, "value": lit.value}
        for prop, label in (
            (AG + "siren", "SIREN"),
            (AG + "rna", "RNA"),
            (AG + "inseeCode", "INSEE"),
        )
        for lit in st.literals(prop)
    ]
    if identifiers:
        doc["identifier"] = identifiers
    same = [link.href for ident in card["identifiers"] for link in ident.links]
    if same:
        doc["sameAs"] = sorted(set(same))
    if card["homepage"]:
        doc["url"] = card["homepage"][0].href
        doc["mainEntityOfPage"] = page.site.url(iri)
    emails = [link.text for label, link in card["contact"] if link.href.startswith("mailto:")]
    if emails:
        doc["email"] = emails[0]
    partners = sorted(
        {
            item.partner.iri
            for groups in card["partner_groups"].values()
            for g in groups
            for r in g.roles
            for item in r.items
        }
    )
    if partners:
        doc["knows"] = [{"@id": p, "name": page.name(p).value} for p in partners]
    return jsonld_text(doc)


def schema_doc(page: Page, iri: str, schema_type: str, name: str) -> dict[str, Any]:
    """The start of a page's schema.org JSON-LD: its type, IRI, URL and name."""
    return {
        "@context": "https://schema.org/",
        "@type": schema_type,
        "@id": iri,
        "url": page.site.url(iri),
        "name": name,
    }


def jsonld_text(doc: Any) -> str:
    """JSON text that cannot end a ``<script>`` element or open a comment.

    >>> jsonld_text({"name": "</script><!--"})
    '{\\n  "name": "\\\\u003c/script\\\\u003e\\\\u003c!--"\\n}'
    """
    text = json.dumps(doc, ensure_ascii=False, indent=2)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


# ---------------------------------------------------------------- project


_PROJECT_PARTNERS = (
    P
    + """
SELECT DISTINCT ?x ?org ?role ?written ?link WHERE {
  { ?x ag:leader ?org . BIND (ag:leader AS ?role) }
  UNION { ?link ag:inProject ?x ; ag:partner ?org . OPTIONAL { ?link ag:role ?role } OPTIONAL { ?link ag:partnerName ?written } }
}"""
)


def project(page: Page, iri: str) -> dict[str, Any]:
    store, x = page.store, {"x": ox.NamedNode(iri)}
    st = Statements(statements(store, iri))
    rows = store.select(_PROJECT_PARTNERS, x)
    parts = store.select(P + "SELECT ?x ?p WHERE { ?p ag:partOfProgramme ?x }", x)
    page.load_names(
        [r[k].value for r in rows for k in ("org", "role") if k in r]
        + [o.value for _, o, _ in st.items if isinstance(o, ox.NamedNode)]
        + [r["p"].value for r in parts]
    )
    by_role: dict[str, list[PartnerItem]] = {}
    for row in rows:
        role = row["role"].value if "role" in row else ""
        org = page.link(row["org"].value)
        written = row["written"].value if "written" in row else ""
        items = by_role.setdefault(role, [])
        if all(i.partner.iri != org.iri for i in items):
            items.append(
                PartnerItem(
                    org,
                    "",
                    written if written != org.text else "",
                    row["link"].value if "link" in row else "",
                )
            )
    roles = [
        RoleGroup(
            page.link(role) if role and role != AG + "leader" else None,
            sorted(items, key=lambda i: sort_key(i.partner.text)),
        )
        for role, items in sorted(by_role.items(), key=lambda kv: (kv[0] != AG + "leader", kv[0]))
    ]
    card: dict[str, Any] = {
        "iri": iri,
        "title": page.name(iri),
        "kind_links": kind_links(page, st.iris(TYPE)),
        "description": st.text(page, SCHEMA + "description"),
        "leaders": [page.link(o) for o in st.iris(AG + "leader")],
        "start": st.facts(page, SCHEMA + "startDate"),
        "end": st.facts(page, SCHEMA + "endDate"),
        "methods": [page.link(m) for m in st.iris(AG + "method")],
        "themes": [page.link(m) for m in st.iris(AG + "theme")],
        "programmes": [page.link(m) for m in st.iris(AG + "partOfProgramme")],
        "parts": [page.link(r["p"].value) for r in parts],
        "spatial": [page.link(m) for m in st.iris(DCTERMS + "spatial")],
        "immersion_duration": [lit.value for lit in st.literals(AG + "immersionDuration")],
        "immersion_count": [lit.value for lit in st.literals(AG + "immersionCount")],
        "immersion_setting": [Text.of(lit) for lit in st.literals(AG + "immersionSetting")],
        "open_method": [lit.value == "true" for lit in st.literals(AG + "openMethod")],
        "outputs": [Text.of(lit) for lit in st.literals(AG + "outputLabel")],
        "output_count": [lit.value for lit in st.literals(AG + "outputCount")],
        "notes": [Text.of(n) for n in _in_lang(st.literals(SKOS + "note"), page.lang)],
        "roles": roles,
        "sources": sources(page, _graph_counts(st)),
        "remarks": remarks(page, iri, st.graphs()),
    }
    doc = schema_doc(page, iri, "Project", card["title"].value)
    if card["leaders"]:
        doc["founder"] = [{"@id": link.iri, "name": link.text} for link in card["leaders"]]
    card["jsonld"] = jsonld_text(doc)
    return card


def _in_lang(literals: list[ox.Literal], lang: str) -> list[ox.Literal]:
    """The literals in ``lang`` if there are any, else all of them."""
    chosen = [lit for lit in literals if lit.language == lang]
    return chosen or literals


# ---------------------------------------------------------------- resource


def resource(page: Page, iri: str) -> dict[str, Any]:
    st = Statements(statements(page.store, iri))
    page.load_names(o.value for _, o, _ in st.items if isinstance(o, ox.NamedNode))
    truncated = any(lit.value == "true" for lit in st.literals(AG + "titleTruncated"))
    titles = st.facts(page, DCTERMS + "title")
    card: dict[str, Any] = {
        "iri": iri,
        "title": page.name(iri),
        "titles": titles,
        "truncated": truncated,
        "kinds": [page.link(k) for k in st.iris(AG + "resourceKind")],
        "themes": [page.link(k) for k in st.iris(AG + "theme")],
        "related": [page.link(k) for k in st.iris(AG + "relatedActor")],
        "publishers": [page.link(k) for k in st.iris(DCTERMS + "publisher")],
        "urls": [Link(u, u, external=True) for u in st.iris(SCHEMA + "url")],
        "positions": st.facts(page, AG + "listPosition"),
        "description": st.text(page, SCHEMA + "description"),
        "sources": sources(page, _graph_counts(st)),
        "remarks": remarks(page, iri, st.graphs()),
    }
    doc = schema_doc(page, iri, "CreativeWork", card["title"].value)
    if card["urls"]:
        doc["sameAs"] = [u.href for u in card["urls"]]
    card["jsonld"] = jsonld_text(doc)
    return card


# ---------------------------------------------------------------- concepts and vocabularies


def concept(page: Page, iri: str) -> dict[str, Any]:
    store, x = page.store, {"x": ox.NamedNode(iri)}
    st = Statements(statements(store, iri))
    narrower = [
        r["n"].value
        for r in store.select(P + "SELECT DISTINCT ?x ?n WHERE { ?n skos:broader ?x }", x)
    ]
    users = store.select(
        P
        + f"""SELECT DISTINCT ?x ?s ?p WHERE {{
          ?s ?p ?x .
          FILTER (?p NOT IN (skos:broader, skos:narrower, skos:hasTopConcept, skos:topConceptOf,
                             skos:inScheme, rdfs:seeAlso))
          FILTER (STRSTARTS(STR(?s), "{BASE}id/"))
        }} LIMIT {LIST_LIMIT + 1}""",
        x,
    )
    kind_class = st.iris(AG + "kindClass")
    instances: list[str] = []
    instance_count = 0
    if kind_class:
        cls = {"c": ox.NamedNode(kind_class[0])}
        count = store.select(
            "SELECT ?c (COUNT(DISTINCT ?i) AS ?n) WHERE { ?i a ?c } GROUP BY ?c", cls
        )
        instance_count = int(count[0]["n"].value) if count else 0
        instances = [
            r["i"].value
            for r in store.select(
                f"SELECT DISTINCT ?c ?i WHERE {{ ?i a ?c }} ORDER BY ?i LIMIT {LIST_LIMIT}", cls
            )
        ]
    page.load_names(
        [o.value for _, o, _ in st.items if isinstance(o, ox.NamedNode)]
        + narrower
        + [r["s"].value for r in users]
        + instances
    )
    used = [
        (page.link(r["s"].value), property_label(page, r["p"].value)) for r in users[:LIST_LIMIT]
    ]
    return {
        "iri": iri,
        "title": page.name(iri),
        "labels": [Text.of(lit) for lit in st.literals(SKOS + "prefLabel")],
        "alt": [Text.of(lit) for lit in st.literals(SKOS + "altLabel")],
        "definition": st.text(page, SKOS + "definition"),
        "schemes": [page.link(s) for s in st.iris(SKOS + "inScheme")],
        "broader": [page.link(s) for s in st.iris(SKOS + "broader")],
        "narrower": sorted((page.link(n) for n in narrower), key=lambda link: sort_key(link.text)),
        "kind_class": [page.link(c) for c in kind_class],
        "used": sorted(used, key=lambda u: sort_key(u[0].text)),
        "used_more": len(users) > LIST_LIMIT,
        "instances": sorted(
            (page.link(i) for i in instances), key=lambda link: sort_key(link.text)
        ),
        "instance_count": instance_count,
        "sources": sources(page, _graph_counts(st)),
        "remarks": remarks(page, iri, st.graphs()),
    }


@dataclass
class TreeNode:
    link: Link
    children: list[TreeNode]


def scheme(page: Page, iri: str) -> dict[str, Any]:
    """A SKOS vocabulary: its concepts as a tree (from the top concepts down)."""
    store, x = page.store, {"x": ox.NamedNode(iri)}
    st = Statements(statements(store, iri))
    is_territories = bool(store.ask(P + "ASK { ?r skos:inScheme ?x ; a igeo:Region }", x))
    if is_territories:
        return {
            **territory_index(page),
            "iri": iri,
            "title": page.name(iri),
            "description": st.text(page, DCTERMS + "description"),
            "sources": sources(page, _graph_counts(st)),
            "remarks": remarks(page, iri, st.graphs()),
        }
    rows = store.select(
        P
        + """SELECT DISTINCT ?x ?c ?b WHERE {
          ?c skos:inScheme ?x .
          OPTIONAL { ?c skos:broader ?b . ?b skos:inScheme ?x }
        }""",
        x,
    )
    concepts = {r["c"].value for r in rows}
    page.load_names(concepts)
    children: dict[str | None, list[str]] = {}
    for row in rows:
        parent = row["b"].value if "b" in row else None
        children.setdefault(parent, [])
        if row["c"].value not in children[parent]:
            children[parent].append(row["c"].value)
    tops = [c for c in children.get(None, [])]

    def tree(c: str, depth: int) -> TreeNode:
        kids = children.get(c, []) if depth < 6 else []
        return TreeNode(
            page.link(c),
            sorted((tree(k, depth + 1) for k in kids), key=lambda n: sort_key(n.link.text)),
        )

    return {
        "iri": iri,
        "title": page.name(iri),
        "description": st.text(page, DCTERMS + "description"),
        "tree": sorted((tree(c, 0) for c in tops), key=lambda n: sort_key(n.link.text)),
        "concept_count": len(concepts),
        "sources": sources(page, _graph_counts(st)),
        "remarks": remarks(page, iri, st.graphs()),
    }


def schemes(page: Page) -> list[Link]:
    rows = page.store.select(P + "SELECT DISTINCT ?s WHERE { ?s a skos:ConceptScheme }")
    page.load_names(r["s"].value for r in rows)
    return sorted((page.link(r["s"].value) for r in rows), key=lambda link: sort_key(link.text))


# ---------------------------------------------------------------- territories

LEVELS = {
    IGEO + "Commune": "commune",
    IGEO + "Departement": "departement",
    IGEO + "Region": "region",
}
_LEVEL_ORDER = {"region": 0, "departement": 1, "commune": 2}


def territory_level(types: Iterable[str]) -> str:
    for t in types:
        if t in LEVELS:
            return LEVELS[t]
    return ""


_ANCESTORS = (
    P
    + """
SELECT DISTINCT ?x ?a ?t WHERE {
  # the path first, in a sub-select: else Oxigraph starts from every commune
  { SELECT ?x ?a WHERE { ?x igeo:sousDivisionDe+ ?a } }
  ?a a ?t .
  VALUES ?t { igeo:Commune igeo:Departement igeo:Region }
}"""
)

_CHILDREN = (
    P
    + """
SELECT DISTINCT ?x ?c ?code WHERE { ?c igeo:sousDivisionDe ?x . OPTIONAL { ?c igeo:codeINSEE ?code } }"""
)

_AUTHORITY = (
    P
    + """
SELECT DISTINCT ?x ?auth ?epci WHERE {
  ?auth dcterms:spatial ?x .
  OPTIONAL { ?auth org:memberOf ?epci }
}"""
)

#: Organisations that are the same as the authority of the territory or of
#: one within it, or as the EPCI such an authority belongs to.
_ACTORS = (
    P
    + """
SELECT DISTINCT ?x ?org ?via WHERE {
  # from the organisations linked to an authority (few), not from the
  # territory's communes: Oxigraph would join every dcterms:spatial statement
  ?org owl:sameAs ?via .
  { ?via dcterms:spatial ?area } UNION { ?auth org:memberOf ?via ; dcterms:spatial ?area }
  ?area igeo:sousDivisionDe* ?x .
}"""
)


def territory(page: Page, iri: str) -> dict[str, Any]:
    """A commune, département or région of the gazetteer, with the links up
    and down it has, its authority, and the graph's actors linked to it."""
    store, x = page.store, {"x": ox.NamedNode(iri)}
    st = Statements(statements(store, iri))
    types = set(st.iris(TYPE))
    level = territory_level(types)
    code = literal_or_iri(st.first(IGEO + "codeINSEE") or "")
    ancestors = store.select(_ANCESTORS, x)
    children = store.select(_CHILDREN, x)
    authority = store.select(_AUTHORITY, x)
    actors = store.select(_ACTORS, x)
    page.load_names(
        [r["a"].value for r in ancestors]
        + [r["c"].value for r in children]
        + [r[k].value for r in authority for k in ("auth", "epci") if k in r]
        + [r[k].value for r in actors for k in ("org", "via")]
    )
    up = sorted(
        ((LEVELS[r["t"].value], page.link(r["a"].value)) for r in ancestors),
        key=lambda lv: _LEVEL_ORDER[lv[0]],
    )
    kids = sorted(
        ((page.link(r["c"].value), literal_or_iri(r.get("code", ""))) for r in children),
        key=lambda kc: (sort_key(kc[0].text), kc[1]),
    )
    actor_items: dict[str, dict[str, Any]] = {}
    for row in actors:
        org = row["org"].value
        item = actor_items.setdefault(org, {"link": page.link(org), "via": []})
        via = page.link(row["via"].value)
        if via not in item["via"]:
            item["via"].append(via)
    return {
        "iri": iri,
        "title": page.name(iri),
        "level": level,
        "code": code,
        "insee": Link(INSEE_DOSSIER + f"{insee_level(types)}-{code}", "INSEE", "fr", external=True)
        if code and insee_level(types)
        else None,
        "up": up,
        "children": kids[: LIST_LIMIT * 4],
        "child_count": len(kids),
        "authorities": [page.link(a) for a in sorted({r["auth"].value for r in authority})],
        "epcis": [
            page.link(e) for e in sorted({r["epci"].value for r in authority if "epci" in r})
        ],
        "actors": sorted(actor_items.values(), key=lambda a: sort_key(a["link"].text)),
        "schemes": [page.link(s) for s in st.iris(SKOS + "inScheme")],
        "sources": sources(page, _graph_counts(st)),
        "remarks": remarks(page, iri, st.graphs()),
    }


def territory_index(page: Page) -> dict[str, Any]:
    """The régions and their départements."""
    rows = page.store.select(
        P
        + """SELECT ?r ?rc ?d ?dc WHERE {
          ?r a igeo:Region ; igeo:codeINSEE ?rc .
          OPTIONAL { ?d igeo:sousDivisionDe ?r ; a igeo:Departement ; igeo:codeINSEE ?dc }
        }"""
    )
    page.load_names({r["r"].value for r in rows} | {r["d"].value for r in rows if "d" in r})
    regions: dict[str, dict[str, Any]] = {}
    for row in rows:
        r = regions.setdefault(
            row["r"].value,
            {"link": page.link(row["r"].value), "code": row["rc"].value, "departements": []},
        )
        if "d" in row:
            r["departements"].append((page.link(row["d"].value), row["dc"].value))
    for r in regions.values():
        r["departements"].sort(key=lambda dc: dc[1])
    return {"regions": sorted(regions.values(), key=lambda r: sort_key(r["link"].text))}


def territories_by_code(store: Any, code: str) -> list[str]:
    """The territories whose INSEE code is ``code`` (a région and a département may share one)."""
    rows = store.select(
        P
        + "SELECT ?code ?t WHERE { ?t igeo:codeINSEE ?code ; a ?k VALUES ?k { igeo:Commune igeo:Departement igeo:Region } }",
        {"code": ox.Literal(code)},
    )
    return sorted({row["t"].value for row in rows})


# ---------------------------------------------------------------- ontology


@dataclass
class TermDoc:
    iri: str
    anchor: str
    curie: str
    kind: str
    label: Text
    labels: list[Text]
    definition: Text | None
    relations: list[tuple[str, list[Link]]]
    notes: list[Text]


_TERM_KINDS = {
    OWL + "Class": "class",
    OWL + "ObjectProperty": "object",
    OWL + "DatatypeProperty": "datatype",
    OWL + "AnnotationProperty": "annotation",
    RDF + "Property": "property",
}


def ontology(page: Page) -> dict[str, Any]:
    """The documentation of the ontology: every class and property it declares."""
    store, t = page.store, page.t
    rows = store.select(
        f"SELECT ?s ?p ?o WHERE {{ GRAPH <{GRAPH}ontology> {{ ?s ?p ?o }} }}", union=False
    )
    by_subject: dict[str, list[tuple[str, Any, str]]] = {}
    for row in rows:
        if isinstance(row["s"], ox.NamedNode):
            by_subject.setdefault(row["s"].value, []).append((row["p"].value, row["o"], ""))
    head = Statements(by_subject.get(ONTOLOGY, []))
    subclasses: dict[str, list[str]] = {}
    for s, items in by_subject.items():
        for p, o, _ in items:
            if p == RDFS + "subClassOf" and isinstance(o, ox.NamedNode):
                subclasses.setdefault(o.value, []).append(s)
    relation_names = (
        (RDFS + "subClassOf", "subclass_of"),
        (OWL + "equivalentClass", "equivalent"),
        (RDFS + "subPropertyOf", "subproperty_of"),
        (OWL + "equivalentProperty", "equivalent"),
        (OWL + "inverseOf", "inverse_of"),
        (RDFS + "domain", "domain"),
        (RDFS + "range", "range"),
        (RDFS + "seeAlso", "see_also"),
    )
    terms: list[TermDoc] = []
    for s, items in by_subject.items():
        st = Statements(items)
        kinds = [_TERM_KINDS[k] for k in st.iris(TYPE) if k in _TERM_KINDS]
        if not kinds or not s.startswith(AG):
            continue
        label_lit = pick(st.literals(RDFS + "label"), page.lang)
        relations = []
        for prop, key in relation_names:
            targets = st.iris(prop)
            if targets:
                relations.append((t(key), [_term_link(page, o) for o in sorted(targets)]))
        if s in subclasses:
            relations.append(
                (t("subclasses"), [_term_link(page, o) for o in sorted(subclasses[s])])
            )
        definition = pick(st.literals(SKOS + "definition"), page.lang)
        notes = _in_lang(
            st.literals(SKOS + "scopeNote")
            + st.literals(RDFS + "comment")
            + st.literals(SKOS + "note"),
            page.lang,
        )
        terms.append(
            TermDoc(
                s,
                s[len(AG) :],
                "ag:" + s[len(AG) :],
                kinds[0],
                Text.of(label_lit) if label_lit else Text(s[len(AG) :]),
                [Text.of(lit) for lit in st.literals(RDFS + "label")],
                Text.of(definition) if definition else None,
                relations,
                [Text.of(n) for n in notes],
            )
        )
    terms.sort(key=lambda d: d.anchor.casefold())
    return {
        "iri": ONTOLOGY,
        "title": head.text(page, DCTERMS + "title") or Text("actorgraph"),
        "description": head.text(page, DCTERMS + "description"),
        "version": literal_or_iri(head.first(OWL + "versionInfo") or ""),
        "modified": literal_or_iri(head.first(DCTERMS + "modified") or ""),
        "licence": [Link(i, i, external=True) for i in head.iris(DCTERMS + "license")],
        "namespace": AG,
        "prefix": literal_or_iri(head.first(PREFIXES["vann"] + "preferredNamespacePrefix") or "ag"),
        "classes": [d for d in terms if d.kind == "class"],
        "properties": [d for d in terms if d.kind != "class"],
        "vocabularies": [page.link(v) for v in head.iris(RDFS + "seeAlso")],
    }


def _term_link(page: Page, iri: str) -> Link:
    """A term of the ontology links to its entry on the page; another
    vocabulary's term to its own address, shown as a CURIE."""
    if iri.startswith(AG):
        return Link("#" + iri[len(AG) :], "ag:" + iri[len(AG) :], "", iri)
    text = curie(iri, strict=False) or iri
    return Link(page.site.url(iri), text, "", iri, external=not iri.startswith(BASE))


__all__ = [
    "Fact",
    "Link",
    "Page",
    "Text",
    "concept",
    "generic",
    "jsonld_text",
    "ontology",
    "organisation",
    "project",
    "resource",
    "scheme",
    "schemes",
    "short_name",
    "territories_by_code",
    "territory",
    "territory_index",
    "types_of",
]
