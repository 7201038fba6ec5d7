"""``build``: load every source, validate, and write ``dist/``."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from .export import serialize
from .fsutil import atomic_write
from .jsonld import build_outputs as jsonld_outputs
from .load import Loaded, load_project
from .project import Project, SourceFile
from .stats import Stats, compute
from .store import EmbeddedStore
from .validate import Report, validate_store

#: The graph files ``build`` writes, by format.
DIST_FORMATS = ("ttl", "nt", "nq", "trig")


@dataclass
class BuildResult:
    store: EmbeddedStore
    loaded: list[Loaded]
    report: Report
    stats: Stats
    written: list[Path] = field(default_factory=list)


#: Extra writers other modules register (e.g. JSON-LD), called with the store and dist folder
#: and returning the files they would write as (name, bytes).
EXTRA_OUTPUTS: list[Callable[[Project, EmbeddedStore], list[tuple[str, bytes]]]] = [jsonld_outputs]


def build(
    project: Project,
    out_dir: Path | None = None,
    *,
    engine: str = "pyshacl",
    lang: str = "en",
    progress: Callable[[SourceFile], None] | None = None,
) -> BuildResult:
    """Load, validate and write. Every output is computed before any is written,
    and each file is replaced atomically, so a failure leaves ``dist/`` as it was."""
    store, loaded = load_project(project, progress=progress)
    stats = compute(store)
    report = validate_store(
        store, project.shapes_files, project.queries_dir, engine=engine, lang=lang
    )
    out = out_dir or project.dist_dir
    outputs: list[tuple[str, bytes]] = [
        (f"actorgraph.{fmt}", serialize(store, fmt)) for fmt in DIST_FORMATS
    ]
    for extra in EXTRA_OUTPUTS:
        outputs.extend(extra(project, store))
    outputs.append(("report.txt", report.to_text(lang).encode("utf-8")))
    outputs.append(("report.json", report.to_json(lang).encode("utf-8")))
    outputs.append(
        ("stats.json", (json.dumps(stats.to_dict(), indent=2, ensure_ascii=False) + "\n").encode())
    )
    written = []
    for name, data in outputs:
        path = out / name
        atomic_write(path, data)
        written.append(path)
    return BuildResult(store, loaded, report, stats, written)
