"""Every namespace the project uses, in one place.

>>> str(AG.Organisation)
'https://w3id.org/actorgraph/ontology#Organisation'
>>> AG.Organisaton
Traceback (most recent call last):
...
AttributeError: term 'Organisaton' not in namespace 'https://w3id.org/actorgraph/ontology#'
>>> str(ORG_ID["la-27e-region"])
'https://w3id.org/actorgraph/id/organisation/la-27e-region'
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from rdflib import Namespace
from rdflib.namespace import DCAT, DCTERMS, FOAF, ORG, OWL, PROV, RDF, RDFS, SKOS, VOID, XSD

from ._ag import AG  # generated from the ontology: a mistyped term raises

BASE = "https://w3id.org/actorgraph/"

AGSH = Namespace(BASE + "shapes#")
ORG_ID = Namespace(BASE + "id/organisation/")
PROJECT_ID = Namespace(BASE + "id/project/")
PARTNERSHIP_ID = Namespace(BASE + "id/partnership/")
RESOURCE_ID = Namespace(BASE + "id/resource/")
CONCEPT_ID = Namespace(BASE + "id/concept/")
SOURCE_ID = Namespace(BASE + "id/source/")
GRAPH = Namespace(BASE + "graph/")

SCHEMA = Namespace("https://schema.org/")
CV = Namespace("http://data.europa.eu/m8g/")
VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
ADMS = Namespace("http://www.w3.org/ns/adms#")
PAIR = Namespace("http://virtual-assembly.org/ontologies/pair#")
SH = Namespace("http://www.w3.org/ns/shacl#")
WD = Namespace("http://www.wikidata.org/entity/")
WDT = Namespace("http://www.wikidata.org/prop/direct/")
IGEO = Namespace("http://rdf.insee.fr/def/geo#")
VANN = Namespace("http://purl.org/vocab/vann/")
SSSOM = Namespace("https://w3id.org/sssom/")
SEMAPV = Namespace("https://w3id.org/semapv/vocab/")

#: Instance kinds (docs/model.md, "Prefixes"; a contract) and their namespace.
KINDS: dict[str, Namespace] = {
    "organisation": ORG_ID,
    "project": PROJECT_ID,
    "partnership": PARTNERSHIP_ID,
    "resource": RESOURCE_ID,
    "concept": CONCEPT_ID,
    "source": SOURCE_ID,
}

#: Prefixes written in Turtle output and accepted in CURIEs, in a stable order.
PREFIXES: dict[str, str] = {
    "ag": str(AG),
    "agsh": str(AGSH),
    "agorg": str(ORG_ID),
    "agproj": str(PROJECT_ID),
    "agpart": str(PARTNERSHIP_ID),
    "agres": str(RESOURCE_ID),
    "agc": str(CONCEPT_ID),
    "agsrc": str(SOURCE_ID),
    "aggraph": str(GRAPH),
    "adms": str(ADMS),
    "cv": str(CV),
    "dcat": str(DCAT),
    "dcterms": str(DCTERMS),
    "foaf": str(FOAF),
    "igeo": str(IGEO),
    "org": str(ORG),
    "owl": str(OWL),
    "pair": str(PAIR),
    "prov": str(PROV),
    "rdf": str(RDF),
    "rdfs": str(RDFS),
    "schema": str(SCHEMA),
    "semapv": str(SEMAPV),
    "sh": str(SH),
    "skos": str(SKOS),
    "sssom": str(SSSOM),
    "vann": str(VANN),
    "vcard": str(VCARD),
    "void": str(VOID),
    "wd": str(WD),
    "wdt": str(WDT),
    "xsd": str(XSD),
}


_TURTLE_LOCAL = re.compile(r"[A-Za-z0-9_](?:[A-Za-z0-9_.-]*[A-Za-z0-9_-])?")


def curie(iri: str, *, strict: bool = True, prefixes: Iterable[str] | None = None) -> str | None:
    """``iri`` as ``prefix:local`` with the longest known namespace that fits, or None.

    ``strict`` keeps only local names that are valid as written in Turtle
    (letters, digits, ``_ - .``, not ending with ``.``); otherwise any non-empty
    rest will do (for display). ``prefixes`` limits the choice to those names.

    >>> curie("https://w3id.org/actorgraph/id/organisation/fing")
    'agorg:fing'
    >>> curie("https://w3id.org/actorgraph/graph/links/wikidata") is None
    True
    >>> curie("https://w3id.org/actorgraph/graph/links/wikidata", strict=False)
    'aggraph:links/wikidata'
    """
    best: tuple[int, str] | None = None
    for prefix in PREFIXES if prefixes is None else prefixes:
        ns = PREFIXES[prefix]
        if not iri.startswith(ns) or len(iri) == len(ns):
            continue
        local = iri[len(ns) :]
        if strict and not _TURTLE_LOCAL.fullmatch(local):
            continue
        if best is None or len(ns) > best[0]:
            best = (len(ns), f"{prefix}:{local}")
    return best[1] if best else None


def sparql_prefixes() -> str:
    """The PREFIX block for every known namespace."""
    return "".join(f"PREFIX {p}: <{iri}>\n" for p, iri in PREFIXES.items())
