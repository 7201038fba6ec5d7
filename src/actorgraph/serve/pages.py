"""Routes of the server: pages (see :mod:`actorgraph.serve`)."""

from __future__ import annotations

from starlette.routing import BaseRoute

from .site import Site


def routes(site: Site) -> list[BaseRoute]:
    """The routes this module serves."""
    return []
