"""Counts: triples per named graph, instances per class, facts per source."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from .project import group_of
from .store import EmbeddedStore

_PER_CLASS = """
SELECT ?class (COUNT(DISTINCT ?s) AS ?n) WHERE {
  GRAPH ?g { ?s a ?class }
  FILTER (!STRSTARTS(STR(?g), "https://w3id.org/actorgraph/graph/ontology"))
  FILTER (!STRSTARTS(STR(?g), "https://w3id.org/actorgraph/graph/vocabulary/"))
  %s
} GROUP BY ?class ORDER BY DESC(?n) ?class
"""

_PER_SOURCE = """
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX dcterms: <http://purl.org/dc/terms/>
SELECT ?source (SAMPLE(?t) AS ?title) (SAMPLE(?m) AS ?modified) (COUNT(DISTINCT ?s) AS ?n) WHERE {
  GRAPH ?g { ?s prov:wasDerivedFrom ?source }
  FILTER (?s != ?source)
  %s
  OPTIONAL { ?source dcterms:title ?t }
  OPTIONAL { ?source dcterms:modified ?m }
} GROUP BY ?source ORDER BY ?source
"""


@dataclass
class Stats:
    graphs: list[tuple[str, str, int]]  # graph, group, triples
    classes: list[tuple[str, int]]
    sources: list[tuple[str, str, str, int]]  # source, title, modified, subjects
    #: Groups of named graphs left out of every count (build leaves the
    #: gazetteer out of dist/, and so out of its stats.json).
    left_out: list[str] = field(default_factory=list)

    @property
    def triples(self) -> int:
        return sum(n for _, _, n in self.graphs)

    def to_dict(self) -> dict[str, object]:
        return {
            "triples": self.triples,
            "left_out": self.left_out,
            "graphs": [{"graph": g, "group": k, "triples": n} for g, k, n in self.graphs],
            "classes": [{"class": c, "instances": n} for c, n in self.classes],
            "sources": [
                {"source": s, "title": t, "modified": m, "subjects": n}
                for s, t, m, n in self.sources
            ],
        }


def compute(store: EmbeddedStore, skip_groups: Iterable[str] = ()) -> Stats:
    """The counts of ``store``, leaving out the named graphs of ``skip_groups``."""
    skip = sorted(set(skip_groups))
    counts: dict[str, int] = {}
    for row in store.select(
        "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"
    ):
        if group_of(row["g"].value) not in skip:
            counts[row["g"].value] = int(row["n"].value)
    graphs = [(g, group_of(g), counts[g]) for g in sorted(counts)]
    skipped = [g for g in store.graphs() if group_of(g) in skip]
    keep = f"FILTER (?g NOT IN ({', '.join(f'<{g}>' for g in skipped)}))" if skipped else ""
    classes = [(r["class"].value, int(r["n"].value)) for r in store.select(_PER_CLASS % keep)]
    sources = [
        (
            r["source"].value,
            r["title"].value if "title" in r else "",
            r["modified"].value if "modified" in r else "",
            int(r["n"].value),
        )
        for r in store.select(_PER_SOURCE % keep)
    ]
    return Stats(graphs, classes, sources, skip)
