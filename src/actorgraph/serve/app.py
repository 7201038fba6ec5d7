"""The ASGI application: every module's routes behind the safety middleware."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
from collections.abc import AsyncIterator
from dataclasses import asdict
from pathlib import Path

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.routing import BaseRoute

from ..project import Project
from ..store import open_store
from ..store.persistent import MANIFEST, generation_of
from . import dataset, endpoint, ld, pages, reconcile
from .derived import warm_up
from .security import SecurityMiddleware
from .site import Settings, Site

#: The environment variable through which ``serve --workers N`` hands each
#: worker process its project folder and settings.
ENV = "ACTORGRAPH_SERVE"


def create_app(site: Site) -> Starlette:
    """The server's ASGI application over ``site``.

    The order matters: specific paths (``/sparql``, ``/reconcile``, the
    dataset descriptions, the pages) come before the catch-all of the
    linked-data IRIs."""
    routes: list[BaseRoute] = [
        *endpoint.routes(site),
        *reconcile.routes(site),
        *dataset.routes(site),
        *pages.routes(site),
        *ld.routes(site),
    ]

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        yield
        endpoint.close(site)  # the query worker processes

    app = Starlette(
        routes=routes,
        middleware=[
            Middleware(
                SecurityMiddleware,
                max_body=site.settings.max_body,
                cors=(endpoint.PATH,),
                json_errors=("/reconcile",),
            )
        ],
        lifespan=lifespan,
    )
    app.state.site = site
    return app


def open_site(project: Project, settings: Settings) -> Site:
    """The site of ``project``: its store (the project store, or the server of
    ``settings.store_url``), opened once."""
    store = open_store(None if settings.store_url else project, settings.store_url)
    folder = generation_of(store, project)
    if folder is None:
        return Site(store=store, project=project, settings=settings)
    # A generation of the project store: every worker process, and every
    # restart on the same data, gives the same ETags and Last-Modified.
    return Site(
        store=store,
        project=project,
        settings=settings,
        loaded=(folder / MANIFEST).stat().st_mtime,
        version=hashlib.sha256(folder.name.encode()).hexdigest()[:16],
    )


def environment(project: Project, settings: Settings) -> str:
    """What :func:`factory` needs, as the value of :data:`ENV`."""
    return json.dumps({"root": str(project.root), "settings": asdict(settings)})


def factory() -> Starlette:
    """The application of one worker process of ``serve --workers N``."""
    doc = json.loads(os.environ[ENV])
    fields = doc["settings"]
    fields["services"] = tuple(fields["services"])
    project = Project.discover(Path(doc["root"]))
    site = open_site(project, Settings(**fields))
    warm_up(site)  # before this worker takes requests
    return create_app(site)


__all__ = ["ENV", "create_app", "environment", "factory", "open_site"]
