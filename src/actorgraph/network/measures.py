"""The measures of a network, computed with igraph (its C core keeps a
network of 17,000 organisations and 120,000 edges within seconds).

Per organisation: degree (organisations linked), weighted degree (the sum of
the weights of its edges), betweenness (unweighted shortest paths,
normalised as networkx does: divided by (n-1)(n-2)/2), PageRank (weighted,
damping 0.85), its community (Leiden, optimising weighted modularity), its
connected component, whether it is an articulation point (removing it
splits its component), and how it links communities: the number of other
communities its partners are in, and its participation coefficient. Per network: the bridges (edges whose removal splits a
component), the modularity of the communities.

Betweenness is exact up to :attr:`Parameters.exact_betweenness` organisations
(2,000 by default); beyond, it is estimated from shortest paths out of
:attr:`Parameters.samples` organisations drawn with the seed, scaled by
n / samples (Brandes and Pich's pivot sampling).

Every value is deterministic: the random draws (Leiden, the betweenness
pivots) use a generator seeded with :attr:`Parameters.seed`, and communities
and components are numbered by decreasing size, ties by their first IRI.

>>> from actorgraph.network.graph import Edge, Network, Node
>>> iris = [f"http://e/{c}" for c in "abcd"]
>>> net = Network({i: Node(i) for i in iris}, {})
>>> for x, y in [("a", "b"), ("a", "c"), ("a", "d")]:
...     e = Edge(f"http://e/{x}", f"http://e/{y}", relations={"partner"})
...     net.edges[e.a, e.b] = e
>>> m = measure(net)
>>> m.nodes["http://e/a"].degree, m.nodes["http://e/a"].betweenness
(3, 1.0)
>>> m.nodes["http://e/a"].articulation, len(m.bridges)
(True, 3)
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from typing import Any

from .graph import Network

#: The measures an organisation has, as ``--size-by`` and the RDF name them.
MEASURES = ("pagerank", "degree", "weighted-degree", "betweenness")


@dataclass(frozen=True)
class Parameters:
    """What the measures depend on besides the network (recorded with them)."""

    seed: int = 27
    #: Exact betweenness up to this many organisations, sampled beyond.
    exact_betweenness: int = 2000
    #: Pivots of the sampled betweenness.
    samples: int = 500
    damping: float = 0.85
    #: Resolution of the modularity the Leiden algorithm optimises.
    resolution: float = 1.0

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class NodeMeasures:
    """The measures of one organisation."""

    degree: int = 0
    weighted_degree: int = 0
    betweenness: float = 0.0
    pagerank: float = 0.0
    community: int = 0
    #: Communities other than its own that its partners belong to.
    linked_communities: int = 0
    #: How evenly its links spread over communities (Guimerà and Amaral):
    #: 1 − Σ (links into community s / degree)², 0 when all stay in one.
    participation: float = 0.0
    component: int = 0
    articulation: bool = False

    def value(self, measure: str) -> float:
        """One of :data:`MEASURES` by name."""
        return float(getattr(self, measure.replace("-", "_")))


@dataclass
class Measures:
    """The measures of every organisation of a network, and of the network."""

    nodes: dict[str, NodeMeasures]
    parameters: Parameters
    #: Edges (IRI pairs, sorted) whose removal splits their component.
    bridges: list[tuple[str, str]] = field(default_factory=list)
    communities: int = 0
    components: int = 0
    modularity: float = 0.0
    #: Whether betweenness is exact, or the number of pivots it was estimated from.
    betweenness_pivots: int | None = None
    #: Versions of the libraries that computed them.
    software: dict[str, str] = field(default_factory=dict)

    def ranking(self, by: str = "pagerank") -> list[str]:
        """IRIs, most central first: by ``by``, then degree, then IRI (values
        equal but for the last bits of a float count as equal)."""
        return sorted(
            self.nodes,
            key=lambda iri: (-round(self.nodes[iri].value(by), 12), -self.nodes[iri].degree, iri),
        )

    @property
    def articulation_points(self) -> list[str]:
        return [iri for iri, m in self.nodes.items() if m.articulation]


@contextmanager
def _seeded(seed: int) -> Iterator[None]:
    """igraph draws from Python's ``random`` module: a seeded generator of
    our own meanwhile, so that the caller's random state is left alone."""
    import igraph

    igraph.set_random_number_generator(random.Random(seed))
    try:
        yield
    finally:
        igraph.set_random_number_generator(random)


def _numbered(groups: list[list[int]]) -> list[int]:
    """Group numbers from 1, by decreasing size, ties by smallest member,
    for each vertex."""
    order = sorted(groups, key=lambda g: (-len(g), min(g)))
    number = [0] * sum(len(g) for g in groups)
    for i, group in enumerate(order, start=1):
        for v in group:
            number[v] = i
    return number


def measure(network: Network, parameters: Parameters | None = None) -> Measures:
    """Every measure of :mod:`this module <actorgraph.network.measures>` for ``network``."""
    import igraph

    params = parameters or Parameters()
    iris = list(network.nodes)
    index = {iri: i for i, iri in enumerate(iris)}
    pairs = [(index[a], index[b]) for a, b in network.edges]
    weights = [e.weight for e in network.edges.values()]
    g = igraph.Graph(n=len(iris), edges=pairs, directed=False)
    g.es["weight"] = weights
    n = len(iris)

    degree = g.degree()
    strength = g.strength(weights="weight") if pairs else [0] * n
    pivots: int | None = None
    if n <= params.exact_betweenness:
        raw = g.betweenness(directed=False)
    else:
        pivots = min(params.samples, n)
        sources = sorted(random.Random(params.seed).sample(range(n), pivots))
        raw = [b * n / pivots for b in g.betweenness(directed=False, sources=sources)]
    scale = 2 / ((n - 1) * (n - 2)) if n > 2 else 0.0
    pagerank = g.pagerank(weights="weight" if pairs else None, damping=params.damping)

    with _seeded(params.seed):
        clustering = g.community_leiden(
            objective_function="modularity",
            weights="weight" if pairs else None,
            resolution=params.resolution,
            n_iterations=-1,
        )
    community = _numbered([list(c) for c in clustering])
    modularity = g.modularity(clustering.membership, weights="weight") if pairs else 0.0
    components = g.connected_components()
    component = _numbered([list(c) for c in components])
    articulation = set(g.articulation_points())
    bridges = sorted(network_pair(iris, pairs[e]) for e in g.bridges())

    # How each organisation's links spread over the communities.
    spread: list[dict[int, int]] = [{} for _ in range(n)]
    for x, y in pairs:
        spread[x][community[y]] = spread[x].get(community[y], 0) + 1
        spread[y][community[x]] = spread[y].get(community[x], 0) + 1
    participation = [
        1 - sum((k / degree[i]) ** 2 for k in spread[i].values()) if degree[i] else 0.0
        for i in range(n)
    ]

    nodes = {
        iri: NodeMeasures(
            degree=degree[i],
            weighted_degree=round(strength[i]),
            betweenness=raw[i] * scale,
            pagerank=pagerank[i],
            community=community[i],
            linked_communities=len(set(spread[i]) - {community[i]}),
            participation=participation[i],
            component=component[i],
            articulation=i in articulation,
        )
        for i, iri in enumerate(iris)
    }
    return Measures(
        nodes,
        params,
        bridges,
        communities=len(clustering),
        components=len(components),
        modularity=modularity,
        betweenness_pivots=pivots,
        software={"igraph": igraph.__version__},
    )


def network_pair(iris: list[str], pair: tuple[int, int]) -> tuple[str, str]:
    a, b = iris[pair[0]], iris[pair[1]]
    return (a, b) if a < b else (b, a)
