"""``actorgraph stats``."""

from __future__ import annotations

import json

import click
from rich.table import Table

from ..namespaces import curie
from ..stats import compute
from .common import STORE, console, store_from


def short(iri: str) -> str:
    """A CURIE for ``iri`` when a known prefix fits."""
    return curie(iri, strict=False) or f"<{iri}>"


@click.command("stats")
@click.option(
    "--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True
)
@STORE
@click.pass_context
def command(ctx: click.Context, fmt: str, store_url: str | None) -> None:
    """Counts per named graph, per class and per source.

    \b
    Example:
      actorgraph stats --format json
      actorgraph stats --store http://127.0.0.1:7878/query
    """
    stats = compute(store_from(ctx, store_url))
    if fmt == "json":
        click.echo(json.dumps(stats.to_dict(), indent=2, ensure_ascii=False))
        return
    out = console()
    t = Table(title=f"Named graphs ({stats.triples:,} triples)", title_justify="left")
    for col in ("graph", "group", "triples"):
        t.add_column(col, justify="right" if col == "triples" else "left")
    for g, group, n in stats.graphs:
        t.add_row(short(g), group, f"{n:,}")
    out.print(t)
    t = Table(title="Instances per class", title_justify="left")
    t.add_column("class")
    t.add_column("instances", justify="right")
    for c, n in stats.classes:
        t.add_row(short(c), f"{n:,}")
    out.print(t)
    t = Table(title="Sources", title_justify="left")
    for col in ("source", "title", "stated update", "subjects"):
        t.add_column(col)
    for s, title, modified, n in stats.sources:
        t.add_row(short(s), title, modified, f"{n:,}")
    out.print(t)
