"""The messages of the W3C Reconciliation Service API 0.2, without HTTP.

Everything a client sends is checked here, and every mistake is a
:class:`~actorgraph.errors.UsageError` saying what is wrong and where (the
server answers it 400): JSON that does not parse, a batch that is not an
object or holds more than :data:`BATCH_LIMIT` queries, a query with neither
``query`` nor ``properties``, an empty ``query``, an unknown field, type or
property, a ``limit`` that is not a positive integer. Everything answered
has the shape of the specification's JSON Schemas (``tests/reconcile`` checks
each against them).

>>> from actorgraph.reconcile.vocab import Types
>>> parse_batch('{"q0": {"query": "Mairie de Paris", "type": "ag:Commune"}}', Types.fallback())
{'q0': Query(text='Mairie de Paris', types=('https://w3id.org/actorgraph/ontology#Commune',), limit=5, properties=())}
>>> parse_batch('{"q0": {"query": " "}}', Types.fallback())
Traceback (most recent call last):
...
actorgraph.errors.UsageError: queries: q0: query: the query is empty
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from .. import __version__
from ..errors import UsageError
from ..match import words
from ..namespaces import AG, BASE
from .matcher import DEFAULT_LIMIT, MAX_LIMIT, Candidate, Query, Reconciler
from .vocab import (
    EXTEND_PROPERTIES,
    QUERY_PROPERTIES,
    Kind,
    Property,
    Types,
    extend_property,
    query_property,
)

#: The most queries a batch (and the most ids a data extension query) may hold.
BATCH_LIMIT = 1000
#: The longest name a query may give.
MAX_QUERY_LENGTH = 1000
#: Suggestions per page.
SUGGEST_PAGE = 10

IDENTIFIER_SPACE = BASE + "id/"
SCHEMA_SPACE = str(AG)
#: The types OpenRefine offers first.
DEFAULT_TYPES = ("Organisation", "Commune", "EPCI", "Departement", "Region")

_QUERY_FIELDS = {"query", "type", "limit", "properties", "type_strict"}


def _json(text: str | bytes, name: str) -> Any:
    try:
        return json.loads(text)
    except (ValueError, RecursionError) as exc:
        raise UsageError(f"not valid JSON: {exc}", field=name) from None


def parse_batch(text: str | bytes, types: Types) -> dict[str, Query]:
    """A reconciliation query batch (the ``queries`` parameter) as queries by key."""
    batch = _json(text, "queries")
    if not isinstance(batch, dict):
        raise UsageError(
            'a batch is a JSON object of queries by key, e.g. {"q0": {"query": "Mairie de Paris"}}',
            field="queries",
        )
    if len(batch) > BATCH_LIMIT:
        raise UsageError(
            f"a batch holds at most {BATCH_LIMIT} queries (this one holds {len(batch)}); "
            "send it in several (the manifest's batchSize)",
            field="queries",
        )
    out = {}
    for key, query in batch.items():
        try:
            out[key] = parse_query(query, types)
        except UsageError as exc:
            where = f"queries: {key}" + (f": {exc.field}" if exc.field else "")
            raise UsageError(exc.message, field=where) from None
    return out


def parse_query(query: Any, types: Types) -> Query:
    """One reconciliation query (see the module's doc for what is refused)."""
    if not isinstance(query, dict):
        raise UsageError("a query is a JSON object with a query, type, limit or properties")
    unknown = sorted(set(query) - _QUERY_FIELDS)
    if unknown:
        raise UsageError(
            f"unknown field(s) {', '.join(map(repr, unknown))}; a query has "
            + ", ".join(sorted(_QUERY_FIELDS))
        )
    text = query.get("query")
    if text is not None and not isinstance(text, str):
        raise UsageError("the query must be a string", field="query")
    if text is not None and not text.strip():
        raise UsageError("the query is empty", field="query")
    if text is not None and len(text) > MAX_QUERY_LENGTH:
        raise UsageError(f"the query is longer than {MAX_QUERY_LENGTH} characters", field="query")
    props = _properties(query.get("properties"))
    if text is None and not props:
        raise UsageError("a query needs a query string or properties")
    written = query.get("type")
    if written is None:
        written = []
    elif isinstance(written, str):
        written = [written]
    if not isinstance(written, list) or not all(isinstance(t, str) for t in written):
        raise UsageError("type is a type id or a list of them", field="type")
    strict = query.get("type_strict")
    if strict is not None and strict not in ("any", "should", "all"):
        raise UsageError("type_strict is one of any, should, all", field="type_strict")
    limit = query.get("limit", DEFAULT_LIMIT)
    if (
        isinstance(limit, bool)
        or not isinstance(limit, int | float)
        or limit != limit  # NaN
        or limit < 1
        or int(limit) != limit
    ):
        raise UsageError("limit is a positive integer", field="limit")
    return Query(
        (text or "").strip(),
        tuple(dict.fromkeys(types.resolve(t) for t in written)),
        min(int(limit), MAX_LIMIT),
        props,
    )


def _properties(value: Any) -> tuple[tuple[str, tuple[Any, ...]], ...]:
    if value is None:
        return ()
    if not isinstance(value, list):
        raise UsageError("properties is a list of {pid, v} objects", field="properties")
    out: list[tuple[str, tuple[Any, ...]]] = []
    for item in value:
        if not isinstance(item, dict) or "pid" not in item or "v" not in item:
            raise UsageError("each property is a {pid, v} object", field="properties")
        prop = query_property(item["pid"])
        values = item["v"] if isinstance(item["v"], list) else [item["v"]]
        for v in values:
            ok = isinstance(v, str | int | float) or (
                isinstance(v, dict) and isinstance(v.get("id"), str)
            )
            if not ok:
                raise UsageError(
                    f"a value of {prop.id} is a string, a number, a boolean or "
                    '{"id": …, "name": …}',
                    field="properties",
                )
        out.append((prop.id, tuple(values)))
    return tuple(out)


# ------------------------------------------------------------------ answers


def kind_json(kind: Kind) -> dict[str, str]:
    return {"id": kind.iri, "name": kind.name}


def candidate_json(candidate: Candidate) -> dict[str, Any]:
    """A reconciliation candidate."""
    return {
        "id": candidate.id,
        "name": candidate.name,
        "description": candidate.description,
        "score": candidate.score,
        "match": candidate.match,
        "type": [kind_json(k) for k in candidate.types],
        "features": [{"id": k, "value": v} for k, v in candidate.features],
    }


def answer_batch(reconciler: Reconciler, queries: Mapping[str, Query]) -> dict[str, Any]:
    """The reconciliation result batch of ``queries``."""
    return {
        key: {"result": [candidate_json(c) for c in reconciler.reconcile(query)]}
        for key, query in queries.items()
    }


def type_json(types: Types, kind: Kind, *, depth: int = 1) -> dict[str, Any]:
    """A type, with its broader types ``depth`` levels up."""
    out: dict[str, Any] = {"id": kind.iri, "name": kind.name, "description": kind.name_en}
    if depth and kind.broader:
        out["broader"] = [
            type_json(types, types.kinds[b], depth=depth - 1)
            for b in kind.broader
            if b in types.kinds
        ]
    return out


def manifest(service_url: str, types: Types, view_url: str, preview_url: str) -> dict[str, Any]:
    """The service manifest; ``service_url`` is where the service answers
    (``…/reconcile``), ``view_url`` and ``preview_url`` hold ``{{id}}``."""
    defaults = [types.kinds[str(AG[t])] for t in DEFAULT_TYPES if str(AG[t]) in types.kinds]
    return {
        "versions": ["0.2"],
        "name": "actorgraph: organisations of the directory and French public authorities",
        "identifierSpace": IDENTIFIER_SPACE,
        "schemaSpace": SCHEMA_SPACE,
        "serviceVersion": __version__,
        "defaultTypes": [type_json(types, k) for k in defaults],
        "view": {"url": view_url},
        "preview": {"url": preview_url, "width": 420, "height": 200},
        "suggest": {
            "entity": {"service_url": service_url, "service_path": "/suggest/entity"},
            "type": {"service_url": service_url, "service_path": "/suggest/type"},
            "property": {"service_url": service_url, "service_path": "/suggest/property"},
        },
        "extend": {
            "propose_properties": {"service_url": service_url, "service_path": "/properties"},
            "property_settings": [],
        },
        "batchSize": BATCH_LIMIT,
    }


# ------------------------------------------------------------------ suggest


def page(cursor: Any) -> int:
    """The ``cursor`` parameter: how many suggestions to skip."""
    if cursor in (None, ""):
        return 0
    try:
        value = int(str(cursor))
    except ValueError:
        raise UsageError("cursor is a number of suggestions to skip", field="cursor") from None
    if value < 0 or value > 100_000:
        raise UsageError("cursor is a number of suggestions to skip", field="cursor")
    return value


def prefix_of(prefix: Any) -> str:
    if prefix is None:
        raise UsageError("the prefix parameter is missing", field="prefix")
    text = str(prefix)
    if len(text) > MAX_QUERY_LENGTH:
        raise UsageError(f"prefix longer than {MAX_QUERY_LENGTH} characters", field="prefix")
    return text


def suggest_entities(
    reconciler: Reconciler, prefix: str, cursor: int = 0, types: Sequence[str] = ()
) -> dict[str, Any]:
    """Entities whose names start with ``prefix``."""
    resolved = [reconciler.types.resolve(t) for t in types]
    found = reconciler.suggest(prefix, types=resolved, cursor=cursor, limit=SUGGEST_PAGE)
    return {
        "result": [
            {
                "id": ent.iri,
                "name": reconciler.display_name(ent),
                "description": reconciler.describe(ent),
                "notable": [kind_json(k) for k in reconciler.kinds(ent)],
            }
            for ent in found
        ]
    }


def _starts(prefix: str, *names: str) -> bool:
    key = words(prefix)
    return not key or any(
        words(n).startswith(key) or any(w.startswith(key) for w in words(n).split()) for n in names
    )


def suggest_types(types: Types, prefix: str, cursor: int = 0) -> dict[str, Any]:
    """Types whose id or names start with ``prefix`` (or one of whose words does)."""
    found = [
        k for k in types.ordered() if _starts(prefix, k.name, k.name_en, k.local, f"ag:{k.local}")
    ]
    return {"result": [type_json(types, k) for k in found[cursor : cursor + SUGGEST_PAGE]]}


def _all_properties() -> list[Property]:
    seen: dict[str, Property] = {}
    for prop in (*QUERY_PROPERTIES, *EXTEND_PROPERTIES):
        seen.setdefault(prop.id, prop)
    return list(seen.values())


def suggest_properties(prefix: str, cursor: int = 0) -> dict[str, Any]:
    """Properties (of queries, then of the data extension) matching ``prefix``."""
    found = [p for p in _all_properties() if _starts(prefix, p.id, p.name, *p.aliases)]
    return {
        "result": [
            {"id": p.id, "name": p.name, "description": p.description}
            for p in found[cursor : cursor + SUGGEST_PAGE]
        ]
    }


# ------------------------------------------------------------------ data extension


def propose_properties(types: Types, type_id: str | None, limit: Any = None) -> dict[str, Any]:
    """The data extension properties that apply to entities of ``type_id``."""
    out: dict[str, Any] = {}
    chosen = list(EXTEND_PROPERTIES)
    if type_id:
        iri = types.resolve(type_id)
        out["type"] = type_id
        narrower = types.narrower(iri)
        chosen = [
            p
            for p in chosen
            if p.applies_to is None
            or any(not narrower.isdisjoint(types.narrower(a)) for a in p.applies_to)
        ]
    if limit not in (None, ""):
        n = page(limit)
        if n < 1:
            raise UsageError("limit is a positive integer", field="limit")
        out["limit"] = n
        chosen = chosen[:n]
    out["properties"] = [{"id": p.id, "name": p.name, "description": p.description} for p in chosen]
    return out


def parse_extend(text: str | bytes) -> tuple[list[str], list[Property]]:
    """A data extension query (the ``extend`` parameter): ids and properties."""
    doc = _json(text, "extend")
    if not isinstance(doc, dict) or not isinstance(doc.get("ids"), list):
        raise UsageError(
            'a data extension query is {"ids": [...], "properties": [...]}', field="extend"
        )
    ids = doc["ids"]
    if not all(isinstance(i, str) for i in ids):
        raise UsageError("ids are strings", field="extend: ids")
    if len(ids) > BATCH_LIMIT:
        raise UsageError(
            f"at most {BATCH_LIMIT} ids at once (this query has {len(ids)})", field="extend: ids"
        )
    props = doc.get("properties")
    if not isinstance(props, list) or not props:
        raise UsageError(
            "properties is a non-empty list of {id} objects", field="extend: properties"
        )
    out = []
    for prop in props:
        if not isinstance(prop, dict) or not isinstance(prop.get("id"), str):
            raise UsageError("each property is an {id} object", field="extend: properties")
        if "settings" in prop and not isinstance(prop["settings"], dict):
            raise UsageError("settings is an object", field="extend: properties")
        out.append(extend_property(prop["id"]))
    return list(dict.fromkeys(ids)), list(dict.fromkeys(out))


__all__ = [
    "BATCH_LIMIT",
    "DEFAULT_TYPES",
    "IDENTIFIER_SPACE",
    "SCHEMA_SPACE",
    "answer_batch",
    "candidate_json",
    "manifest",
    "page",
    "parse_batch",
    "parse_extend",
    "parse_query",
    "prefix_of",
    "propose_properties",
    "suggest_entities",
    "suggest_properties",
    "suggest_types",
]
