"""``actorgraph serve``: the linked-data server (pages, RDF, /sparql, /reconcile)."""

from __future__ import annotations

import os

import click

from .common import STORE, notify, project_from


@click.command("serve")
@STORE
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to listen on.")
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True)
@click.option(
    "--base-url",
    metavar="URL",
    help="Public URL standing for https://w3id.org/actorgraph/ [default: http://HOST:PORT/].",
)
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    default=1,
    show_default=True,
    help="Server processes (each opens the store; reads scale with them).",
)
@click.option(
    "--allow-update",
    is_flag=True,
    help="Accept SPARQL updates at /sparql, with the bearer token of --token-env.",
)
@click.option(
    "--token-env",
    default="ACTORGRAPH_SERVE_TOKEN",
    show_default=True,
    metavar="NAME",
    help="Environment variable holding the bearer token that updates must present.",
)
@click.option(
    "--timeout",
    type=click.FloatRange(min=0, min_open=True),
    default=10.0,
    show_default=True,
    help="Seconds a query may run.",
)
@click.option(
    "--queue-wait",
    type=click.FloatRange(min=0, min_open=True),
    default=60.0,
    show_default=True,
    help="Seconds a query may wait for a free query slot before it is answered 503.",
)
@click.option(
    "--result-cap",
    type=click.IntRange(min=1),
    default=10_000,
    show_default=True,
    help="Most rows a query answers.",
)
@click.option(
    "--service",
    "services",
    multiple=True,
    metavar="URL",
    help="A SERVICE endpoint queries may call (repeatable) [default: Wikidata's].",
)
@click.pass_context
def command(
    ctx: click.Context,
    store_url: str | None,
    host: str,
    port: int,
    base_url: str | None,
    workers: int,
    allow_update: bool,
    token_env: str,
    timeout: float,
    queue_wait: float,
    result_cap: int,
    services: tuple[str, ...],
) -> None:
    """The linked-data server (pages, RDF, /sparql, /reconcile).

    Every project IRI (https://w3id.org/actorgraph/…) is served under
    --base-url: HTML for people, Turtle, JSON-LD or N-Triples for machines
    (content negotiation), with a SPARQL 1.1 endpoint at /sparql, VoID and
    DCAT descriptions, dumps, and the reconciliation service for OpenRefine.
    Read-only unless --allow-update. See docs/serve.md.

    \b
    Example:
      actorgraph serve --port 8000
      actorgraph serve --store http://127.0.0.1:7878/query --workers 4
    """
    import uvicorn

    from ..errors import UsageError
    from ..serve.app import ENV, create_app, environment, open_site
    from ..serve.derived import warm_up
    from ..serve.site import DEFAULT_SERVICES, Settings
    from ..store.remote import check_url

    if store_url is not None:
        check_url(store_url)
    if base_url is not None:
        check_url(base_url, "--base-url")
    if allow_update and not os.environ.get(token_env):
        raise UsageError(
            f"--allow-update needs a bearer token in the environment variable {token_env}",
            field="--allow-update",
        )
    settings = Settings(
        base_url=base_url or f"http://{host}:{port}/",
        store_url=store_url,
        allow_update=allow_update,
        token_env=token_env,
        query_timeout=timeout,
        queue_wait=queue_wait,
        result_cap=result_cap,
        services=services or DEFAULT_SERVICES,
    )
    project = project_from(ctx)
    if workers == 1:
        site = open_site(project, settings)
        notify("preparing the pages (validation results, network, search index)")
        warm_up(site)
        notify(f"serving {project.root} at {settings.base_url} (http://{host}:{port}/)")
        uvicorn.run(create_app(site), host=host, port=port, log_level="warning")
        return
    notify(f"serving {project.root} at {settings.base_url} (http://{host}:{port}/)")
    os.environ[ENV] = environment(project, settings)
    uvicorn.run(
        "actorgraph.serve.app:factory",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level="warning",
    )
