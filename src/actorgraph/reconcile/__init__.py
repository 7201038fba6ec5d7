"""Reconciliation: written names (with what else a table knows of them) matched
to the project's organisations and the gazetteer's public authorities.

- :mod:`.vocab`: the service's types (organisation classes of the ontology)
  and properties;
- :mod:`.entities`: what can be found, read from a store;
- :mod:`.matcher`: the index, its scores and its decision;
- :mod:`.protocol`: the W3C Reconciliation Service API 0.2 messages (batches
  of queries, suggest, data extension), checked and answered — no HTTP;
- :mod:`.extend`: the data extension's values, read from the store;
- :mod:`.table`: spreadsheets (CSV/TSV as French spreadsheets export them)
  reconciled row by row, for ``actorgraph reconcile``.

The server's ``/reconcile`` (:mod:`actorgraph.serve.reconcile`) and the
``reconcile`` verb only translate to and from these. See ``docs/reconcile.md``.
"""

from .entities import Entity, read_entities
from .matcher import Candidate, Query, Reconciler
from .vocab import EXTEND_PROPERTIES, QUERY_PROPERTIES, Kind, Property, Types

__all__ = [
    "EXTEND_PROPERTIES",
    "QUERY_PROPERTIES",
    "Candidate",
    "Entity",
    "Kind",
    "Property",
    "Query",
    "Reconciler",
    "Types",
    "read_entities",
]
