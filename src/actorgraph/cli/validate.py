"""``actorgraph validate``."""

from __future__ import annotations

from pathlib import Path

import click

from ..errors import EXIT_OK, EXIT_VIOLATIONS
from ..load import load_files, load_project
from ..validation import source_files, validate_store
from .common import ENGINE, LANG, project_from


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
@click.pass_context
def command(
    ctx: click.Context,
    files: tuple[Path, ...],
    fmt: str,
    engine: str,
    severity: str,
    with_reference: bool,
    lang: str,
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
    """
    project = project_from(ctx)
    if files:
        store, loaded = load_files(project, files)
    else:
        store, loaded = load_project(project)
    report = validate_store(
        store,
        project.shapes_files,
        project.queries_dir,
        engine=engine,
        lang=lang,
        skip_groups=() if with_reference else ("reference",),
        files=source_files(project, [item.source for item in loaded]),
    )
    keep = ("Violation", "Warning", "Info")[: ("Violation", "Warning", "Info").index(severity) + 1]
    shown = type(report)([r for r in report.results if r.severity in keep], report.engine)
    # Violations are always kept, so the filtered report has the same verdict.
    click.echo(shown.render(fmt, lang), nl=False)
    ctx.exit(EXIT_OK if report.conforms else EXIT_VIOLATIONS)
