"""Helpers shared by the verbs."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click
from rich.console import Console

from ..project import Project
from ..validation import ENGINES


def project_from(ctx: click.Context, data_dir: Path | None = None) -> Project:
    """The project the command acts on (``-C`` folder or the current one)."""
    start = (ctx.find_root().obj or {}).get("directory")
    return Project.discover(start, data_dir)


def console(err: bool = False) -> Console:
    """A rich console; written to a pipe or a file, tables get room instead of
    rich's 80 columns (``COLUMNS`` still decides when set)."""
    stream = sys.stderr if err else sys.stdout
    width = None
    if not stream.isatty() and "COLUMNS" not in os.environ:
        width = 200
    return Console(stderr=err, highlight=False, soft_wrap=True, width=width)


LANG = click.option(
    "--lang",
    type=click.Choice(["en", "fr"]),
    default="en",
    show_default=True,
    help="Language of messages and labels.",
)

ENGINE = click.option(
    "--engine",
    type=click.Choice(ENGINES),
    default=ENGINES[0],
    show_default=True,
    help="SHACL engine: fast (shapes compiled to SPARQL) or pyshacl (the reference).",
)
