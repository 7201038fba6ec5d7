"""The measures as RDF: the named graph ``analytics/network``.

Each organisation gets its measures as plain statements (``agorg:x ag:degree
14 ; ag:pageRank 0.2075 …``), so that any SPARQL query can sort or filter on
them; the bridges are ``ag:bridgeWith`` statements (once, from the smaller
IRI). The graph says where it comes from as every graph does: it is
``prov:wasDerivedFrom`` an ``ag:Source`` (what computed it), and
``prov:wasGeneratedBy`` an activity that names the graphs it read
(``prov:used``), when it ended and its parameters (``ag:parameters``, JSON).

Decimals are written with ten decimal places at most, so that values equal to
the last bits of a float (PageRank of symmetric organisations) are written
the same, and the file, written in the package's deterministic Turtle,
changes only where a measure does.

>>> from actorgraph.network.graph import Edge, Network, Node
>>> net = Network({"http://e/a": Node("http://e/a"), "http://e/b": Node("http://e/b")}, {})
>>> net.edges["http://e/a", "http://e/b"] = Edge("http://e/a", "http://e/b", relations={"partner"})
>>> from actorgraph.network.measures import measure
>>> lines = triples(net, measure(net), "2026-01-02T03:04:05Z")
>>> [line for line in lines if line.startswith("<http://e/a>")][:2]  # doctest: +NORMALIZE_WHITESPACE
['<http://e/a> <https://w3id.org/actorgraph/ontology#degree> "1"^^<http://www.w3.org/2001/XMLSchema#integer> .',
 '<http://e/a> <https://w3id.org/actorgraph/ontology#weightedDegree> "1"^^<http://www.w3.org/2001/XMLSchema#integer> .']
>>> decimal(0.09024478525704005), decimal(1.0), decimal(0.0), decimal(1e-12)
('0.0902447853', '1.0', '0.0', '0.0')
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from pathlib import Path

from .. import __version__
from ..fsutil import atomic_write
from ..namespaces import AG, SOURCE_ID
from ..project import Project, graph_iri
from .graph import Network
from .measures import Measures

#: The named graph of the measures.
GRAPH_IRI = graph_iri("analytics", "network")
#: What computed them (an ``ag:Source``, as every graph's origin is).
SOURCE_IRI = str(SOURCE_ID["network-analysis"])
#: The computation itself (a ``prov:Activity``).
ACTIVITY_IRI = SOURCE_IRI + "#run"
#: The page of the network (served by the server).
PAGE = "https://w3id.org/actorgraph/network"

_XSD = "http://www.w3.org/2001/XMLSchema#"
_PROV = "http://www.w3.org/ns/prov#"
_RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
_DCTERMS = "http://purl.org/dc/terms/"
_SCHEMA = "https://schema.org/"
_RDFS = "http://www.w3.org/2000/01/rdf-schema#"

HEADER = f"""\
# actorgraph — measures of the partnership network, written by `actorgraph network --rdf`.
# Named graph <{GRAPH_IRI}>.
# Per organisation: ag:degree, ag:weightedDegree, ag:betweenness, ag:pageRank,
# ag:networkCommunity, ag:linkedCommunities, ag:participationCoefficient,
# ag:networkComponent, ag:articulationPoint; ag:bridgeWith for each bridge. The activity at the end says when, from which graphs and
# with which parameters they were computed. Do not edit: run the command again.

"""


def decimal(value: float) -> str:
    """``value`` as an ``xsd:decimal`` lexical form, ten decimal places at most."""
    text = f"{value:.10f}".rstrip("0")
    return text + "0" if text.endswith(".") else text


def _literal(value: object, lang: str | None = None) -> str:
    """N-Triples form of a Python value (``lang``: a language-tagged string)."""
    if isinstance(value, bool):
        return f'"{str(value).lower()}"^^<{_XSD}boolean>'
    if isinstance(value, int):
        return f'"{value}"^^<{_XSD}integer>'
    if isinstance(value, float):
        return f'"{decimal(value)}"^^<{_XSD}decimal>'
    text = str(value).replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{text}"@{lang}' if lang else f'"{text}"'


def count(n: int, word: str, plural: str | None = None) -> str:
    """``1 bridge``, ``2 bridges``.

    >>> count(1, "community", "communities"), count(3, "bridge")
    ('1 community', '3 bridges')
    """
    return f"{n:,} {word if n == 1 else plural or word + 's'}"


def summary(network: Network, measures: Measures) -> str:
    """One line: organisations, edges, communities, components, bridges."""
    return (
        f"{count(len(network.nodes), 'organisation')}, {count(len(network.edges), 'link')}, "
        f"{count(measures.communities, 'community', 'communities')} "
        f"(modularity {measures.modularity:.3f}), {count(measures.components, 'component')}, "
        f"{count(len(measures.bridges), 'bridge')}, "
        f"{count(len(measures.articulation_points), 'articulation point')}"
    )


def triples(network: Network, measures: Measures, ended: str) -> list[str]:
    """The graph's statements as N-Triples lines (``ended``: an ``xsd:dateTime``)."""
    lines: list[str] = []

    def add(s: str, p: str, o: str) -> None:
        lines.append(f"<{s}> <{p}> {o} .")

    for iri, m in measures.nodes.items():
        add(iri, f"{AG}degree", _literal(m.degree))
        add(iri, f"{AG}weightedDegree", _literal(m.weighted_degree))
        add(iri, f"{AG}betweenness", _literal(m.betweenness))
        add(iri, f"{AG}pageRank", _literal(m.pagerank))
        add(iri, f"{AG}networkCommunity", _literal(m.community))
        add(iri, f"{AG}linkedCommunities", _literal(m.linked_communities))
        add(iri, f"{AG}participationCoefficient", _literal(m.participation))
        add(iri, f"{AG}networkComponent", _literal(m.component))
        if m.articulation:
            add(iri, f"{AG}articulationPoint", _literal(True))
    for a, b in measures.bridges:
        add(a, f"{AG}bridgeWith", f"<{b}>")

    add(GRAPH_IRI, f"{_PROV}wasDerivedFrom", f"<{SOURCE_IRI}>")
    add(GRAPH_IRI, f"{_PROV}wasGeneratedBy", f"<{ACTIVITY_IRI}>")
    add(SOURCE_IRI, _RDF_TYPE, f"<{AG}Source>")
    add(SOURCE_IRI, f"{_DCTERMS}title", _literal("Mesures du réseau des partenariats", "fr"))
    add(SOURCE_IRI, f"{_DCTERMS}title", _literal("Partnership network measures", "en"))
    software = ", ".join(f"{k} {v}" for k, v in sorted(measures.software.items()))
    add(SOURCE_IRI, f"{_DCTERMS}creator", _literal(f"actorgraph {__version__} ({software})"))
    add(SOURCE_IRI, f"{_SCHEMA}url", f"<{PAGE}>")
    add(ACTIVITY_IRI, _RDF_TYPE, f"<{_PROV}Activity>")
    add(ACTIVITY_IRI, f"{_RDFS}comment", _literal(summary(network, measures), "en"))
    add(ACTIVITY_IRI, f"{_PROV}endedAtTime", f'"{ended}"^^<{_XSD}dateTime>')
    params = {
        **measures.parameters.to_dict(),
        "betweenness": "exact"
        if measures.betweenness_pivots is None
        else f"sampled from {measures.betweenness_pivots} organisations",
        "communities": "Leiden, weighted modularity",
        "pagerank": "weighted",
        "weight": "shared projects + 1 for a partnership outside projects + 1 for an incubation",
    }
    add(ACTIVITY_IRI, f"{AG}parameters", _literal(json.dumps(params, sort_keys=True)))
    for g in sorted(network.graphs):
        add(ACTIVITY_IRI, f"{_PROV}used", f"<{g}>")
    return lines


def turtle(network: Network, measures: Measures, ended: datetime | None = None) -> bytes:
    """The graph as a Turtle document, with its comment banner."""
    from ..rdf import serialize_graphs
    from ..store import EmbeddedStore

    when = (ended or datetime.now(UTC)).strftime("%Y-%m-%dT%H:%M:%SZ")
    store = EmbeddedStore()
    store.load_bytes("\n".join(triples(network, measures, when)).encode(), "nt", graph=GRAPH_IRI)
    return HEADER.encode() + serialize_graphs(store, "ttl", [GRAPH_IRI])


_ENDED = re.compile(rb'prov:endedAtTime "[^"]*"')


def write(project: Project, network: Network, measures: Measures) -> tuple[Path, bool]:
    """Write ``data/analytics/network.ttl``; returns its path and whether it
    changed. A file whose measures are the same is left as it was (its time
    too), so that running the command again makes no diff."""
    path = project.analytics_dir / "network.ttl"
    data = turtle(network, measures)
    if path.is_file():
        old = path.read_bytes()
        if _ENDED.sub(b"", old) == _ENDED.sub(b"", data):
            return path, False
    atomic_write(path, data)
    return path, True


__all__ = ["GRAPH_IRI", "decimal", "triples", "turtle", "write"]
