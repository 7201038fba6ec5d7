"""``actorgraph ingest``."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import click

from ..errors import EXIT_OK, IngestError
from ..ingest import Planned, ingest, summary
from .common import ENGINE, console, notify, progress_bar, project_from


def _date(_ctx: click.Context, _param: click.Parameter, value: str | None) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date (YYYY-MM-DD)") from None


def expand(paths: tuple[Path, ...]) -> list[Path]:
    """The sheets named: a file as it is, a folder as its ``*.txt`` files, sorted
    (said on stderr, so that a folder of the wrong files is seen)."""
    sheets: list[Path] = []
    for path in paths:
        if not path.is_dir():
            sheets.append(path)
            continue
        found = sorted(p for p in path.glob("*.txt") if p.is_file())
        if not found:
            raise IngestError(f"{path} is a folder without *.txt sheets", file=path)
        notify(f"{path}: {len(found)} sheet(s) (its *.txt files)")
        sheets.extend(found)
    return sheets


@click.command("ingest")
@click.argument("sheets", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--data-dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder the <slug>.ttl files go to (default: data/graph).",
)
@click.option("--dry-run", is_flag=True, help="Print the facts and the report; write nothing.")
@click.option(
    "--create-unknown",
    is_flag=True,
    help="Add an organisation for each partner name that matches none (default: report it).",
)
@click.option(
    "--retrieved",
    callback=_date,
    metavar="YYYY-MM-DD",
    help="Retrieval date of the sheets (default: each file's modification date).",
)
@click.option(
    "--force", is_flag=True, help="Replace a file ingested from a newer version of the sheet."
)
@ENGINE
@click.option(
    "-q", "--quiet", is_flag=True, help="One line per sheet, printed as each is read; no facts."
)
@click.pass_context
def command(
    ctx: click.Context,
    sheets: tuple[Path, ...],
    data_dir: Path | None,
    dry_run: bool,
    create_unknown: bool,
    retrieved: dt.date | None,
    force: bool,
    engine: str,
    quiet: bool,
) -> None:
    """Turn actor sheets (directory pages in the seed's text format) into
    data/graph/<actor-slug>.ttl, one named graph per sheet, with a source node
    (file name, SHA-256, retrieval and update dates).

    A folder stands for its *.txt sheets, in name order.

    Partners, incubators and projects are recognised against the organisations
    and projects already in the graph and the reference gazetteer; names that
    match nothing are reported, not added (unless --create-unknown). The batch
    is validated with the project's shapes before anything is written. A newer
    version of a sheet replaces its own file only; files not made by ingest
    (curated files) are never overwritten.

    Exits 0 when done, 1 when the result breaks the shapes, 2 on a malformed
    sheet or a curated target (nothing written).

    \b
    Examples:
      actorgraph ingest --dry-run ../shared/seeds/000_e9ca84c8084b6261.txt
      actorgraph ingest ../shared/seeds/ -q --data-dir /tmp/graph --retrieved 2026-11-27
    """
    project = project_from(ctx)
    err = console(err=True)
    paths = expand(sheets)

    def done(plan: Planned) -> None:
        # Flushed line by line: a script reading the output sees each sheet as it is done.
        click.echo(summary(plan))
        sys.stdout.flush()

    with progress_bar("ingest") as steps:
        run = ingest(
            project,
            paths,
            data_dir=data_dir,
            dry_run=dry_run,
            create_unknown=create_unknown,
            retrieved=retrieved,
            force=force,
            engine=engine,
            progress=None if quiet else (lambda message: err.print(f"[dim]{message}[/dim]")),
            sheet_done=done if quiet else None,
            steps=steps,
            notify=notify,
        )
    click.echo(run.render(facts=not quiet, sheets=not quiet), nl=False)
    if dry_run:
        click.echo("dry run: nothing written")
    else:
        click.echo(f"wrote {len(run.written)} file(s)")
    ctx.exit(EXIT_OK)
