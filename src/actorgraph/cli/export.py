"""``actorgraph export``."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from .. import rdf
from ..errors import ActorGraphError
from ..export import select_graphs
from ..fsutil import atomic_write
from ..rdf import jsonld
from ..store import embedded_copy
from .common import GROUPS_OPTION, STORE, notify, project_from, store_from

FORMATS = rdf.names()
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
@GROUPS_OPTION
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
      actorgraph export --format ttl -o graph.ttl
      actorgraph export --format nq --graph data --graph links
      actorgraph export --format jsonld --frame organisation --graph data
      actorgraph export --format jsonld --profile schema.org
      actorgraph export --format nq --store http://127.0.0.1:7878/query
    """
    if fmt is None:
        by_suffix = rdf.by_extension(output.suffix) if output and output.suffix else None
        fmt = by_suffix.name if by_suffix else "ttl"
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
    if profile:
        data = jsonld.schema_org(store, graphs)
    elif frame:
        data = jsonld.framed(store, jsonld.load_context(project), frame, graphs)
    else:
        context = jsonld.load_context(project) if fmt == "jsonld" else None
        data = rdf.serialize_graphs(store, fmt, graphs, context=context)
    if output is None:
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
    else:
        _warn_inside_dist(output, project.dist_dir)
        atomic_write(output, data)


def _warn_inside_dist(output: Path, dist: Path) -> None:
    """Say so when ``output`` lies in dist/: build owns that folder, and an
    export there replaces build's file with one of other graphs (build's leave
    the gazetteer out, export's keep it) until the next build writes it again."""
    if output.resolve().is_relative_to(dist.resolve()):
        notify(
            f"warning: {output} is inside {dist}, where build writes its outputs; "
            "this export replaces what is there until the next build "
            "(write elsewhere, e.g. -o graph.ttl)"
        )
