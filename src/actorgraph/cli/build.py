"""``actorgraph build``."""

from __future__ import annotations

from pathlib import Path

import click
from rich.table import Table

from ..build import build
from ..errors import EXIT_OK, EXIT_VIOLATIONS
from .common import ENGINE, LANG, console, notify, progress_bar, project_from
from .stats import short


@click.command("build")
@click.option(
    "--data",
    "data_dir",
    type=click.Path(path_type=Path),
    help="Folder of instance data (default: data/graph).",
)
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Output folder (default: dist).",
)
@ENGINE
@click.option(
    "--with-reference",
    is_flag=True,
    help="Also validate and write the reference gazetteer (data/reference/): ~460k more triples.",
)
@LANG
@click.option("-q", "--quiet", is_flag=True, help="Print only the verdict line.")
@click.pass_context
def command(
    ctx: click.Context,
    data_dir: Path | None,
    out_dir: Path | None,
    engine: str,
    with_reference: bool,
    lang: str,
    quiet: bool,
) -> None:
    """Load ontology, vocabularies, data, reference data and links; validate;
    write dist/: the graph as actorgraph.ttl, .nt, .nq, .trig and .jsonld, the
    schema.org blocks (organisations.schema.jsonld), report.txt, report.json and
    stats.json (counts of the same graphs, naming the groups left out). The reference gazetteer is loaded (queries and links see it) but
    neither validated nor written unless --with-reference.

    Exits 0 when the graph conforms, 1 when it has violations (dist/ is
    written either way, with the report), 2 on bad input (nothing written).

    \b
    Example:
      actorgraph build
      actorgraph build --out public/ --lang fr
      actorgraph build --data ../my-directory/graph --with-reference
    """
    project = project_from(ctx, data_dir)
    out = console()
    with progress_bar("build") as progress:
        result = build(
            project,
            out_dir,
            engine=engine,
            lang=lang,
            with_reference=with_reference,
            progress=progress,
            notify=notify,
        )
    counts = result.report.counts()
    if not quiet:
        graphs = Table(title="Triples per named graph", title_justify="left")
        graphs.add_column("graph")
        graphs.add_column("group")
        graphs.add_column("triples", justify="right")
        for g, group, n in result.stats.graphs:
            graphs.add_row(short(g), group, f"{n:,}")
        graphs.add_row("[b]total[/b]", "", f"[b]{result.stats.triples:,}[/b]")
        out.print(graphs)
        classes = Table(title="Instances per class", title_justify="left")
        classes.add_column("class")
        classes.add_column("instances", justify="right")
        for c, n in result.stats.classes:
            classes.add_row(short(c), f"{n:,}")
        out.print(classes)
        for path in result.written:
            out.print(f"wrote {path}")
    verdict = "conforms" if result.report.conforms else "does NOT conform"
    out.print(
        f"Validation ({engine}): {verdict} — {counts['Violation']} violation(s), "
        f"{counts['Warning']} warning(s), {counts['Info']} info"
    )
    if not result.report.conforms:
        out.print(f"See {(out_dir or project.dist_dir) / 'report.txt'} or run: actorgraph validate")
    ctx.exit(EXIT_OK if result.report.conforms else EXIT_VIOLATIONS)
