"""``actorgraph serve``: the project as published linked data.

An ASGI application (Starlette, served by uvicorn) over the store port, so it
fronts the embedded project store or any SPARQL 1.1 server alike. Each part
of the site is a module that contributes its routes:

- :mod:`.site`: the settings and the :class:`~.site.Site` every route reads
  (the store, the project, the IRI ↔ URL mapping, the data's version);
- :mod:`.ld`: every project IRI, content-negotiated (Turtle, JSON-LD,
  N-Triples, HTML) through the writer registry;
- :mod:`.negotiation`: how a document is answered: variant, conditional
  requests, ``HEAD``, headers (used by :mod:`.ld` and :mod:`.dataset`);
- :mod:`.endpoint`: the SPARQL 1.1 Protocol endpoint at ``/sparql``;
- :mod:`.dataset`: VoID and DCAT descriptions, and the dumps;
- :mod:`.pages`: the pages people read (search, catalogue, territories…);
- :mod:`.reconcile`: the W3C Reconciliation Service API at ``/reconcile``;
- :mod:`.app`: puts them together behind the safety middleware.

See ``docs/serve.md``.
"""

from __future__ import annotations

from .app import create_app
from .site import Settings, Site

__all__ = ["Settings", "Site", "create_app"]
