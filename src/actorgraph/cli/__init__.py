"""The ``actorgraph`` command: one verb per module, registered here.

Expected errors (:class:`~actorgraph.errors.ActorGraphError`) become a short
message naming the file, line and field, and the exit code of DESIGN.md:
0 done, 1 violations, 2 bad input or usage, 3 an external service failed.
"""

from __future__ import annotations

import sys
from importlib import import_module
from pathlib import Path
from typing import Any

import click

from .. import __version__
from ..errors import ActorGraphError

#: Verb modules, in the order ``--help`` lists them. Each defines ``command``.
VERBS = (
    "build",
    "validate",
    "query",
    "queries",
    "export",
    "ingest",
    "link",
    "stats",
)


class ActorGraphGroup(click.Group):
    """A group that turns expected errors into messages and exit codes."""

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


@click.group(cls=ActorGraphGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="actorgraph")
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


for _verb in VERBS:
    main.add_command(import_module(f".{_verb}", __name__).command)

__all__ = ["main"]
