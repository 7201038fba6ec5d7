"""``actorgraph export``."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from .. import jsonld
from ..errors import ActorGraphError
from ..export import EXPORT_FORMATS, select_graphs, serialize
from ..fsutil import atomic_write
from ..project import GROUPS
from ..store import embedded_copy
from .common import STORE, project_from, store_from

FORMATS = (*EXPORT_FORMATS, "jsonld")
FRAME_GROUPS = ("data", "links")


@click.command("export")
@click.option(
    "-f",
    "--format",
    "fmt",
    type=click.Choice(FORMATS),
    default=None,
    help="Output format (default: from the -o file extension, else ttl).",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="File to write, replaced atomically (default: standard output).",
)
@click.option(
    "-g",
    "--graph",
    "groups",
    multiple=True,
    type=click.Choice(GROUPS),
    help="Keep only this group of named graphs (repeatable; default: all).",
)
@click.option(
    "--frame",
    type=click.Choice(jsonld.FRAMES),
    help="JSON-LD: one tree per entity of that kind, with what points at it nested "
    "(default graphs: data and links).",
)
@click.option(
    "--profile",
    type=click.Choice(jsonld.PROFILES),
    help="JSON-LD: per organisation, the schema.org block a web page embeds.",
)
@STORE
@click.pass_context
def command(
    ctx: click.Context,
    fmt: str | None,
    output: Path | None,
    groups: tuple[str, ...],
    frame: str | None,
    profile: str | None,
    store_url: str | None,
) -> None:
    """Write the graph in one RDF format, deterministically (same input, same bytes).

    \b
    Example:
      actorgraph export --format ttl -o dist/actorgraph.ttl
      actorgraph export --format nq --graph data --graph links
      actorgraph export --format jsonld --frame organisation --graph data
      actorgraph export --format jsonld --profile schema.org
      actorgraph export --format nq --store http://127.0.0.1:7878/query
    """
    if fmt is None:
        suffix = output.suffix.lstrip(".") if output else ""
        fmt = suffix if suffix in FORMATS else "ttl"
    if (frame or profile) and fmt != "jsonld":
        raise ActorGraphError("--frame and --profile apply to --format jsonld", field="--format")
    if frame and profile:
        raise ActorGraphError("give --frame or --profile, not both", field="--profile")
    project = project_from(ctx)
    if frame and not groups:
        # Frames are the actors' view for web pages; framing the whole gazetteer
        # (every French local authority) with pyld would take minutes.
        groups = FRAME_GROUPS
    store = store_from(ctx, store_url)
    # Only the graphs exported (with the ontology and vocabularies, whose
    # classes frames and blocks read) cross from a remote store.
    wanted = select_graphs(store, groups or None)
    if groups:
        wanted = sorted({*wanted, *select_graphs(store, ("ontology", "vocabulary"))})
    store = embedded_copy(store, wanted)
    graphs = select_graphs(store, groups or None)
    if fmt == "jsonld":
        context = jsonld.load_context(project)
        if profile:
            data = jsonld.schema_org(store, graphs)
        elif frame:
            data = jsonld.framed(store, context, frame, graphs)
        else:
            data = jsonld.compacted(store, context, graphs)
    else:
        data = serialize(store, fmt, graphs)
    if output is None:
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
    else:
        atomic_write(output, data)
