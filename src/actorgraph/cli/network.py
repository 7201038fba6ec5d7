"""``actorgraph network``: the partnership network, its measures and its picture."""

from __future__ import annotations

import csv
import io
import json
import sys
from pathlib import Path
from typing import Any

import click
from rich.table import Table

from ..errors import NotFoundError, UsageError
from ..network.measures import MEASURES
from .common import LANG, STORE, console, notify, project_from, store_from

#: Above this many organisations a picture without --top shows only the
#: PICTURE_TOP most central: Graphviz would take minutes and the names overlap.
PICTURE_LIMIT = 500
PICTURE_TOP = 300

GRAPH_FILES = (".gexf", ".graphml")
PICTURES = (".svg", ".png")

COLUMNS = (
    "iri",
    "slug",
    "name",
    "kind",
    "territory",
    "degree",
    "weighted_degree",
    "betweenness",
    "pagerank",
    "community",
    "linked_communities",
    "participation",
    "component",
    "articulation_point",
)


@click.command("network")
@click.option(
    "-f",
    "--format",
    "fmt",
    type=click.Choice(["table", "csv", "json"]),
    help="How to print the measures [default: table on a terminal, csv otherwise].",
)
@click.option(
    "-o",
    "--output",
    "outputs",
    multiple=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="Also write this file (repeatable), by extension: .svg or .png (a picture), "
    ".gexf (Gephi) or .graphml (Cytoscape).",
)
@click.option(
    "--rdf",
    is_flag=True,
    help="Write the measures as RDF into data/analytics/network.ttl (the named graph "
    "analytics/network, which build, query and the catalogue read).",
)
@click.option(
    "--ego",
    metavar="ORG",
    help="Only this organisation's neighbourhood (slug, CURIE, IRI or name).",
)
@click.option(
    "--depth",
    type=click.IntRange(min=1),
    default=1,
    show_default=True,
    help="With --ego: how many links away from it.",
)
@click.option(
    "--top",
    type=click.IntRange(min=1),
    help=f"Only the N most central organisations (a picture of more than {PICTURE_LIMIT} "
    f"shows the {PICTURE_TOP} most central unless --top is given).",
)
@click.option(
    "--by",
    type=click.Choice(MEASURES),
    default="pagerank",
    show_default=True,
    help="The measure that ranks organisations and sizes them in the picture.",
)
@click.option(
    "--labels",
    type=click.IntRange(min=0),
    default=20,
    show_default=True,
    help="Name this many of the most central organisations in the picture.",
)
@click.option(
    "--seed",
    type=int,
    default=27,
    show_default=True,
    help="Seed of the random draws (communities, sampled betweenness).",
)
@click.option("-q", "--quiet", is_flag=True, help="Print no measures (only write the files).")
@LANG
@STORE
@click.pass_context
def command(
    ctx: click.Context,
    fmt: str | None,
    outputs: tuple[Path, ...],
    rdf: bool,
    ego: str | None,
    depth: int,
    top: int | None,
    by: str,
    labels: int,
    seed: int,
    quiet: bool,
    lang: str,
    store_url: str | None,
) -> None:
    """Partnership network measures, RDF, GEXF/GraphML, SVG/PNG picture.

    Organisations are linked when one is the other's partner, when they take
    part in the same project (as leader or partner), or when one incubated
    the other; a link weighs one per shared project (plus one for a
    partnership outside projects, one for an incubation). Measures: degree,
    weighted degree, betweenness, PageRank, Leiden communities, components,
    bridges and articulation points, always of the whole network (--ego and
    --top choose what is shown).

    \b
    Example:
      actorgraph network
      actorgraph network --rdf -o docs/network.svg -o network.gexf
      actorgraph network --ego la-27e-region --depth 2 --format json
      actorgraph network --top 300 -o top.png --lang fr
      actorgraph network --store http://127.0.0.1:7878/query --format csv
    """
    from ..network import (
        files,
        find_organisation,
        measure,
        most_central,
        neighbourhood,
        picture,
        read_network,
    )
    from ..network import rdf as network_rdf
    from ..network.measures import Parameters

    for path in outputs:
        if path.suffix.lower() not in (*GRAPH_FILES, *PICTURES):
            raise UsageError(
                f"{path}: unknown extension {path.suffix or '(none)'}; expected "
                ".svg, .png, .gexf or .graphml",
                field="--output",
            )
    project = project_from(ctx) if rdf else None
    network = read_network(store_from(ctx, store_url), lang)
    if not network.nodes:
        raise NotFoundError(
            "the partnership network is empty: the store holds no organisation",
            hint="add data under data/graph/ (or give --store URL of a server that holds some)",
        )
    measures = measure(network, Parameters(seed=seed))
    if not network.edges:
        notify(
            "no partnership, shared project or incubation in the graph: no organisation has partners"
        )

    if project is not None:
        path, changed = network_rdf.write(project, network, measures)
        notify(f"{'wrote' if changed else 'unchanged:'} {_relative(path, project.root)}")

    view = network
    if ego is not None:
        centre = find_organisation(network, ego)
        view = network.subnetwork(neighbourhood(network, centre, depth))
        if len(view.nodes) == 1:
            notify(f"{network.nodes[centre].label} has no partners in the network")
    if top is not None:
        view = view.subnetwork(set(most_central(view, measures, top, by)))

    pictures = [p for p in outputs if p.suffix.lower() in PICTURES]
    for path in outputs:
        if path.suffix.lower() in GRAPH_FILES:
            files.write(path, view, measures)
    if pictures:
        drawn = view
        if top is None and len(view.nodes) > PICTURE_LIMIT:
            drawn = view.subnetwork(set(most_central(view, measures, PICTURE_TOP, by)))
            notify(
                f"the picture shows the {PICTURE_TOP} most central of {len(view.nodes):,} "
                "organisations (choose with --top N)"
            )
        source = picture.dot(
            drawn, measures, size_by=by, labels=labels, lang=lang, total=len(network.nodes)
        )
        picture.draw(source, pictures)
    for path in outputs:
        notify(f"wrote {path}")

    if quiet:
        return
    fmt = fmt or ("table" if sys.stdout.isatty() else "csv")
    rows = [
        _row(view, measures, iri, lang) for iri in most_central(view, measures, len(view.nodes), by)
    ]
    if fmt == "json":
        click.echo(json.dumps(_json(view, measures, rows, lang), indent=2, ensure_ascii=False))
    elif fmt == "csv":
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(
            {k: str(v).lower() if isinstance(v, bool) else v for k, v in row.items()}
            for row in rows
        )
        click.echo(buffer.getvalue(), nl=False)
    else:
        _table(view, measures, rows, network_rdf.summary(network, measures))


def _relative(path: Path, root: Path) -> str:
    try:
        return str(path.relative_to(root))
    except ValueError:
        return str(path)


def _row(view: Any, measures: Any, iri: str, lang: str) -> dict[str, Any]:
    node, m = view.nodes[iri], measures.nodes[iri]
    return {
        "iri": iri,
        "slug": node.slug,
        "name": node.name,
        "kind": node.kind_label(lang),
        "territory": node.territory,
        "degree": m.degree,
        "weighted_degree": m.weighted_degree,
        "betweenness": round(m.betweenness, 6),
        "pagerank": round(m.pagerank, 6),
        "community": m.community,
        "linked_communities": m.linked_communities,
        "participation": round(m.participation, 6),
        "component": m.component,
        "articulation_point": m.articulation,
    }


def _json(view: Any, measures: Any, rows: list[dict[str, Any]], lang: str) -> dict[str, Any]:
    names = view.names
    pivots = measures.betweenness_pivots
    bridges = set(measures.bridges)
    return {
        "network": {
            "organisations": len(measures.nodes),
            "links": sum(m.degree for m in measures.nodes.values()) // 2,
            "communities": measures.communities,
            "modularity": round(measures.modularity, 6),
            "components": measures.components,
            "bridges": len(measures.bridges),
            "articulation_points": len(measures.articulation_points),
            "betweenness": "exact" if pivots is None else f"sampled from {pivots} organisations",
        },
        "parameters": measures.parameters.to_dict(),
        "shown": {"organisations": len(view.nodes), "links": len(view.edges)},
        "organisations": rows,
        "links": [
            {
                "source": e.a,
                "target": e.b,
                "weight": e.weight,
                "relations": sorted(e.relations),
                "projects": [{"iri": p, "name": names.get(p, "")} for p in sorted(e.projects)],
                "roles": [{"iri": r, "label": names.get(r, "")} for r in sorted(e.roles)],
                "partnerships": sorted(e.partnerships),
                "sources": sorted(e.sources),
                "bridge": (e.a, e.b) in bridges,
            }
            for e in view.edges.values()
        ],
    }


def _table(view: Any, measures: Any, rows: list[dict[str, Any]], title: str) -> None:
    out = console()
    shown = f" — {len(view.nodes):,} shown" if len(view.nodes) < len(measures.nodes) else ""
    t = Table(title=f"Partnership network: {title}{shown}", title_justify="left")
    heads = ("#", "organisation", "kind", "territory", "degree", "weighted", "betweenness",
             "PageRank", "community", "participation", "articulation")  # fmt: skip
    for head in heads:
        numeric = head not in ("organisation", "kind", "territory", "articulation")
        t.add_column(head, justify="right" if numeric else "left")
    for rank, row in enumerate(rows, start=1):
        t.add_row(
            str(rank),
            row["name"] or row["slug"],
            row["kind"],
            row["territory"],
            str(row["degree"]),
            str(row["weighted_degree"]),
            f"{row['betweenness']:.4f}",
            f"{row['pagerank']:.4f}",
            str(row["community"]),
            f"{row['participation']:.2f}",
            "yes" if row["articulation_point"] else "",
        )
    out.print(t)
    bridges = [(a, b) for a, b in measures.bridges if a in view.nodes and b in view.nodes]
    if bridges:
        names = [f"{view.nodes[a].label} — {view.nodes[b].label}" for a, b in bridges[:20]]
        more = f" … and {len(bridges) - 20:,} more" if len(bridges) > 20 else ""
        out.print("Bridges: " + "; ".join(names) + more)
