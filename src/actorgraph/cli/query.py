"""``actorgraph query``: run a catalogue query, a ``.rq`` file or a query text."""

from __future__ import annotations

import sys

import click

from ..catalogue import Query
from ..errors import QueryError
from ..query import (
    GRAPH_FORMATS,
    SELECT_FORMATS,
    bind,
    find_query,
    parse_assignments,
    render,
    unknown_entities,
)
from ..store.sparql import query_form
from .common import STORE, console, project_from, store_from


@click.command("query")
@click.argument("name", required=False, metavar="NAME|FILE.rq")
@click.option("--text", "text", metavar="QUERY", help="Run this SPARQL text instead of NAME.")
@click.option(
    "-p",
    "--param",
    "params",
    multiple=True,
    metavar="NAME=VALUE",
    help="A parameter value (repeatable): an IRI, CURIE or slug for entities, a literal otherwise.",
)
@click.option(
    "-f",
    "--format",
    "fmt",
    type=click.Choice([*SELECT_FORMATS, *GRAPH_FORMATS]),
    help="Output format [default: table, or ttl for CONSTRUCT/DESCRIBE].",
)
@click.option("--limit", type=click.IntRange(min=0), help="Show at most this many rows.")
@click.option("--offset", type=click.IntRange(min=0), help="Skip this many rows first.")
@click.option(
    "--timeout",
    type=click.FloatRange(min=0, min_open=True),
    help="Give up after this many seconds.",
)
@STORE
@click.option(
    "--endpoint",
    metavar="URL",
    help="Same as --store (kept for scripts written before it).",
)
@click.option(
    "--update-endpoint", metavar="URL", help="Update endpoint (default: derived from --endpoint)."
)
@click.option(
    "--update", "allow_update", is_flag=True, help="Allow a SPARQL update (with --endpoint only)."
)
@click.pass_context
def command(
    ctx: click.Context,
    name: str | None,
    text: str | None,
    params: tuple[str, ...],
    fmt: str | None,
    limit: int | None,
    offset: int | None,
    timeout: float | None,
    store_url: str | None,
    endpoint: str | None,
    update_endpoint: str | None,
    allow_update: bool,
) -> None:
    """Run a catalogue query (NAME), a query file (FILE.rq) or --text QUERY.

    Parameters are bound by the engine, never pasted into the query: an
    organisation, project or resource can be given as a full IRI, a CURIE
    (agorg:fing) or a slug (la-27e-region). Queries from --text or a file are
    read-only unless --update is given.

    \b
    Examples:
      actorgraph query partners-of --param org=la-27e-region
      actorgraph query search -p text=democratie --format csv
      actorgraph query stats --store http://127.0.0.1:7878/query
      actorgraph query --text 'SELECT * WHERE { ?s ?p ?o }' --limit 5 --format json
    """
    if (name is None) == (text is None):
        raise QueryError("give either NAME|FILE.rq or --text QUERY", field="NAME")
    if text is not None:
        query = Query.from_text("text", text)
    else:
        query = find_query(project_from(ctx).queries_dir, name or "")
    values = parse_assignments(params)
    bindings = bind(query, values) if (query.params or values) else {}
    form = query_form(query.text)

    if store_url and endpoint and store_url != endpoint:
        raise QueryError("give --store or --endpoint, not both", field="--store")
    url = store_url or endpoint

    if form == "UPDATE":
        if not allow_update:
            raise QueryError(
                "this is a SPARQL update; queries are read-only unless --update is given",
                field="--update",
            )
        if url is None:
            raise QueryError(
                "--update needs --store URL (or --endpoint URL): the project store is made "
                "from the project's files, which are what to edit",
                field="--update",
            )
        from ..store.remote import RemoteStore

        RemoteStore(url, update_endpoint, timeout=timeout or 30.0).update(query.text, bindings)
        click.echo("update done", err=True)
        return

    store = store_from(ctx, url, timeout=timeout)
    for note in unknown_entities(store, query, bindings):
        click.echo(f"note: {note}", err=True)
    answer = store.answer(query.text, bindings, limit=limit, offset=offset, timeout=timeout)

    fmt = fmt or ("ttl" if form in ("CONSTRUCT", "DESCRIBE") else "table")
    output = render(answer, fmt, hide=bindings)
    if isinstance(output, bytes):
        sys.stdout.buffer.write(output)
        sys.stdout.flush()
    elif isinstance(output, str):
        click.echo(output, nl=not output.endswith("\n"))
    else:
        out = console()
        out.print(output)
        if answer.form == "SELECT":
            note = " (truncated by --limit)" if answer.truncated else ""
            click.echo(f"{len(answer.rows)} row(s){note}", err=True)
