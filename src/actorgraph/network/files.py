"""The network as a file for network tools: GEXF 1.3 (Gephi) and GraphML
(Cytoscape, Gephi, yEd, igraph, networkx).

Nodes carry their IRI (as id), name, slug, kind, territory and measures, and
in GEXF a colour by kind and a size by PageRank; edges their weight,
relations, projects, roles and sources. Written with the standard library's
ElementTree in a fixed order: the same network gives the same bytes.

>>> from actorgraph.network.graph import Edge, Network, Node
>>> from actorgraph.network.measures import measure
>>> net = Network({"http://e/a": Node("http://e/a", "A"), "http://e/b": Node("http://e/b", "B")}, {})
>>> net.edges["http://e/a", "http://e/b"] = Edge("http://e/a", "http://e/b", relations={"partner"})
>>> text = graphml(net, measure(net)).decode()
>>> text.count("<node "), text.count("<edge ")
(2, 1)
>>> b'<gexf xmlns="http://gexf.net/1.3"' in gexf(net, measure(net))
True
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..errors import UsageError
from ..fsutil import atomic_write
from .graph import Network
from .measures import Measures
from .picture import colour

GEXF_NS = "http://gexf.net/1.3"
VIZ_NS = "http://gexf.net/1.3/viz"
GRAPHML_NS = "http://graphml.graphdrawing.org/xmlns"

#: Node attributes: name, GraphML/GEXF type, value of (network, measures, IRI).
_Getter = Callable[[Network, Measures, str], Any]
NODE_ATTRIBUTES: list[tuple[str, str, _Getter]] = [
    ("slug", "string", lambda n, m, i: n.nodes[i].slug),
    ("kind", "string", lambda n, m, i: n.nodes[i].kind),
    ("territory", "string", lambda n, m, i: n.nodes[i].territory),
    ("degree", "int", lambda n, m, i: m.nodes[i].degree),
    ("weighted_degree", "int", lambda n, m, i: m.nodes[i].weighted_degree),
    ("betweenness", "double", lambda n, m, i: m.nodes[i].betweenness),
    ("pagerank", "double", lambda n, m, i: m.nodes[i].pagerank),
    ("community", "int", lambda n, m, i: m.nodes[i].community),
    ("linked_communities", "int", lambda n, m, i: m.nodes[i].linked_communities),
    ("participation", "double", lambda n, m, i: m.nodes[i].participation),
    ("component", "int", lambda n, m, i: m.nodes[i].component),
    ("articulation_point", "boolean", lambda n, m, i: m.nodes[i].articulation),
]


#: Edge attributes besides the weight, all strings.
EDGE_ATTRIBUTES = ("relations", "projects", "roles", "sources")


def _edge_values(network: Network, key: tuple[str, str]) -> list[tuple[str, str]]:
    e = network.edges[key]
    names = network.names
    return [
        ("relations", " ".join(sorted(e.relations))),
        ("projects", "; ".join(sorted(names.get(p, p) for p in e.projects))),
        ("roles", "; ".join(sorted(names.get(r, r) for r in e.roles))),
        ("sources", " ".join(sorted(e.sources))),
    ]


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float):
        return f"{value:.10g}"
    return str(value)


def _bytes(root: ET.Element) -> bytes:
    ET.indent(root, space=" ")
    return ET.tostring(root, encoding="utf-8", xml_declaration=True) + b"\n"


def graphml(network: Network, measures: Measures) -> bytes:
    """The network as GraphML (undirected; ``weight`` on edges)."""
    ET.register_namespace("", GRAPHML_NS)
    root = ET.Element(f"{{{GRAPHML_NS}}}graphml")
    q = f"{{{GRAPHML_NS}}}"
    keys = [("label", "string", "node")]
    keys += [(name, kind, "node") for name, kind, _ in NODE_ATTRIBUTES]
    keys += [("weight", "int", "edge")]
    keys += [(name, "string", "edge") for name in EDGE_ATTRIBUTES]
    for name, kind, where in keys:
        ET.SubElement(
            root,
            q + "key",
            {"id": f"{where[0]}_{name}", "for": where, "attr.name": name, "attr.type": kind},
        )
    graph = ET.SubElement(root, q + "graph", {"id": "partnerships", "edgedefault": "undirected"})
    for iri, node in network.nodes.items():
        el = ET.SubElement(graph, q + "node", {"id": iri})
        ET.SubElement(el, q + "data", {"key": "n_label"}).text = node.label
        for name, _, get in NODE_ATTRIBUTES:
            ET.SubElement(el, q + "data", {"key": f"n_{name}"}).text = _text(
                get(network, measures, iri)
            )
    for key, edge in network.edges.items():
        el = ET.SubElement(graph, q + "edge", {"source": edge.a, "target": edge.b})
        ET.SubElement(el, q + "data", {"key": "e_weight"}).text = str(edge.weight)
        for name, value in _edge_values(network, key):
            ET.SubElement(el, q + "data", {"key": f"e_{name}"}).text = value
    return _bytes(root)


_GEXF_TYPES = {"int": "integer", "double": "double", "string": "string", "boolean": "boolean"}


def gexf(network: Network, measures: Measures) -> bytes:
    """The network as GEXF 1.3, with colours by kind and sizes by PageRank."""
    ET.register_namespace("", GEXF_NS)
    ET.register_namespace("viz", VIZ_NS)
    q, viz = f"{{{GEXF_NS}}}", f"{{{VIZ_NS}}}"
    root = ET.Element(q + "gexf", {"version": "1.3"})
    meta = ET.SubElement(root, q + "meta")
    ET.SubElement(meta, q + "creator").text = "actorgraph network"
    ET.SubElement(meta, q + "description").text = (
        "Partnership network of the actorgraph knowledge graph: organisations linked by "
        "partnerships, shared projects and incubation"
    )
    graph = ET.SubElement(root, q + "graph", {"defaultedgetype": "undirected", "mode": "static"})
    attrs = ET.SubElement(graph, q + "attributes", {"class": "node"})
    for name, kind, _ in NODE_ATTRIBUTES:
        ET.SubElement(
            attrs, q + "attribute", {"id": name, "title": name, "type": _GEXF_TYPES[kind]}
        )
    attrs = ET.SubElement(graph, q + "attributes", {"class": "edge"})
    for name in EDGE_ATTRIBUTES:
        ET.SubElement(attrs, q + "attribute", {"id": name, "title": name, "type": "string"})
    top = max((m.pagerank for m in measures.nodes.values()), default=0.0) or 1.0
    nodes = ET.SubElement(graph, q + "nodes")
    for iri, node in network.nodes.items():
        el = ET.SubElement(nodes, q + "node", {"id": iri, "label": node.label})
        values = ET.SubElement(el, q + "attvalues")
        for name, _, get in NODE_ATTRIBUTES:
            ET.SubElement(
                values, q + "attvalue", {"for": name, "value": _text(get(network, measures, iri))}
            )
        red, green, blue = colour(node.kind)
        ET.SubElement(el, viz + "color", {"r": str(red), "g": str(green), "b": str(blue)})
        size = 4 + 36 * (measures.nodes[iri].pagerank / top) ** 0.5
        ET.SubElement(el, viz + "size", {"value": f"{size:.2f}"})
    edges = ET.SubElement(graph, q + "edges")
    for number, (key, edge) in enumerate(network.edges.items()):
        el = ET.SubElement(
            edges,
            q + "edge",
            {"id": str(number), "source": edge.a, "target": edge.b, "weight": str(edge.weight)},
        )
        values = ET.SubElement(el, q + "attvalues")
        for name, value in _edge_values(network, key):
            ET.SubElement(values, q + "attvalue", {"for": name, "value": value})
    return _bytes(root)


WRITERS: dict[str, Callable[[Network, Measures], bytes]] = {".gexf": gexf, ".graphml": graphml}


def write(path: Path, network: Network, measures: Measures) -> None:
    """Write ``path`` in the format its extension names (``.gexf``, ``.graphml``)."""
    writer = WRITERS.get(path.suffix.lower())
    if writer is None:
        raise UsageError(
            f"{path}: unknown graph file extension {path.suffix!r}; expected .gexf or .graphml"
        )
    atomic_write(path, writer(network, measures))
