"""Ingest actor sheets: parse (:mod:`.sheet`), recognise names (:mod:`.recognise`),
read relations from sentences (:mod:`.relations`), write Turtle (:mod:`.tordf`).

:func:`ingest` plans a whole batch, validates it once against the project's
shapes (with the ontology, vocabularies and existing data), and only then
writes: one ``<data dir>/<actor slug>.ttl`` per sheet, the whole batch at once
(:class:`~actorgraph.fsutil.FileBatch`: a killed run writes none of it, or all
of it once the next ingest into the folder has started). One ingest at a time
writes a data folder. A file that ingest did not make (a curated file) is never
overwritten.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import IngestError, ValidationFailed
from ..fsutil import FileBatch
from ..namespaces import AG
from ..progress import Progress, ignore
from ..project import Project, SourceFile, _rdf_files, graph_iri, group_of, source_stem
from ..store import EmbeddedStore
from ..store.load import load_project, load_sources
from ..store.persistent import open_project_store
from ..validation import Report, source_files, validate_store
from .recognise import Gazetteer, Vocabularies, gazetteer_from_store, vocabularies_from_store
from .relations import Extraction, Extractor
from .sheet import Sheet, read_sheet
from .tordf import ExistingFile, quads, short, to_turtle

#: What happens to each sheet's file.
WRITE, UNCHANGED, OLDER, CURATED = "write", "unchanged", "kept newer", "curated, not overwritten"


@dataclass
class Planned:
    """One sheet's output and what ingest will do with it."""

    extraction: Extraction
    path: Path
    data: bytes
    action: str = WRITE
    reason: str = ""


@dataclass
class IngestRun:
    """The outcome of :func:`ingest`."""

    planned: list[Planned]
    report: Report | None = None
    written: list[Path] = field(default_factory=list)

    def render(self, *, facts: bool = True, sheets: bool = True) -> str:
        """A readable account: per sheet (unless not ``sheets``), each fact with
        the line that gave it, the names that matched nothing, and notes; then
        the validation verdict."""
        out: list[str] = []
        for plan in self.planned if sheets else []:
            ex = plan.extraction
            out.append(
                f"{ex.sheet.file} → {plan.path}  [{plan.action}{': ' + plan.reason if plan.reason else ''}]"
            )
            out.append(f"  {len(ex.triples())} triples, graph <{ex.graph}>")
            if facts:
                for fact in sorted(ex.facts, key=lambda f: f.line):
                    triple = f"{short(fact.subject)} {short(fact.predicate)} {short(fact.object)}"
                    out.append(f"  line {fact.line}: {triple}   ← {fact.why}")
            for u in ex.unmatched:
                out.append(
                    f"  line {u.line}: UNMATCHED {u.role} “{u.name}” (no organisation has this name; not added)"
                )
            for line, note in ex.notes:
                out.append(f"  line {line}: note: {note}")
        if self.report is not None:
            # The verdict line and the violations; warnings and infos are for `validate`.
            ours = {f.subject for plan in self.planned for f in plan.extraction.facts}
            violations = [
                r for r in self.report.results if r.severity == "Violation" and r.focus in ours
            ]
            verdict, *details = (
                Report(violations, self.report.engine).to_text().rstrip().split("\n")
            )
            out.append(
                verdict.replace(
                    "0 warning(s), 0 info",
                    f"{self.report.count('Warning')} warning(s), "
                    f"{self.report.count('Info')} info (see `actorgraph validate`)",
                )
            )
            out.extend(details)
        return "\n".join(out) + "\n"


def summary(plan: Planned) -> str:
    """One line for one sheet: its file, its target, what happens, and counts."""
    ex = plan.extraction
    line = (
        f"{ex.sheet.file} → {plan.path}  [{plan.action}{': ' + plan.reason if plan.reason else ''}]"
    )
    line += f"  {len(ex.triples())} triples"
    if ex.unmatched:
        line += f", {len(ex.unmatched)} unmatched name(s)"
    if ex.notes:
        line += f", {len(ex.notes)} note(s)"
    return line


@dataclass
class Context:
    """What recognising names needs: gazetteers, vocabularies, and the store they came from."""

    store: EmbeddedStore
    organisations: Gazetteer
    projects: Gazetteer
    vocabularies: Vocabularies


def _extra_sources(data_dir: Path, known: set[str]) -> list[SourceFile]:
    """The files of ``data_dir`` whose graphs are not among ``known``."""
    return [
        SourceFile(path, graph_iri("data", source_stem(path)), "data")
        for path in _rdf_files(data_dir)
        if graph_iri("data", source_stem(path)) not in known
    ]


def load_context(project: Project, data_dir: Path | None = None) -> Context:
    """The project's ontology, vocabularies, data, reference and links, plus the
    files already in ``data_dir`` (when it is another folder).

    The project's own data is read from the project store (fresh, read-only);
    another folder's files are loaded beside the project in memory."""
    root = Project(project.root)
    if data_dir is None or data_dir.resolve() == root.data_dir.resolve():
        return context_from_store(open_project_store(root))
    store, _ = load_project(root)
    load_sources(store, _extra_sources(data_dir, set(store.graphs())))
    return context_from_store(store)


def context_from_store(store: EmbeddedStore) -> Context:
    """Gazetteers and vocabularies read from an already loaded store (not modified)."""
    return Context(
        store,
        gazetteer_from_store(store, str(AG.Organisation)),
        gazetteer_from_store(store, str(AG.Project)),
        vocabularies_from_store(store),
    )


def validation_store(context: Context, data_dir: Path, replaced: set[str]) -> EmbeddedStore:
    """A copy of the context's graphs without the graphs in ``replaced`` (the
    reference gazetteer is left out: validation skips it, and each sheet's
    graph types what it names), plus the files of ``data_dir`` it lacks. The
    project is not parsed again: its graphs are already in the context."""
    keep = [g for g in context.store.graphs() if group_of(g) != "reference" and g not in replaced]
    store = context.store.subset(keep)
    if store is context.store:  # it held nothing else: copy it, the sheets are added to it
        store = EmbeddedStore()
        store.load_bytes(context.store.dump(keep), "nq")
    load_sources(store, _extra_sources(data_dir, replaced | set(keep)))
    return store


def retrieval_date(path: Path) -> dt.date:
    """When the copy of a sheet was collected: its file's modification date (UTC),
    so that ingesting the same file again gives the same graph."""
    return dt.datetime.fromtimestamp(path.stat().st_mtime, dt.UTC).date()


def ingest(
    project: Project,
    sheets: Sequence[Path],
    *,
    data_dir: Path | None = None,
    dry_run: bool = False,
    create_unknown: bool = False,
    retrieved: dt.date | None = None,
    force: bool = False,
    validate: bool = True,
    engine: str = "fast",
    progress: Callable[[str], None] | None = None,
    context: Context | None = None,
    notify: Callable[[str], None] | None = None,
    sheet_done: Callable[[Planned], None] | None = None,
    steps: Progress = ignore,
) -> IngestRun:
    """Turn ``sheets`` into ``<data_dir>/<slug>.ttl`` files; see the module doc.

    Raises :class:`IngestError` for a bad sheet or a curated target (nothing is
    written), :class:`ValidationFailed` when the result breaks the shapes.
    ``notify`` hears why the call waits when another ingest writes the folder.
    ``progress`` hears a note at each stage; ``sheet_done`` is given each
    sheet's plan as soon as it is made (before validation); ``steps`` counts
    sheets read and recognised.
    """
    if not sheets:
        raise IngestError("no sheet given", hint="actorgraph ingest SHEET…")
    target_dir = (data_dir or project.data_dir).resolve()
    # Taken before the folder is read: a batch cut short by a kill is finished
    # first, so this run plans from complete files. A dry run writes nothing.
    batch_or_none: contextlib.AbstractContextManager[FileBatch | None] = (
        contextlib.nullcontext() if dry_run else FileBatch(target_dir, "ingest", notify)
    )
    with batch_or_none as batch:
        parsed: list[tuple[Path, Sheet]] = []
        for n, path in enumerate(sheets):
            steps(f"reading {path.name}", n, len(sheets))
            parsed.append((path, read_sheet(path)))
        steps("loading the project's graph", 0, len(sheets))
        if progress:
            progress(f"parsed {len(parsed)} sheet(s); loading the project's graph")
        if context is None:
            context = load_context(project, target_dir)
        extractor = Extractor(
            context.organisations,
            context.projects,
            context.vocabularies,
            create_unknown=create_unknown,
        )
        by_slug: dict[str, Planned] = {}
        for n, (path, sheet) in enumerate(parsed):
            steps(f"recognising {path.name}", n, len(parsed))
            extractor.retrieved = retrieved or retrieval_date(path)
            extraction = extractor.extract(sheet)
            plan = Planned(extraction, target_dir / f"{extraction.slug}.ttl", to_turtle(extraction))
            _decide(plan, force, dry_run)
            if sheet_done:
                sheet_done(plan)
            earlier = by_slug.get(extraction.slug)
            if earlier is not None:
                keep_new = _date(sheet) >= _date(earlier.extraction.sheet)
                dropped = earlier if keep_new else plan
                kept = plan if keep_new else earlier
                kept.extraction.notes.append(
                    (
                        1,
                        f"{dropped.extraction.sheet.file} describes the same actor; the newer sheet is kept",
                    )
                )
                by_slug[extraction.slug] = kept
                continue
            by_slug[extraction.slug] = plan
        planned = list(by_slug.values())
        run = IngestRun(planned)
        if validate:
            steps("validating", len(parsed), len(parsed))
            if progress:
                progress("validating the result with the project's shapes")
            # A dry run also shows what a sheet whose target is curated would give.
            writing = [p for p in planned if p.action in (WRITE, CURATED)]
            store = validation_store(context, target_dir, {p.extraction.graph for p in writing})
            for plan in writing:
                store.add_quads(quads(plan.extraction))
            files = source_files(project)
            files.update((p.extraction.graph, str(p.path)) for p in writing)
            run.report = validate_store(
                store, project.shapes_files, project.queries_dir, engine=engine, files=files
            )
            # Only what this batch describes can block it: violations elsewhere in
            # the project are not the sheets' doing (`actorgraph validate` shows them).
            ours = {
                f.subject for plan in planned if plan.action == WRITE for f in plan.extraction.facts
            }
            blocking = [
                r for r in run.report.results if r.severity == "Violation" and r.focus in ours
            ]
            if blocking:
                raise ValidationFailed(
                    "the ingested data does not conform to the shapes; nothing written\n"
                    + Report(blocking, run.report.engine).to_text().rstrip()
                )
        if batch is not None:
            run.written = [plan.path for plan in planned if plan.action == WRITE]
            batch.publish([(plan.path, plan.data) for plan in planned if plan.action == WRITE])
        return run


def _date(sheet: Sheet) -> dt.date:
    return sheet.updated.value if sheet.updated else dt.date.min


def _decide(plan: Planned, force: bool, dry_run: bool = False) -> None:
    """Whether the plan may replace the file already at its path."""
    if not plan.path.exists():
        return
    existing = ExistingFile(plan.path)
    if not existing.generated and dry_run:
        plan.action, plan.reason = CURATED, "a real run stops here (exit 2); use --data-dir"
        return
    if not existing.generated:
        raise IngestError(
            f"{plan.path} is a curated file (not made by ingest); it is never overwritten",
            file=plan.extraction.sheet.file,
            hint="ingest into another folder with --data-dir DIR",
        )
    if existing.data == plan.data:
        plan.action, plan.reason = UNCHANGED, "same content"
        return
    new = plan.extraction.sheet.updated
    if existing.modified and new and new.value < existing.modified and not force:
        plan.action = OLDER
        plan.reason = (
            f"the file comes from a version updated {existing.modified}, newer than this "
            f"sheet's {new.value}; use --force to replace it"
        )


__all__ = [
    "Context",
    "IngestRun",
    "Planned",
    "context_from_store",
    "ingest",
    "load_context",
    "summary",
]
