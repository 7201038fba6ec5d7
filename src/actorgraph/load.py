"""Load a project's sources into a store, one named graph per source file."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from .errors import LoadError
from .project import Project, SourceFile, graph_iri, source_stem
from .store import EmbeddedStore


@dataclass(frozen=True)
class Loaded:
    """What one source file added to the store."""

    source: SourceFile
    quads: int


def load_sources(
    store: EmbeddedStore,
    sources: Iterable[SourceFile],
    progress: Callable[[SourceFile], None] | None = None,
) -> list[Loaded]:
    """Load each source into its named graph; the first bad file stops the load."""
    loaded = []
    for source in sources:
        if progress:
            progress(source)
        if store.count(source.graph):
            raise LoadError(
                f"two source files map to the named graph <{source.graph}>",
                file=source.path,
                hint="rename one of them: graph names come from file names",
            )
        loaded.append(Loaded(source, store.load_file(source.path, graph=source.graph)))
    return loaded


def load_project(
    project: Project,
    store: EmbeddedStore | None = None,
    *,
    groups: Iterable[str] | None = None,
    progress: Callable[[SourceFile], None] | None = None,
) -> tuple[EmbeddedStore, list[Loaded]]:
    """Load the ontology, vocabularies, data, reference data and links of ``project``."""
    if not project.ontology.is_file():
        raise LoadError("ontology file not found", file=project.ontology)
    if project.data_override is not None and not project.data_override.is_dir():
        raise LoadError("data folder not found", file=project.data_override)
    wanted = set(groups) if groups is not None else None
    sources = [s for s in project.sources() if wanted is None or s.group in wanted]
    store = store if store is not None else EmbeddedStore()
    return store, load_sources(store, sources, progress)


def load_files(
    project: Project, files: Iterable[Path], store: EmbeddedStore | None = None
) -> tuple[EmbeddedStore, list[Loaded]]:
    """Load the ontology and vocabularies of ``project``, then the given files
    (each into a graph named after it)."""
    store = store if store is not None else EmbeddedStore()
    extra = [SourceFile(Path(f), graph_iri("data", source_stem(Path(f))), "data") for f in files]
    loaded = load_sources(store, [*project.schema_sources(), *extra])
    return store, loaded
