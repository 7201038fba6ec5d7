"""Who works with whom: the partnership network, its measures and its picture.

- :mod:`.graph`: the network read from any store (organisations, and edges
  for partnerships, shared projects and incubation, with what is behind them);
- :mod:`.measures`: degree, weighted degree, betweenness, PageRank,
  communities, components, bridges and articulation points (igraph);
- :mod:`.rdf`: the measures as the named graph ``analytics/network``;
- :mod:`.files`: GEXF and GraphML files;
- :mod:`.picture`: SVG and PNG pictures (Graphviz).

This module picks parts of a network: one organisation's neighbourhood
(:func:`neighbourhood`), the most central organisations (:func:`most_central`),
and finds an organisation from what a person types (:func:`find_organisation`).

>>> from actorgraph.network.graph import Edge, Network, Node
>>> iris = [f"https://w3id.org/actorgraph/id/organisation/{c}" for c in ("a", "b", "c", "d")]
>>> net = Network({i: Node(i) for i in iris}, {})
>>> for x, y in [(0, 1), (1, 2)]:
...     net.edges[iris[x], iris[y]] = Edge(iris[x], iris[y], relations={"partner"})
>>> sorted(slug_of(i) for i in neighbourhood(net, iris[0], 1))
['a', 'b']
>>> sorted(slug_of(i) for i in neighbourhood(net, iris[0], 2))
['a', 'b', 'c']
>>> slug_of(find_organisation(net, "agorg:c"))
'c'
>>> find_organisation(net, "e")
Traceback (most recent call last):
...
actorgraph.errors.NotFoundError: --ego: no organisation 'e' in the partnership network
"""

from __future__ import annotations

import difflib
from collections import deque

from ..errors import NotFoundError
from ..namespaces import ORG_ID
from ..slug import fold, slugify
from .graph import Edge, Network, Node, read_network, slug_of
from .measures import MEASURES, Measures, NodeMeasures, Parameters, measure


def find_organisation(network: Network, text: str) -> str:
    """The IRI of the organisation ``text`` names: its IRI, ``agorg:`` CURIE,
    slug or name. Raises :class:`NotFoundError` naming the closest slugs."""
    raw = text.strip().removeprefix("<").removesuffix(">")
    candidates = [raw]
    if raw.startswith("agorg:"):
        candidates.append(str(ORG_ID) + raw.removeprefix("agorg:"))
    try:
        slug = slugify(raw)
    except ValueError:  # nothing to make a slug of ("!!")
        slug = raw
    candidates += [str(ORG_ID) + raw, str(ORG_ID) + slug]
    for iri in candidates:
        if iri in network.nodes:
            return iri
    wanted = fold(raw)
    for iri, node in network.nodes.items():
        if node.name and fold(node.name) == wanted:
            return iri
    slugs = [node.slug for node in network.nodes.values()]
    close = difflib.get_close_matches(slug, slugs, n=3, cutoff=0.6)
    raise NotFoundError(
        f"no organisation {text!r} in the partnership network",
        field="--ego",
        hint=f"closest: {', '.join(close)}"
        if close
        else "give a slug, a CURIE (agorg:…) or an IRI",
    )


def neighbourhood(network: Network, iri: str, depth: int = 1) -> set[str]:
    """``iri`` and the organisations at most ``depth`` links away from it."""
    around = network.neighbours()
    seen = {iri}
    queue = deque([(iri, 0)])
    while queue:
        here, d = queue.popleft()
        if d == depth:
            continue
        for there in around[here]:
            if there not in seen:
                seen.add(there)
                queue.append((there, d + 1))
    return seen


def most_central(network: Network, measures: Measures, n: int, by: str = "pagerank") -> list[str]:
    """The ``n`` organisations of ``network`` ranked first by ``by``."""
    return [iri for iri in measures.ranking(by) if iri in network.nodes][:n]


__all__ = [
    "MEASURES",
    "Edge",
    "Measures",
    "Network",
    "Node",
    "NodeMeasures",
    "Parameters",
    "find_organisation",
    "measure",
    "most_central",
    "neighbourhood",
    "read_network",
    "slug_of",
]
