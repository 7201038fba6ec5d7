"""``actorgraph reconcile``: match a spreadsheet's names to the graph and the registers."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ..errors import EXIT_OK, UsageError
from .common import STORE, notify, progress_bar, project_from, store_from


def _pairs(values: tuple[str, ...]) -> dict[str, str]:
    out = {}
    for value in values:
        column, sep, prop = value.rpartition("=")
        if not sep or not column or not prop:
            raise click.BadParameter(f"{value!r} is not COLUMN=PROPERTY", param_hint="--property")
        out[column] = prop
    return out


@click.command("reconcile")
@click.argument("file", type=click.Path(dir_okay=False, allow_dash=True, path_type=Path))
@click.option("--column", "-c", required=True, metavar="NAME", help="The column of names.")
@click.option(
    "--type",
    "-t",
    "types",
    multiple=True,
    metavar="KIND",
    help="Only entities of this type: commune, epci, departement, region, association, "
    "ag:Metropole… (repeatable).",
)
@click.option(
    "--property",
    "-p",
    "properties",
    multiple=True,
    metavar="COLUMN=PROP",
    help="A column whose values tell candidates apart: PROP is siren, inseeCode, "
    "departement, commune or website (repeatable).",
)
@click.option(
    "--extend",
    "-e",
    "extend_with",
    multiple=True,
    metavar="PROP",
    help="Add a column of this property for matched rows: siren, inseeCode, kind, "
    "departement, region, epci, parents, wikidata, website, partners (repeatable).",
)
@click.option(
    "--out",
    "-o",
    type=click.Path(dir_okay=False, allow_dash=True, path_type=Path),
    default=Path("-"),
    show_default=True,
    help="Where the table goes (UTF-8, same separator); - for stdout.",
)
@click.option("--strict", is_flag=True, help="Exit 2, writing nothing, when a row cannot be read.")
@STORE
@click.pass_context
def command(
    ctx: click.Context,
    file: Path,
    column: str,
    types: tuple[str, ...],
    properties: tuple[str, ...],
    extend_with: tuple[str, ...],
    out: Path,
    strict: bool,
    store_url: str | None,
) -> None:
    """Match a spreadsheet's names to the graph and the registers.

    Each row's name (--column) is matched against the organisations of the
    project and the gazetteer's communes, EPCI, départements and régions,
    with "Mairie de X", "CA du …", "CD 33", "Région Aquitaine", missing
    accents and typos understood. Columns named with --property tell
    namesakes apart ("Saint-Martin" needs its département). The table comes
    back with actorgraph_id, actorgraph_name, actorgraph_score and
    actorgraph_match, and one actorgraph_<PROP> column per --extend.

    CSV or TSV as spreadsheets export them (comma, semicolon or tab; UTF-8
    with or without BOM, or Windows-1252) is read; rows that cannot be read
    are named on stderr with their line numbers and left out. The output is
    written whole or not at all. Exits 0 when done, 2 on bad input. See
    docs/reconcile.md.

    \b
    Examples:
      actorgraph reconcile partenaires.csv --column Nom --out partenaires-ag.csv
      actorgraph reconcile communes.csv -c commune -t commune -p dep=departement -e siren
    """
    from ..fsutil import atomic_write
    from ..reconcile import vocab
    from ..reconcile.cache import keep, load_or_build
    from ..reconcile.table import read_table, reconcile_table, write_table

    name = "<stdin>" if str(file) == "-" else str(file)
    try:
        data = sys.stdin.buffer.read() if str(file) == "-" else file.read_bytes()
    except OSError as exc:
        raise UsageError(f"cannot read: {exc.strerror or exc}", file=name) from None
    table = read_table(data, name)
    for line, reason in table.broken:
        notify(f"{name}:{line}: row left out: {reason}")
    if table.broken and strict:
        raise UsageError(
            f"{len(table.broken)} row(s) cannot be read (--strict)", file=name, field="--strict"
        )
    table.column(column)  # before the index is built: a wrong name fails at once
    by_column = {c: vocab.query_property(p).id for c, p in _pairs(properties).items()}
    for c in by_column:
        table.column(c)
    extended = list(dict.fromkeys(vocab.extend_property(p) for p in extend_with))

    project = project_from(ctx) if store_url is None else None
    store = store_from(ctx, store_url)
    with progress_bar("reconcile") as steps:
        steps("loading the index", 0, 1)
        reconciler, built = load_or_build(store, project)
        type_iris = [reconciler.types.resolve(t) for t in types]
        outcome = reconcile_table(
            table,
            reconciler,
            column,
            types=type_iris,
            properties=by_column,
            extend_with=extended,
            progress=steps,
        )
    text = write_table(outcome.header, outcome.rows, table.delimiter)
    if str(out) == "-":
        click.echo(text, nl=False)
    else:
        atomic_write(out, text)
    notify(
        f"{name}: {len(table.rows)} row(s) read ({table.encoding}, "
        f"{'tab' if table.delimiter == chr(9) else repr(table.delimiter)}): "
        f"{outcome.matched} matched, {outcome.unmatched} not matched, {outcome.empty} empty"
        + (f"; {len(table.broken)} left out" if table.broken else "")
    )
    if built:
        keep(reconciler, store, project)
    ctx.exit(EXIT_OK)
