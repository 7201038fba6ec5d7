"""Helpers shared by the verbs."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

import click
from rich.console import Console

from ..project import Project

#: The SHACL engines (``actorgraph.validation`` registers them; a test checks both agree).
ENGINE_NAMES = ("fast", "pyshacl")


def project_from(ctx: click.Context, data_dir: Path | None = None) -> Project:
    """The project the command acts on (``-C`` folder or the current one)."""
    start = (ctx.find_root().obj or {}).get("directory")
    return Project.discover(start, data_dir)


def notify(message: str) -> None:
    """A one-line note on stderr (store made or refreshed, …)."""
    click.echo(f"actorgraph: {message}", err=True)


def store_from(ctx: click.Context, url: str | None, *, timeout: float | None = None) -> Any:
    """The store the verb reads: the server at ``url`` (``--store``), or the
    project store, fresh (refreshed graphs are named on stderr)."""
    from ..store import open_store

    project = None if url is not None else project_from(ctx)
    return open_store(project, url, notify=notify, timeout=timeout)


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
    type=click.Choice(ENGINE_NAMES),
    default=ENGINE_NAMES[0],
    show_default=True,
    help="SHACL engine: fast (shapes compiled to SPARQL) or pyshacl (the reference).",
)

STORE = click.option(
    "--store",
    "store_url",
    metavar="URL",
    help="Work on this SPARQL 1.1 server (query endpoint URL) instead of the project store.",
)
