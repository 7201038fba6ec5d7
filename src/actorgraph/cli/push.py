"""``actorgraph push``: put the project's named graphs into a SPARQL 1.1 server."""

from __future__ import annotations

import click

from .common import GROUPS_OPTION, progress_bar, store_from


@click.command("push")
@click.option(
    "--to", "url", required=True, metavar="URL", help="The server's SPARQL query endpoint."
)
@click.option("--update-endpoint", metavar="URL", help="Its update endpoint (default: …/update).")
@click.option(
    "--graph-store", metavar="URL", help="Its Graph Store Protocol URL (default: …/store)."
)
@GROUPS_OPTION
@click.option(
    "--protocol",
    type=click.Choice(["auto", "gsp", "update"]),
    default="auto",
    show_default=True,
    help="Graph Store Protocol, SPARQL Update, or the first when its URL is known.",
)
@click.option("--dry-run", is_flag=True, help="List what would be sent; send nothing.")
@click.option(
    "--bulk",
    is_flag=True,
    help="Load graphs the server does not hold yet with its bulk loader (Oxigraph: "
    "no_transaction): faster for a first push, but a graph is visible while it loads.",
)
@click.option(
    "--auth-env",
    metavar="VAR",
    help="Environment variable holding user:password (HTTP basic) or 'Bearer <token>' "
    "(default: ~/.netrc's entry for the host, if any).",
)
@click.option(
    "--timeout",
    type=click.FloatRange(min=0, min_open=True),
    default=120.0,
    show_default=True,
    help="Seconds allowed for each request, retries included.",
)
@click.pass_context
def command(
    ctx: click.Context,
    url: str,
    update_endpoint: str | None,
    graph_store: str | None,
    groups: tuple[str, ...],
    protocol: str,
    dry_run: bool,
    bulk: bool,
    auth_env: str | None,
    timeout: float,
) -> None:
    """Put every named graph of the project into a SPARQL 1.1 server, each
    replaced whole (never half old, half new); graphs already there with the
    same content are skipped. Exits 3 when the server fails or its triple
    counts differ from the project's afterwards.

    \b
    Examples:
      actorgraph push --to http://127.0.0.1:7878/query
      actorgraph push --to http://127.0.0.1:7878/query --graph data --graph links --dry-run
      AG_AUTH=dba:dba actorgraph push --to http://127.0.0.1:8890/sparql --auth-env AG_AUTH
    """
    from .. import push as pushing
    from ..store import embedded_copy
    from ..store.http import authorization
    from ..store.remote import RemoteStore

    remote = RemoteStore(
        url,
        update_endpoint,
        graph_store=graph_store,
        timeout=timeout,
        authorization=authorization(url, auth_env),
    )
    store = embedded_copy(store_from(ctx, None))
    plans = pushing.plan(store, remote, groups or None)
    todo = [p for p in plans if p.send]
    if dry_run:
        for p in plans:
            verb = "send" if p.send else "skip (already there)"
            click.echo(f"{verb}\t{p.graph}\t{p.triples:,} triples\t{len(p.data):,} bytes")
        click.echo(f"{len(todo)} of {len(plans)} graph(s) would be sent", err=True)
        return
    total = sum(len(p.data) for p in todo)
    sent_bytes = 0
    with progress_bar("pushing", data=True) as progress:

        def advance(n: int) -> None:
            nonlocal sent_bytes
            sent_bytes += n
            progress("graphs", sent_bytes, total)

        sent = pushing.push(remote, plans, protocol=protocol, progress=advance, bulk=bulk)
    pushing.verify(remote, plans)
    triples = sum(p.triples for p in sent)
    click.echo(
        f"pushed {len(sent)} graph(s), {triples:,} triples; {len(plans) - len(sent)} "
        f"unchanged graph(s) skipped; counts on the server checked",
        err=True,
    )
