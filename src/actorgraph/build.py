"""``build``: load every source, validate, and write ``dist/``."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

from .fsutil import FolderUpdate, write_new
from .progress import Progress, ignore
from .project import Project, group_of
from .rdf import get, serialize_graphs
from .rdf.jsonld import load_context, schema_org
from .stats import Stats, compute
from .store import EmbeddedStore
from .store.load import Loaded, load_project
from .store.persistent import ProjectStore
from .validation import ENGINES, Report, source_files, validate_store
from .validation.cache import keep as keep_report

#: The graph files ``build`` writes, by format (JSON-LD compacted with the project's context).
DIST_FORMATS = ("ttl", "nt", "nq", "trig", "jsonld")


@dataclass
class BuildResult:
    store: EmbeddedStore
    loaded: list[Loaded]
    report: Report
    stats: Stats
    written: list[Path] = field(default_factory=list)


def build(
    project: Project,
    out_dir: Path | None = None,
    *,
    engine: str = ENGINES[0],
    lang: str = "en",
    with_reference: bool = False,
    progress: Progress = ignore,
    notify: Callable[[str], None] | None = None,
) -> BuildResult:
    """Load, validate and write ``dist/``.

    ``progress`` hears each source file as it is loaded, each phase of the
    validation and each output as it is written.

    The outputs appear together or not at all: each is written, as soon as it
    is computed (so that only one is held in memory at a time: at 1M triples
    they weigh ~500 MB together), into a fresh folder beside ``dist/``, which
    then replaces ``dist/`` in one step (:class:`~actorgraph.fsutil.FolderUpdate`;
    ``docs/decisions/2026-12-03-build-outputs.md``). A failure or a kill leaves
    ``dist/`` as it was, and the next build removes what a killed one left.
    Files in ``dist/`` that the build does not make are kept. One build at a
    time writes an output folder: a second one waits, and ``notify`` hears why.

    All graph files hold the same named graphs: every graph but the reference
    gazetteer unless ``with_reference``: the gazetteer (every French commune,
    EPCI, département and région, ~460k triples) is a registry copy, published
    as it is in ``data/reference/``, and validation leaves it out too.
    """
    with FolderUpdate(out_dir or project.dist_dir, notify) as update:
        store, loaded = load_project(project, progress=progress)
        # The project store on disk is written from the loaded graphs on a thread
        # while validation and the exports run; it is published with dist/.
        writer = (
            ProjectStore(project).writer(store, loaded) if project.data_override is None else None
        )
        try:
            result = _validate_and_write(
                project, store, loaded, update, out_dir, engine, lang, with_reference, progress
            )
        except BaseException:
            if writer is not None:
                writer.abandon()
            raise
        if writer is not None:
            generation = writer.finish()
            if not with_reference:
                # what `serve` shows beside each entity, without validating again
                keep_report(project, generation, result.report.results, lang)
        return result


def _validate_and_write(
    project: Project,
    store: EmbeddedStore,
    loaded: list[Loaded],
    update: FolderUpdate,
    out_dir: Path | None,
    engine: str,
    lang: str,
    with_reference: bool,
    progress: Progress = ignore,
) -> BuildResult:
    skip = () if with_reference else ("reference",)
    # stats.json describes what dist/ holds: the same graphs as the RDF files.
    stats = compute(store, skip)
    report = validate_store(
        store,
        project.shapes_files,
        project.queries_dir,
        engine=engine,
        lang=lang,
        skip_groups=skip,
        files=source_files(project, [item.source for item in loaded]),
        progress=progress,
    )
    out = out_dir or project.dist_dir
    graphs = [g for g in store.graphs() if group_of(g) not in skip]
    context = load_context(project)
    outputs: list[tuple[str, Callable[[], bytes]]] = [
        (
            f"actorgraph.{get(fmt).extension}",
            partial(serialize_graphs, store, fmt, graphs, context=context),
        )
        for fmt in DIST_FORMATS
    ]
    outputs.append(("organisations.schema.jsonld", lambda: schema_org(store, graphs)))
    outputs.append(("report.txt", lambda: report.to_text(lang).encode("utf-8")))
    outputs.append(("report.json", lambda: report.to_json(lang).encode("utf-8")))
    outputs.append(
        (
            "stats.json",
            lambda: (json.dumps(stats.to_dict(), indent=2, ensure_ascii=False) + "\n").encode(),
        )
    )
    names = {name for name, _ in outputs}
    with update.staging(keep=partial(_kept, names)) as folder:
        for n, (name, make) in enumerate(outputs):
            progress(f"writing {name}", n, len(outputs))
            write_new(folder / name, make())
    return BuildResult(store, loaded, report, stats, [out / name for name, _ in outputs])


def _kept(outputs: set[str], name: str) -> bool:
    """Whether an entry of the previous ``dist/`` is carried into the new one:
    any the build does not make, except the temporary files (``.<output>.*.tmp``)
    that builds which wrote each output beside its target left when killed."""
    if name.endswith(".tmp") and any(name.startswith(f".{output}.") for output in outputs):
        return False
    return name not in outputs
