"""``actorgraph validate``."""

from __future__ import annotations

from pathlib import Path

import click

from ..errors import EXIT_OK, EXIT_VIOLATIONS
from ..project import group_of
from ..store import embedded_copy
from ..store.load import load_files
from ..validation import source_files, validate_store
from .common import ENGINE, LANG, STORE, progress_bar, project_from, store_from


@click.command("validate")
@click.argument("files", nargs=-1, type=click.Path(path_type=Path))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json", "turtle"]),
    default="text",
    show_default=True,
)
@ENGINE
@click.option(
    "--severity",
    type=click.Choice(["Violation", "Warning", "Info"]),
    default="Info",
    show_default=True,
    help="Show results of this severity and above.",
)
@click.option(
    "--with-reference",
    is_flag=True,
    help="Also run SHACL on the gazetteer (data/reference/); slow, left out by default.",
)
@LANG
@STORE
@click.pass_context
def command(
    ctx: click.Context,
    files: tuple[Path, ...],
    fmt: str,
    engine: str,
    severity: str,
    with_reference: bool,
    lang: str,
    store_url: str | None,
) -> None:
    """Validate the project's graph, or the given FILES, against the shapes
    (ontology/shapes/) and the *-violation.rq checks of queries/.

    Given FILES are checked together with the ontology and vocabularies.
    Results are grouped by focus node, with its label, the property, the value
    and the message. Exits 0 when it conforms, 1 on violations, 2 on bad input.

    \b
    Examples:
      actorgraph validate
      actorgraph validate --format json --lang fr data/graph/la-27e-region.ttl
      actorgraph validate --store http://127.0.0.1:7878/query
    """
    project = project_from(ctx)
    skip = () if with_reference else ("reference",)
    if files:
        store, loaded = load_files(project, files)
    else:
        found = store_from(ctx, store_url)
        store = embedded_copy(found, [g for g in found.graphs() if group_of(g) not in skip])
        loaded = []
    with progress_bar("validate") as progress:
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
    keep = ("Violation", "Warning", "Info")[: ("Violation", "Warning", "Info").index(severity) + 1]
    shown = type(report)([r for r in report.results if r.severity in keep], report.engine)
    # Violations are always kept, so the filtered report has the same verdict.
    click.echo(shown.render(fmt, lang), nl=False)
    ctx.exit(EXIT_OK if report.conforms else EXIT_VIOLATIONS)
