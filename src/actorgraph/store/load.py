"""Load a project's sources into a store, one named graph per source file."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from ..errors import LoadError
from ..progress import Progress, ignore
from ..project import Project, SourceFile, graph_iri, source_stem
from .embedded import EmbeddedStore
from .files import checked, rdf_format, read_raw


@dataclass(frozen=True)
class Loaded:
    """What one source file added to the store, and the file as it was read."""

    source: SourceFile
    quads: int
    sha256: str = ""
    size: int = 0
    mtime_ns: int = 0


def load_source(store: EmbeddedStore, source: SourceFile, *, bulk: bool = False) -> Loaded:
    """Load one file into its named graph; the hash is of the very bytes loaded."""
    path = source.path
    try:
        stat = path.stat()
    except OSError:
        stat = None
    raw = read_raw(path)
    data = checked(path, raw)
    quads = store.load_bytes(
        data,
        rdf_format(path.name),
        graph=source.graph,
        base_iri=None,
        file=path,
        bulk=bulk,
    )
    return Loaded(
        source,
        quads,
        hashlib.sha256(raw).hexdigest(),
        stat.st_size if stat else len(raw),
        stat.st_mtime_ns if stat else 0,
    )


def load_sources(
    store: EmbeddedStore,
    sources: Iterable[SourceFile],
    progress: Progress = ignore,
    *,
    bulk: bool = False,
) -> list[Loaded]:
    """Load each source into its named graph; the first bad file stops the load.
    ``progress`` hears each file as it starts."""
    loaded = []
    seen: dict[str, Path] = {}
    listed = list(sources)
    for n, source in enumerate(listed):
        progress(f"loading {source.path.name}", n, len(listed))
        if source.graph in seen or store.count(source.graph):
            raise LoadError(
                f"two source files map to the named graph <{source.graph}>",
                file=source.path,
                hint="rename one of them: graph names come from file names",
            )
        seen[source.graph] = source.path
        loaded.append(load_source(store, source, bulk=bulk))
    return loaded


def load_project(
    project: Project,
    store: EmbeddedStore | None = None,
    *,
    groups: Iterable[str] | None = None,
    progress: Progress = ignore,
) -> tuple[EmbeddedStore, list[Loaded]]:
    """Load the ontology, vocabularies, data, reference data and links of ``project``."""
    check_project(project)
    wanted = set(groups) if groups is not None else None
    sources = [s for s in project.sources() if wanted is None or s.group in wanted]
    store = store if store is not None else EmbeddedStore()
    return store, load_sources(store, sources, progress)


def check_project(project: Project) -> None:
    """The project's ontology and data folder exist."""
    if not project.ontology.is_file():
        raise LoadError("ontology file not found", file=project.ontology)
    if project.data_override is not None and not project.data_override.is_dir():
        raise LoadError("data folder not found", file=project.data_override)


def load_files(
    project: Project, files: Iterable[Path], store: EmbeddedStore | None = None
) -> tuple[EmbeddedStore, list[Loaded]]:
    """Load the ontology and vocabularies of ``project``, then the given files
    (each into a graph named after it)."""
    store = store if store is not None else EmbeddedStore()
    extra = [SourceFile(Path(f), graph_iri("data", source_stem(Path(f))), "data") for f in files]
    loaded = load_sources(store, [*project.schema_sources(), *extra])
    return store, loaded
