"""``actorgraph queries``: list the question catalogue."""

from __future__ import annotations

import json

import click
from rich.table import Table

from ..catalogue import catalogue
from .common import LANG, console, project_from


@click.command("queries")
@click.option(
    "--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True
)
@LANG
@click.pass_context
def command(ctx: click.Context, fmt: str, lang: str) -> None:
    """List the catalogue's queries: name, role, summary and parameters.

    \b
    Example:
      actorgraph queries --lang fr
      actorgraph queries --format json
    """
    project = project_from(ctx)
    queries = catalogue(project.queries_dir)
    if fmt == "json":
        doc = [
            {
                "name": q.name,
                "role": q.role,
                "summary": q.summary,
                "summary_fr": q.header.get("summary_fr", ""),
                "params": [
                    {
                        "name": p.name,
                        "type": p.type,
                        "description": p.description,
                        "example": p.example,
                        "default": p.default,
                        "required": p.required,
                    }
                    for p in q.params
                ],
                "file": str(q.path.relative_to(project.root)) if q.path else None,
            }
            for q in queries
        ]
        click.echo(json.dumps(doc, ensure_ascii=False, indent=2))
        return
    table = Table(title=f"{len(queries)} queries in {project.queries_dir}", title_justify="left")
    table.add_column("name", no_wrap=True)
    table.add_column("summary")
    table.add_column("parameters")
    for q in queries:
        table.add_row(q.name, q.summary_in(lang), "\n".join(p.describe() for p in q.params))
    console().print(table)
