"""The ``actorgraph`` command: one verb per module, registered here.

Verb modules are imported only when their verb runs (``actorgraph --help``
imports none of them), so :data:`VERBS` carries each verb's one-line help;
a test checks it against the verb's own docstring.

Expected errors (:class:`~actorgraph.errors.ActorGraphError`) become a short
message naming the file, line and field, and the exit code the error carries:
0 done, 1 violations, 2 bad input or usage, 3 an external service failed.
"""

from __future__ import annotations

import sys
from importlib import import_module
from pathlib import Path
from typing import Any

import click

from ..errors import ActorGraphError

#: Verbs, in the order ``--help`` lists them, with their one-line help.
#: Each is the module ``actorgraph.cli.<verb>``, which defines ``command``.
VERBS: dict[str, str] = {
    "build": "Load ontology, vocabularies, data, reference data and links; validate; write dist/.",
    "validate": "Validate the project's graph, or the given FILES, against the shapes.",
    "query": "Run a catalogue query (NAME), a query file (FILE.rq) or --text QUERY.",
    "queries": "List the catalogue's queries: name, role, summary and parameters.",
    "export": "Write the graph in one RDF format, deterministically.",
    "ingest": "Turn actor sheets (directory pages in the seed's text format) into data/graph/<actor-slug>.ttl.",
    "link": "Link the organisations of data/graph to the gazetteer (data/reference/) and to Wikidata.",
    "stats": "Counts per named graph, per class and per source.",
    "push": "Put every named graph of the project into a SPARQL 1.1 server, each replaced whole.",
    "network": "Partnership network measures, RDF, GEXF/GraphML, SVG/PNG picture.",
    "serve": "The linked-data server (pages, RDF, /sparql, /reconcile).",
    "reconcile": "Match a spreadsheet's names to the graph and the registers.",
}


class ActorGraphGroup(click.Group):
    """A group that loads verbs on demand and turns expected errors into
    messages and exit codes."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(VERBS)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name not in VERBS:
            return None
        command: click.Command = import_module(f".{name}", __name__).command
        return command

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        with formatter.section("Commands"):
            formatter.write_dl(list(VERBS.items()))

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except ActorGraphError as exc:
            report_error(exc)
            ctx.exit(exc.exit_code)
        except KeyboardInterrupt:
            click.echo("actorgraph: interrupted", err=True)
            ctx.exit(130)
        except BrokenPipeError:
            # Output piped into a program that stopped reading (``| head``).
            sys.stderr.close()
            ctx.exit(0)


def report_error(exc: ActorGraphError) -> None:
    click.echo(f"actorgraph: error: {exc}", err=True)
    if exc.hint:
        click.echo(f"  hint: {exc.hint}", err=True)


def _print_version(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
    if not value or ctx.resilient_parsing:
        return
    from .. import __version__

    click.echo(f"actorgraph, version {__version__}")
    ctx.exit()


@click.group(cls=ActorGraphGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--version",
    is_flag=True,
    expose_value=False,
    is_eager=True,
    callback=_print_version,
    help="Show the version and exit.",
)
@click.option(
    "-C",
    "--directory",
    type=click.Path(file_okay=False, path_type=Path),
    help="Run as if started in this folder (a copy of the project).",
)
@click.pass_context
def main(ctx: click.Context, directory: Path | None) -> None:
    """actorgraph — the knowledge graph of French public-transformation actors.

    Commands act on the project folder they run in (its ontology/, data/,
    queries/, dist/), like git.

    \b
    Example:
      actorgraph build && actorgraph stats
    """
    ctx.ensure_object(dict)
    if directory is not None:
        if not directory.is_dir():
            raise click.BadParameter(f"{directory} is not a folder", param_hint="-C/--directory")
        ctx.obj["directory"] = directory


__all__ = ["VERBS", "main"]
