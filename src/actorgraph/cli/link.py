"""``actorgraph link``."""

from __future__ import annotations

import click
from rich.table import Table

from ..link import OWL_SAME_AS, LinkResult, link_project, links_by_org
from ..namespaces import AG
from ..wikidata import WIKIDATA_ENDPOINT, WikidataClient
from .common import console, progress_bar, project_from
from .stats import short


@click.command("link")
@click.option(
    "--wikidata-endpoint",
    "endpoint",
    default=WIKIDATA_ENDPOINT,
    show_default=True,
    metavar="URL",
    help="SPARQL endpoint holding Wikidata (or a copy of it).",
)
@click.option("--refresh", is_flag=True, help="Recompute every link, even those already written.")
@click.option(
    "--offline",
    is_flag=True,
    help="Ask no endpoint: gazetteer links, and Wikidata answers already in .cache/wikidata/.",
)
@click.option("--timeout", default=30.0, show_default=True, help="Seconds to wait for an answer.")
@click.option(
    "--retries", default=3, show_default=True, help="Retries (with back-off) of a failed request."
)
@click.pass_context
def command(
    ctx: click.Context,
    endpoint: str,
    refresh: bool,
    offline: bool,
    timeout: float,
    retries: int,
) -> None:
    """Link the organisations of data/graph to the gazetteer (data/reference/)
    and to Wikidata; write data/links/gazetteer.ttl, data/links/wikidata.ttl,
    and data/links/review.tsv (candidates left for a person to decide).

    Links already written stay unless --refresh. Answers from the endpoint are
    cached in .cache/wikidata/. Exits 3, leaving data/links/ unchanged, when
    the endpoint cannot be reached.

    \b
    Examples:
      actorgraph link
      actorgraph link --offline
      actorgraph link --wikidata-endpoint http://127.0.0.1:7878/query --refresh
    """
    project = project_from(ctx)
    client = WikidataClient(
        endpoint,
        cache_dir=project.root / ".cache" / "wikidata",
        offline=offline,
        refresh=refresh,
        timeout=timeout,
        retries=retries,
    )
    with progress_bar("link") as progress:
        result = link_project(project, client, refresh=refresh, progress=progress)
    show(result)


def show(result: LinkResult) -> None:
    out = console()
    table = Table(title="Links", title_justify="left")
    columns = ("organisation", "gazetteer", "SIREN", "INSEE", "territory item", "institution item")
    for col in columns:
        table.add_column(col)
    props = (
        OWL_SAME_AS,
        str(AG.siren),
        str(AG.inseeCode),
        str(AG.territoryItem),
        str(AG.institutionItem),
    )
    for org, found in sorted(links_by_org(result).items()):
        table.add_row(
            short(org),
            *(
                short(found[p]) if p in found and "://" in found[p] else found.get(p, "")
                for p in props
            ),
        )
    out.print(table)
    out.print(
        f"{result.organisations} organisations; "
        f"{sum(len(v) for v in result.links.values())} links "
        f"({result.kept} kept from before); {len(result.reviews)} left for review; "
        f"{result.asked} request(s) to the endpoint; "
        f"{len(result.written)} file(s) changed"
    )
