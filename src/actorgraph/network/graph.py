"""The organisation network, read from any store through the port.

Nodes are the organisations the project's graphs describe (the reference
gazetteer's authorities are left out: they are a register, not actors) and
every organisation a relation names. Edges join two organisations when

- a partnership names one the partner of the other (``ag:partnerOf``):
  relation ``partner``;
- both take part in the same project, as its leader or as partners
  (``ag:leader``, ``ag:inProject``): relation ``project``;
- one is incubated by the other (``ag:incubatedBy``): relation ``incubation``.

Each edge keeps the projects, partnerships, roles and sources behind it. Its
weight counts the ties: one per shared project, plus one for a partnership
stated outside any project, plus one for an incubation.

The queries read one or two patterns each and the joins are made here: on the
on-disk project store a lookup per row costs more than a second scan (at 1M
triples, joining partnerships to their projects in SPARQL took three times as
long as reading both patterns). They use nothing but SPARQL 1.1, so a remote
store answers them too.

>>> from actorgraph.store import EmbeddedStore
>>> store = EmbeddedStore()
>>> _ = store.load_bytes(b'''
... @prefix ag: <https://w3id.org/actorgraph/ontology#> .
... @prefix o: <https://w3id.org/actorgraph/id/organisation/> .
... @prefix p: <https://w3id.org/actorgraph/id/project/> .
... @prefix l: <https://w3id.org/actorgraph/id/partnership/> .
... o:a a ag:Association . o:b a ag:Commune . o:c a ag:Region .
... p:x ag:leader o:a . l:x--b ag:inProject p:x ; ag:partner o:b .
... l:x--c ag:inProject p:x ; ag:partner o:c .
... l:a--b ag:partnerOf o:a ; ag:partner o:b .
... ''', "ttl", graph="https://w3id.org/actorgraph/graph/g")
>>> net = read_network(store)
>>> [n.slug for n in net.nodes.values()]
['a', 'b', 'c']
>>> [(e.a.rsplit("/", 1)[1], e.b.rsplit("/", 1)[1], e.weight) for e in net.edges.values()]
[('a', 'b', 2), ('a', 'c', 1), ('b', 'c', 1)]
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from ..namespaces import AG, GRAPH, IGEO, ORG_ID, sparql_prefixes
from ..store.port import Store

#: Kinds of organisation, most specific first: a node typed twice takes the first.
ORGANISATION_KINDS: tuple[str, ...] = (
    "Commune",
    "Departement",
    "Region",
    "Metropole",
    "CommunauteUrbaine",
    "CommunauteAgglomeration",
    "CommunauteCommunes",
    "EPCI",
    "LocalAuthority",
    "StateService",
    "PublicFinancialInstitution",
    "PublicOrganisation",
    "Association",
    "FoundationOrNetwork",
    "Organisation",
)

#: Short names of the kinds, in English and French, for tables and pictures
#: (the ontology's labels explain the French terms at length).
KIND_LABELS: dict[str, tuple[str, str]] = {
    "Commune": ("commune", "commune"),
    "Departement": ("département", "département"),
    "Region": ("région", "région"),
    "Metropole": ("métropole", "métropole"),
    "CommunauteUrbaine": ("urban community", "communauté urbaine"),
    "CommunauteAgglomeration": ("agglomeration community", "communauté d'agglomération"),
    "CommunauteCommunes": ("community of communes", "communauté de communes"),
    "EPCI": ("EPCI", "EPCI"),
    "LocalAuthority": ("local authority", "collectivité territoriale"),
    "StateService": ("State service", "service de l'État"),
    "PublicFinancialInstitution": ("public financial institution", "institution financière"),
    "PublicOrganisation": ("public organisation", "organisation publique"),
    "Association": ("association", "association"),
    "FoundationOrNetwork": ("foundation or network", "fondation ou réseau"),
    "Organisation": ("organisation", "organisation"),
}

#: The role of a project's leader among the roles behind an edge.
LEADER = str(AG.leader)

_REFERENCE = str(GRAPH["reference/"])

_PREFIXES = sparql_prefixes()

_NOT_REFERENCE = f'FILTER (!STRSTARTS(STR(?g), "{_REFERENCE}"))'
_KIND_VALUES = " ".join(f"ag:{k}" for k in ORGANISATION_KINDS)

# Organisations typed in the project's own graphs (not the gazetteer's).
Q_NODES = (
    _PREFIXES
    + f"""SELECT ?org ?kind WHERE {{
  VALUES ?kind {{ {_KIND_VALUES} }}
  GRAPH ?g {{ ?org rdf:type ?kind }}
  {_NOT_REFERENCE}
}}"""
)

# French names of the organisations and projects of the project's graphs: one
# scan, where a lookup per organisation took four times as long at 1M triples.
Q_NAMES = (
    _PREFIXES
    + f"""SELECT ?s ?name WHERE {{
  GRAPH ?g {{ ?s skos:prefLabel ?name }}
  {_NOT_REFERENCE}
  FILTER (lang(?name) = "fr")
}}"""
)

Q_PARTNER = _PREFIXES + "SELECT ?g ?link ?partner WHERE { GRAPH ?g { ?link ag:partner ?partner } }"
Q_PARTNER_OF = _PREFIXES + "SELECT ?link ?other WHERE { ?link ag:partnerOf ?other }"
Q_IN_PROJECT = _PREFIXES + "SELECT ?link ?project WHERE { ?link ag:inProject ?project }"
Q_ROLE = _PREFIXES + "SELECT ?link ?role WHERE { ?link ag:role ?role }"
Q_LEADER = (
    _PREFIXES + "SELECT ?g ?project ?leader WHERE { GRAPH ?g { ?project ag:leader ?leader } }"
)
Q_INCUBATED = _PREFIXES + "SELECT ?g ?org ?by WHERE { GRAPH ?g { ?org ag:incubatedBy ?by } }"
Q_LABELS = (
    _PREFIXES
    + """SELECT ?concept ?label WHERE {
  VALUES ?concept { %s }
  ?concept skos:prefLabel ?label
}"""
)
Q_SOURCES = (
    _PREFIXES + "SELECT ?g ?source WHERE { VALUES ?g { %s } ?g prov:wasDerivedFrom ?source }"
)

# The territory of an organisation is the area it governs, named by the
# gazetteer: its own dcterms:spatial, that of the authority it is owl:sameAs,
# the area of its INSEE code and kind, or, for an EPCI, the département most
# of its communes are in. The project's graphs are read first (a few patterns,
# the gazetteer left out), then the gazetteer is asked about those only.
Q_SAME_AS = (
    _PREFIXES
    + f"SELECT ?org ?body WHERE {{ GRAPH ?g {{ ?org owl:sameAs ?body }} {_NOT_REFERENCE} }}"
)
Q_SPATIAL = (
    _PREFIXES
    + f"SELECT ?org ?area WHERE {{ GRAPH ?g {{ ?org dcterms:spatial ?area }} {_NOT_REFERENCE} }}"
)
Q_CODES = (
    _PREFIXES
    + f"SELECT ?org ?code WHERE {{ GRAPH ?g {{ ?org ag:inseeCode ?code }} {_NOT_REFERENCE} }}"
)
Q_AREA_NAMES = (
    _PREFIXES + "SELECT ?area ?territory WHERE { VALUES ?area { %s } ?area igeo:nom ?territory }"
)
Q_BODY_AREAS = (
    _PREFIXES + "SELECT ?body ?area WHERE { VALUES ?body { %s } ?body dcterms:spatial ?area }"
)
Q_CODE_AREAS = (
    _PREFIXES
    + """SELECT ?code ?class ?area WHERE {
  VALUES (?code ?class) { %s }
  ?area igeo:codeINSEE ?code ; rdf:type ?class .
}"""
)
Q_EPCI_AREAS = (
    _PREFIXES
    + """SELECT ?body ?area (COUNT(?member) AS ?communes) WHERE {
  VALUES ?body { %s }
  ?member org:memberOf ?body ; dcterms:spatial/igeo:sousDivisionDe ?area .
  ?area rdf:type igeo:Departement .
}
GROUP BY ?body ?area"""
)

#: Terms per ``VALUES`` block: long enough to be few queries, short enough
#: for a server's request limits.
CHUNK = 500


def slug_of(iri: str) -> str:
    """The slug of an organisation IRI (the IRI itself when it is another's).

    >>> slug_of("https://w3id.org/actorgraph/id/organisation/fing")
    'fing'
    >>> slug_of("http://example.org/x")
    'http://example.org/x'
    """
    return iri.removeprefix(str(ORG_ID))


@dataclass(slots=True)
class Node:
    """An organisation: its IRI, French name, kind (a local name of ``ag:``) and territory."""

    iri: str
    name: str = ""
    kind: str = "Organisation"
    territory: str = ""

    @property
    def slug(self) -> str:
        return slug_of(self.iri)

    @property
    def label(self) -> str:
        return self.name or self.slug

    def kind_label(self, lang: str = "en") -> str:
        en, fr = KIND_LABELS.get(self.kind, (self.kind, self.kind))
        return fr if lang == "fr" else en


@dataclass(slots=True)
class Edge:
    """Two organisations (``a`` < ``b``) and what links them."""

    a: str
    b: str
    relations: set[str] = field(default_factory=set)
    projects: set[str] = field(default_factory=set)
    partnerships: set[str] = field(default_factory=set)
    roles: set[str] = field(default_factory=set)
    sources: set[str] = field(default_factory=set)
    #: The named graphs that state it (their sources are ``sources``).
    graphs: set[str] = field(default_factory=set, repr=False)

    @property
    def weight(self) -> int:
        """One per shared project, one for a partnership outside any project,
        one for an incubation."""
        return len(self.projects) + ("partner" in self.relations) + ("incubation" in self.relations)


@dataclass
class Network:
    """Organisations (by IRI, sorted) and the edges between them (by IRI pair, sorted)."""

    nodes: dict[str, Node]
    edges: dict[tuple[str, str], Edge]
    #: Named graphs that state the relations read.
    graphs: set[str] = field(default_factory=set)
    #: French names of projects and labels of roles, by IRI.
    names: dict[str, str] = field(default_factory=dict)
    #: The source each named graph is derived from.
    sources: dict[str, str] = field(default_factory=dict)

    def neighbours(self) -> dict[str, set[str]]:
        out: dict[str, set[str]] = {iri: set() for iri in self.nodes}
        for a, b in self.edges:
            out[a].add(b)
            out[b].add(a)
        return out

    def subnetwork(self, keep: set[str]) -> Network:
        """The organisations in ``keep`` and the edges between them."""
        return Network(
            {iri: n for iri, n in self.nodes.items() if iri in keep},
            {k: e for k, e in self.edges.items() if k[0] in keep and k[1] in keep},
            self.graphs,
            self.names,
            self.sources,
        )


def _rows(store: Store, text: str) -> list[dict[str, Any]]:
    return store.select(text)


def read_network(store: Store, lang: str = "en") -> Network:
    """The organisation network of ``store`` (see the module's docstring)."""
    import pyoxigraph as ox

    nodes: dict[str, Node] = {}
    rank = {f"{AG}{k}": i for i, k in enumerate(ORGANISATION_KINDS)}
    for row in _rows(store, Q_NODES):
        iri, kind = row["org"].value, row["kind"].value
        node = nodes.setdefault(iri, Node(iri, kind=kind.removeprefix(str(AG))))
        if rank[kind] < rank[f"{AG}{node.kind}"]:
            node.kind = kind.removeprefix(str(AG))

    edges: dict[tuple[str, str], Edge] = {}

    def edge(x: str, y: str) -> Edge | None:
        if x == y:
            return None
        key = (x, y) if x < y else (y, x)
        found = edges.get(key)
        if found is None:
            found = edges[key] = Edge(*key)
        return found

    partner: dict[str, tuple[str, str]] = {
        r["link"].value: (r["partner"].value, r["g"].value) for r in _rows(store, Q_PARTNER)
    }
    roles: dict[str, set[str]] = defaultdict(set)
    for r in _rows(store, Q_ROLE):
        roles[r["link"].value].add(r["role"].value)

    for r in _rows(store, Q_PARTNER_OF):
        link = r["link"].value
        if link not in partner:
            continue
        who, g = partner[link]
        e = edge(who, r["other"].value)
        if e is not None:
            e.relations.add("partner")
            e.partnerships.add(link)
            e.roles |= roles.get(link, set())
            e.graphs.add(g)

    # Members of each project: its leaders, then its partners, each with the
    # partnership (or None for a leader), its roles and the graph stating it.
    members: dict[str, list[tuple[str, str | None, str]]] = defaultdict(list)
    for r in _rows(store, Q_LEADER):
        members[r["project"].value].append((r["leader"].value, None, r["g"].value))
    for r in _rows(store, Q_IN_PROJECT):
        link = r["link"].value
        if link in partner:
            who, g = partner[link]
            members[r["project"].value].append((who, link, g))
    for project, people in members.items():
        for i, (x, lx, gx) in enumerate(people):
            for y, ly, gy in people[i + 1 :]:
                e = edge(x, y)
                if e is None:
                    continue
                e.relations.add("project")
                e.projects.add(project)
                for link, g in ((lx, gx), (ly, gy)):
                    if link is None:
                        e.roles.add(LEADER)
                    else:
                        e.partnerships.add(link)
                        e.roles |= roles.get(link, set())
                    e.graphs.add(g)

    for r in _rows(store, Q_INCUBATED):
        e = edge(r["org"].value, r["by"].value)
        if e is not None:
            e.relations.add("incubation")
            e.graphs.add(r["g"].value)

    for a, b in edges:
        nodes.setdefault(a, Node(a))
        nodes.setdefault(b, Node(b))
    names: dict[str, str] = {}
    for r in _rows(store, Q_NAMES):
        iri = r["s"].value
        if iri in nodes:
            nodes[iri].name = min(nodes[iri].name or r["name"].value, r["name"].value)
        elif iri in members:
            names[iri] = min(names.get(iri, r["name"].value), r["name"].value)
    for iri, territory in _territories(store, nodes).items():
        nodes[iri].territory = territory
    used = {g for e in edges.values() for g in e.graphs}
    graph_source = {
        r["g"].value: r["source"].value
        for r in _values(store, Q_SOURCES, [(ox.NamedNode(g),) for g in sorted(used)])
    }
    for e in edges.values():
        e.sources = {graph_source[g] for g in e.graphs if g in graph_source}

    names[LEADER] = "chef de file" if lang == "fr" else "leader"
    labels: dict[str, dict[str, str]] = defaultdict(dict)
    concepts = sorted({role for found in roles.values() for role in found})
    for r in _values(store, Q_LABELS, [(ox.NamedNode(c),) for c in concepts]):
        label = r["label"]
        labels[r["concept"].value][label.language or ""] = label.value
    for concept, by_lang in labels.items():
        names[concept] = by_lang.get(lang) or by_lang.get("en") or min(by_lang.values())
    return Network(
        dict(sorted(nodes.items())),
        dict(sorted(edges.items())),
        used,
        names,
        graph_source,
    )


def _values(store: Store, template: str, rows: list[tuple[Any, ...]]) -> list[dict[str, Any]]:
    """``template`` with its ``VALUES`` block (``%s``) filled with ``rows`` of
    terms, a chunk at a time."""
    out: list[dict[str, Any]] = []
    for i in range(0, len(rows), CHUNK):
        chunk = rows[i : i + CHUNK]
        block = " ".join(
            str(row[0]) if len(row) == 1 else "(" + " ".join(map(str, row)) + ")" for row in chunk
        )
        out.extend(store.select(template % block))
    return out


def _territories(store: Store, nodes: dict[str, Node]) -> dict[str, str]:
    """The name of each node's territory, for the nodes the gazetteer places."""
    import pyoxigraph as ox

    igeo = str(IGEO)
    area_of: dict[str, str] = {}  # organisation → area (a gazetteer concept)
    for r in _rows(store, Q_SPATIAL):
        if r["org"].value in nodes:
            area_of.setdefault(r["org"].value, r["area"].value)
    bodies: dict[str, str] = {}  # gazetteer authority → organisation
    for r in _rows(store, Q_SAME_AS):
        if r["org"].value in nodes and r["org"].value not in area_of:
            bodies.setdefault(r["body"].value, r["org"].value)
    for r in _values(store, Q_BODY_AREAS, [(ox.NamedNode(b),) for b in sorted(bodies)]):
        area_of.setdefault(bodies[r["body"].value], r["area"].value)
    # An EPCI has no area of its own: the département of most of its communes.
    counts: dict[str, list[tuple[int, str]]] = defaultdict(list)
    epcis = sorted(b for b, org in bodies.items() if org not in area_of)
    for r in _values(store, Q_EPCI_AREAS, [(ox.NamedNode(b),) for b in epcis]):
        counts[bodies[r["body"].value]].append((-int(r["communes"].value), r["area"].value))
    for org, found in counts.items():
        area_of.setdefault(org, min(found)[1])
    classes = {"Commune": "Commune", "Departement": "Departement", "Region": "Region"}
    wanted: dict[tuple[str, str], list[str]] = defaultdict(list)
    for r in _rows(store, Q_CODES):
        node = nodes.get(r["org"].value)
        if node is not None and node.iri not in area_of and node.kind in classes:
            wanted[r["code"].value, igeo + classes[node.kind]].append(node.iri)
    rows = [(ox.Literal(code), ox.NamedNode(cls)) for code, cls in sorted(wanted)]
    for r in _values(store, Q_CODE_AREAS, rows):
        for org in wanted[r["code"].value, r["class"].value]:
            area_of.setdefault(org, r["area"].value)
    names: dict[str, str] = {}
    areas = sorted(set(area_of.values()))
    for r in _values(store, Q_AREA_NAMES, [(ox.NamedNode(a),) for a in areas]):
        names.setdefault(r["area"].value, r["territory"].value)
    return {org: names[area] for org, area in sorted(area_of.items()) if area in names}
