"""What the reconciliation service speaks of: its types and its properties.

**Types** are the organisation classes of the ontology, read from the store
through the organisation-kinds vocabulary (each concept names its class with
``ag:kindClass``, its ``skos:broader`` gives the hierarchy): ``ag:Organisation``,
``ag:Association``, ``ag:Commune``, ``ag:EPCI``, ``ag:Metropole``… A type is
written as the class IRI, its CURIE (``ag:Commune``), its local name
(``Commune``), its concept (``agc:commune``), its label (``commune``,
``communauté d'agglomération``), or the INSEE geographic class of the
territory an authority governs (``igeo:Commune``, ``igeo:Departement``,
``igeo:Region``). A type stands for itself and every narrower type.

**Properties** come in two sets: those a query may give to tell candidates
apart (:data:`QUERY_PROPERTIES`) and those the data extension service
returns (:data:`EXTEND_PROPERTIES`).

>>> types = Types.fallback()
>>> types.resolve("igeo:Commune") == types.resolve("commune") == str(AG.Commune)
True
>>> sorted(t.rsplit("#", 1)[1] for t in types.narrower(str(AG.EPCI)))  # doctest: +NORMALIZE_WHITESPACE
['CommunauteAgglomeration', 'CommunauteCommunes', 'CommunauteUrbaine', 'EPCI', 'Metropole']
>>> query_property("code_insee").id, query_property("ag:siren").id
('inseeCode', 'siren')
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from ..errors import UsageError
from ..match import words
from ..namespaces import AG, CONCEPT_ID, FOAF, IGEO, PREFIXES, SCHEMA
from ..store import Store


@dataclass(frozen=True)
class Kind:
    """One type of the service: an organisation class of the ontology."""

    iri: str
    name: str  # French label
    name_en: str
    broader: tuple[str, ...] = ()
    concept: str | None = None

    @property
    def local(self) -> str:
        return self.iri.rsplit("#", 1)[-1]


#: The organisation classes and their hierarchy, used when the store holds no
#: organisation-kinds vocabulary (a store of instance data only).
_FALLBACK: tuple[tuple[str, str, str, str | None], ...] = (
    ("Organisation", "Organisation", "Organisation", None),
    ("Association", "Association", "Association (non-profit)", "Organisation"),
    ("FoundationOrNetwork", "Fondation ou réseau", "Foundation or network", "Organisation"),
    ("PublicOrganisation", "Organisation publique", "Public organisation", "Organisation"),
    ("LocalAuthority", "Collectivité territoriale", "Local authority", "PublicOrganisation"),
    ("Commune", "Commune", "Commune (municipality)", "LocalAuthority"),
    ("Departement", "Département", "Département", "LocalAuthority"),
    ("Region", "Région", "Région (region)", "LocalAuthority"),
    (
        "EPCI",
        "Établissement public de coopération intercommunale",
        "Inter-municipal cooperation body (EPCI)",
        "PublicOrganisation",
    ),
    ("Metropole", "Métropole", "Metropolitan authority (métropole)", "EPCI"),
    ("CommunauteUrbaine", "Communauté urbaine", "Urban community", "EPCI"),
    ("CommunauteAgglomeration", "Communauté d'agglomération", "Agglomeration community", "EPCI"),
    ("CommunauteCommunes", "Communauté de communes", "Community of communes", "EPCI"),
    ("StateService", "Service de l'État", "State service", "PublicOrganisation"),
    (
        "PublicFinancialInstitution",
        "Institution financière publique",
        "Public financial institution",
        "PublicOrganisation",
    ),
)

#: The INSEE geographic classes of territories, for the authority governing each.
_TERRITORY_CLASSES = {
    str(IGEO.Commune): str(AG.Commune),
    str(IGEO.Departement): str(AG.Departement),
    str(IGEO.Region): str(AG.Region),
}

_KINDS_QUERY = f"""
PREFIX ag: <{AG}>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?class ?concept ?fr ?en ?broader WHERE {{
  ?concept ag:kindClass ?class .
  OPTIONAL {{ ?concept skos:prefLabel ?fr FILTER (lang(?fr) = "fr") }}
  OPTIONAL {{ ?concept skos:prefLabel ?en FILTER (lang(?en) = "en") }}
  OPTIONAL {{ ?concept skos:broader ?up . ?up ag:kindClass ?broader }}
}}
"""


@dataclass
class Types:
    """The service's types, by IRI, with every way of writing one."""

    kinds: dict[str, Kind]
    _aliases: dict[str, str] = field(default_factory=dict, repr=False)
    _narrower: dict[str, frozenset[str]] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        children: dict[str, set[str]] = {}
        for kind in self.kinds.values():
            for up in kind.broader:
                children.setdefault(up, set()).add(kind.iri)

        def below(iri: str, seen: frozenset[str] = frozenset()) -> set[str]:
            out = {iri}
            for child in children.get(iri, ()):
                if child not in seen:
                    out |= below(child, seen | {iri})
            return out

        self._narrower = {iri: frozenset(below(iri)) for iri in self.kinds}
        for kind in self.kinds.values():
            keys = [kind.iri, f"ag:{kind.local}", kind.local, kind.name, kind.name_en]
            if kind.concept:
                keys += [kind.concept, f"agc:{kind.concept.rsplit('/', 1)[-1]}"]
                keys.append(kind.concept.rsplit("/", 1)[-1])
            for key in keys:
                self._aliases.setdefault(_key(key), kind.iri)
        for geo, iri in _TERRITORY_CLASSES.items():
            if iri in self.kinds:
                self._aliases[_key(geo)] = iri
                self._aliases[_key("igeo:" + geo.rsplit("#", 1)[-1])] = iri
        if str(AG.EPCI) in self.kinds:
            self._aliases.setdefault("epci", str(AG.EPCI))

    @classmethod
    def fallback(cls) -> Types:
        """The ontology's organisation classes as this package knows them."""
        kinds = {}
        for local, fr, en, up in _FALLBACK:
            iri = str(AG[local])
            concept = str(CONCEPT_ID[_concept_slug(local)])
            kinds[iri] = Kind(iri, fr, en, (str(AG[up]),) if up else (), concept)
        return cls(kinds)

    @classmethod
    def read(cls, store: Store) -> Types:
        """The types of the organisation-kinds vocabulary in ``store`` (the
        package's own list when the store holds none)."""
        found: dict[str, dict[str, object]] = {}
        for row in store.select(_KINDS_QUERY):
            iri = row["class"].value
            if not iri.startswith(str(AG)):
                continue
            entry = found.setdefault(iri, {"broader": set()})
            entry.setdefault("concept", row["concept"].value)
            if "fr" in row:
                entry.setdefault("fr", row["fr"].value)
            if "en" in row:
                entry.setdefault("en", row["en"].value)
            if "broader" in row:
                broader = entry["broader"]
                assert isinstance(broader, set)
                broader.add(row["broader"].value)
        if not found:
            return cls.fallback()
        kinds = {}
        for iri, entry in sorted(found.items()):
            local = iri.rsplit("#", 1)[-1]
            fr = str(entry.get("fr") or local)
            broader = entry["broader"]
            assert isinstance(broader, set)
            kinds[iri] = Kind(
                iri, fr, str(entry.get("en") or fr), tuple(sorted(broader)), str(entry["concept"])
            )
        return cls(kinds)

    def resolve(self, written: str) -> str:
        """The IRI of the type ``written`` names; a :class:`UsageError` otherwise."""
        iri = self._aliases.get(_key(written))
        if iri is None:
            known = ", ".join(f"ag:{k.local}" for k in self.kinds.values())
            raise UsageError(f"unknown type {written!r}; the types are {known}", field="type")
        return iri

    def narrower(self, iri: str) -> frozenset[str]:
        """``iri`` and every type below it."""
        return self._narrower.get(iri, frozenset({iri}))

    def most_specific(self, classes: Iterable[str]) -> list[str]:
        """The known ``classes`` that no other of them is narrower than, sorted."""
        known = {c for c in classes if c in self.kinds}
        return sorted(c for c in known if not any(o != c and o in self.narrower(c) for o in known))

    def ordered(self) -> list[Kind]:
        """Every type, broader ones first (then by name)."""

        def depth(kind: Kind, seen: frozenset[str] = frozenset()) -> int:
            ups = [self.kinds[u] for u in kind.broader if u in self.kinds and u not in seen]
            return 1 + max((depth(u, seen | {kind.iri}) for u in ups), default=0)

        return sorted(self.kinds.values(), key=lambda k: (depth(k), k.name))


def _key(text: str) -> str:
    """How type names are compared: full IRIs and CURIEs as written, other
    names by their folded words."""
    if ":" in text and " " not in text.strip():
        prefix, _, local = text.strip().partition(":")
        if prefix in PREFIXES:
            return PREFIXES[prefix] + local
        return text.strip()
    return words(text)


def _concept_slug(local: str) -> str:
    out = ""
    for i, ch in enumerate(local):
        if ch.isupper() and i and not local[i - 1].isupper():
            out += "-"
        out += ch.lower()
    return out


# ------------------------------------------------------------------ properties


@dataclass(frozen=True)
class Property:
    """A property of the service: its id, its names and what it is for."""

    id: str
    name: str
    description: str
    aliases: tuple[str, ...] = ()
    #: The type its values are entities of (data extension), if any.
    value_type: str | None = None
    #: The types whose entities have it (None: every type).
    applies_to: tuple[str, ...] | None = None


_TERRITORIES = (str(AG.Commune), str(AG.EPCI), str(AG.Departement), str(AG.Region))

#: Properties a reconciliation query may give, besides the name, to tell candidates apart.
QUERY_PROPERTIES: tuple[Property, ...] = (
    Property(
        "siren",
        "SIREN",
        "SIREN number of the body (9 digits; a 14-digit SIRET is cut to its SIREN)",
        ("ag:siren", str(AG.siren), "numero siren", "siret"),
    ),
    Property(
        "inseeCode",
        "code INSEE",
        "INSEE code of the territory governed: commune (5 characters), département or région",
        (
            "ag:inseeCode",
            str(AG.inseeCode),
            "insee",
            "code insee",
            "codeinsee",
            "code commune",
            "igeo:codeINSEE",
            str(IGEO.codeINSEE),
            "cog",
        ),
    ),
    Property(
        "departement",
        "département",
        "Code (33, 2A, 971) or name (Gironde) of the département the commune, EPCI or "
        "département is in",
        ("dep", "dept", "code departement", "departement code", "numero departement"),
    ),
    Property(
        "commune",
        "commune",
        "Name of a commune the entity is, or holds (a commune of an EPCI, a département, a région)",
        ("ville", "nom commune", "commune name", "libelle commune"),
    ),
    Property(
        "website",
        "site web",
        "Website of the organisation (compared by host name)",
        (
            "foaf:homepage",
            str(FOAF.homepage),
            "schema:url",
            str(SCHEMA.url),
            "site",
            "url",
            "site web",
            "homepage",
        ),
    ),
)

#: Properties the data extension service returns.
EXTEND_PROPERTIES: tuple[Property, ...] = (
    Property("siren", "SIREN", "SIREN number(s) of the body"),
    Property(
        "inseeCode",
        "code INSEE",
        "INSEE code of the territory governed",
        (),
        None,
        (str(AG.Commune), str(AG.Departement), str(AG.Region)),
    ),
    Property("kind", "type", "Types of the entity (organisation kinds of the ontology)"),
    Property(
        "departement",
        "département",
        "Département of a commune or EPCI",
        (),
        str(AG.Departement),
        (str(AG.Commune), str(AG.EPCI)),
    ),
    Property(
        "region",
        "région",
        "Région of a commune, EPCI or département",
        (),
        str(AG.Region),
        (str(AG.Commune), str(AG.EPCI), str(AG.Departement)),
    ),
    Property(
        "epci", "EPCI", "The EPCI a commune is a member of", (), str(AG.EPCI), (str(AG.Commune),)
    ),
    Property(
        "parents",
        "territoires parents",
        "Every territory above the entity: its EPCI, département and région",
        (),
        str(AG.Organisation),
        (str(AG.Commune), str(AG.EPCI), str(AG.Departement)),
    ),
    Property("wikidata", "Wikidata", "Wikidata items of the territory and of the institution"),
    Property("website", "site web", "Website of the organisation"),
    Property(
        "partners",
        "nombre de partenaires",
        "Number of organisations it is a partner of or has as partners "
        "(both directions, as the partners-of question counts them)",
    ),
)

_QUERY_BY_KEY: dict[str, Property] = {}
for _p in QUERY_PROPERTIES:
    for _alias in (_p.id, _p.name, *_p.aliases):
        _QUERY_BY_KEY.setdefault(_key(_alias), _p)
_EXTEND_BY_ID: Mapping[str, Property] = {p.id: p for p in EXTEND_PROPERTIES}


def query_property(pid: str) -> Property:
    """The query property ``pid`` names (its id, name, CURIE or IRI)."""
    prop = _QUERY_BY_KEY.get(_key(pid)) if isinstance(pid, str) else None
    if prop is None:
        known = ", ".join(p.id for p in QUERY_PROPERTIES)
        raise UsageError(f"unknown property {pid!r}: a query can use {known}", field="properties")
    return prop


def extend_property(pid: str) -> Property:
    """The data extension property of id ``pid``."""
    prop = _EXTEND_BY_ID.get(pid) if isinstance(pid, str) else None
    if prop is None:
        known = ", ".join(_EXTEND_BY_ID)
        raise UsageError(f"unknown property {pid!r}: the properties are {known}", field="extend")
    return prop


__all__ = [
    "EXTEND_PROPERTIES",
    "QUERY_PROPERTIES",
    "Kind",
    "Property",
    "Types",
    "extend_property",
    "query_property",
]
