"""Where a project's files are: ontology, shapes, vocabularies, data, queries, dist.

Like ``git``, commands act on the directory they run in: the nearest folder,
from the current one upwards, that holds ``ontology/actorgraph.ttl``.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from .errors import ActorGraphError
from .namespaces import GRAPH

ONTOLOGY_FILE = Path("ontology/actorgraph.ttl")

#: Groups of named graphs, as ``export --graph`` names them. ``analytics``
#: holds what the package computes from the others (``network --rdf``).
GROUPS = ("ontology", "vocabulary", "data", "reference", "links", "analytics")

#: File extensions read as RDF, by group folder.
RDF_SUFFIXES = (".ttl", ".nt", ".nq", ".trig", ".jsonld", ".rdf", ".owl")


@dataclass(frozen=True)
class SourceFile:
    """One RDF file of the project and the named graph it loads into."""

    path: Path
    graph: str
    group: str


def graph_iri(group: str, name: str) -> str:
    """The named graph of a source file.

    >>> graph_iri("data", "la-27e-region")
    'https://w3id.org/actorgraph/graph/la-27e-region'
    >>> graph_iri("vocabulary", "themes")
    'https://w3id.org/actorgraph/graph/vocabulary/themes'
    >>> graph_iri("ontology", "actorgraph")
    'https://w3id.org/actorgraph/graph/ontology'
    >>> graph_iri("analytics", "network")
    'https://w3id.org/actorgraph/graph/analytics/network'
    """
    if group == "ontology":
        return str(GRAPH["ontology"])
    if group == "data":
        return str(GRAPH[name])
    return str(GRAPH[f"{group}/{name}"])


def group_of(graph: str) -> str:
    """The group a named graph belongs to (inverse of :func:`graph_iri`).

    >>> group_of("https://w3id.org/actorgraph/graph/links/wikidata")
    'links'
    >>> group_of("https://w3id.org/actorgraph/graph/la-27e-region")
    'data'
    """
    rest = graph.removeprefix(str(GRAPH))
    if rest == "ontology":
        return "ontology"
    head, sep, _ = rest.partition("/")
    if sep and head in GROUPS:
        return head
    return "data"


def _rdf_files(folder: Path) -> list[Path]:
    if not folder.is_dir():
        return []
    return sorted(
        p
        for p in folder.iterdir()
        if p.is_file()
        and p.name.removesuffix(".gz").endswith(RDF_SUFFIXES)
        and not p.name.startswith(".")
    )


@dataclass(frozen=True)
class Project:
    """A copy of the project: its root folder and where each kind of file lives."""

    root: Path
    data_override: Path | None = field(default=None)

    @classmethod
    def discover(cls, start: Path | None = None, data_dir: Path | None = None) -> Project:
        env = os.environ.get("ACTORGRAPH_ROOT")
        here = Path(env) if env and start is None else (start or Path.cwd())
        here = here.resolve()
        for folder in (here, *here.parents):
            if (folder / ONTOLOGY_FILE).is_file():
                return cls(folder, data_dir.resolve() if data_dir else None)
        raise ActorGraphError(
            f"no actorgraph project here: no {ONTOLOGY_FILE} in {here} or its parents",
            hint="run the command from the repository root, or set ACTORGRAPH_ROOT",
        )

    @property
    def ontology(self) -> Path:
        return self.root / ONTOLOGY_FILE

    @property
    def vocabularies_dir(self) -> Path:
        return self.root / "ontology" / "vocabularies"

    @property
    def shapes_files(self) -> list[Path]:
        return sorted((self.root / "ontology" / "shapes").glob("*.ttl"))

    @property
    def context_file(self) -> Path:
        return self.root / "ontology" / "context.jsonld"

    @property
    def data_dir(self) -> Path:
        return self.data_override or self.root / "data" / "graph"

    @property
    def reference_dir(self) -> Path:
        return self.root / "data" / "reference"

    @property
    def links_dir(self) -> Path:
        return self.root / "data" / "links"

    @property
    def analytics_dir(self) -> Path:
        return self.root / "data" / "analytics"

    @property
    def queries_dir(self) -> Path:
        return self.root / "queries"

    @property
    def dist_dir(self) -> Path:
        return self.root / "dist"

    def schema_sources(self) -> Iterator[SourceFile]:
        """The ontology and the vocabularies."""
        yield SourceFile(self.ontology, graph_iri("ontology", "actorgraph"), "ontology")
        for path in _rdf_files(self.vocabularies_dir):
            yield SourceFile(path, graph_iri("vocabulary", source_stem(path)), "vocabulary")

    def data_sources(self) -> Iterator[SourceFile]:
        """Instance data, reference data (gazetteer), links and analytics."""
        for path in _rdf_files(self.data_dir):
            yield SourceFile(path, graph_iri("data", source_stem(path)), "data")
        for path in _rdf_files(self.reference_dir):
            yield SourceFile(path, graph_iri("reference", source_stem(path)), "reference")
        for path in _rdf_files(self.links_dir):
            yield SourceFile(path, graph_iri("links", source_stem(path)), "links")
        for path in _rdf_files(self.analytics_dir):
            yield SourceFile(path, graph_iri("analytics", source_stem(path)), "analytics")

    def sources(self) -> list[SourceFile]:
        return [*self.schema_sources(), *self.data_sources()]


def source_stem(path: Path) -> str:
    """File name without its RDF extension(s): ``gazetteer.nt.gz`` → ``gazetteer``."""
    name = path.name
    for suffix in (".gz", *RDF_SUFFIXES):
        name = name.removesuffix(suffix)
    return name
