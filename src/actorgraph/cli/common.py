"""Helpers shared by the verbs."""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import click
from rich.console import Console

from ..progress import Progress, ignore
from ..project import GROUPS, Project

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


@contextlib.contextmanager
def progress_bar(label: str, *, data: bool = False) -> Iterator[Progress]:
    """A :data:`~actorgraph.progress.Progress` callback drawn as a bar on stderr
    while the block runs, when stderr is a terminal; elsewhere one that does
    nothing, so that what scripts and tests read stays the same.

    ``data``: the counts are bytes (shown as sizes, with the time left)."""
    if not sys.stderr.isatty():
        yield ignore
        return
    # Imported here: `actorgraph --help` and piped runs never load rich.progress.
    from rich.progress import (
        BarColumn,
        DownloadColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    count = (DownloadColumn(), TimeRemainingColumn()) if data else (MofNCompleteColumn(),)
    with Progress(
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        *count,
        TimeElapsedColumn(),
        console=console(err=True),
        transient=True,
        # Lines a verb prints meanwhile go above the bar only when they go to
        # the same terminal; to a file or a pipe they go as they are.
        redirect_stdout=sys.stdout.isatty(),
        redirect_stderr=False,
    ) as bar:
        task = bar.add_task(label, total=None)

        def report(what: str, done: int, total: int) -> None:
            bar.update(task, description=f"{label}: {what}", completed=done, total=total)

        yield report


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

GROUPS_OPTION = click.option(
    "-g",
    "--graph",
    "groups",
    multiple=True,
    type=click.Choice(GROUPS),
    help="Only this group of named graphs (repeatable; default: all).",
)
