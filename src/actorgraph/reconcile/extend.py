"""Data extension: the values of some properties for some entities.

Identifiers and kinds come from the index; territories above an entity from
the gazetteer (a commune's département is in its INSEE code, a département's
région and a commune's EPCI in the gazetteer's graph); Wikidata items,
websites and partners are asked of the store when the extension is asked for,
in one query per property for all the ids.

The number of partners counts, as the ``partners-of`` question does, the
organisations named with it in a partnership, in both directions (its
partners, and those it is the partner of through their projects).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

from ..namespaces import AG, FOAF, WD
from ..store import Store
from .entities import Entity
from .matcher import Reconciler
from .vocab import Property

_WIKIDATA = f"""
SELECT ?s ?item WHERE {{
  VALUES ?s {{ %s }}
  VALUES ?p {{ <{AG.territoryItem}> <{AG.institutionItem}> }}
  ?s ?p ?item .
}}
"""

_WEBSITE = f"""
SELECT ?s ?url WHERE {{
  VALUES ?s {{ %s }}
  ?s <{FOAF.homepage}> ?url .
}}
"""

_PARTNERS = f"""
PREFIX ag: <{AG}>
SELECT DISTINCT ?org ?partner WHERE {{
  VALUES ?org {{ %s }}
  {{ ?link ag:partnerOf ?org ; ag:partner ?partner . }}
  UNION {{ ?project ag:leader ?org . ?link ag:inProject ?project ; ag:partner ?partner . }}
  UNION {{ ?link ag:partner ?org ; ag:partnerOf ?partner . }}
  UNION {{ ?link ag:partner ?org ; ag:inProject ?project . ?project ag:leader ?partner . }}
}}
"""

#: IRIs per query (a VALUES block of thousands slows every engine down).
_CHUNK = 200


def _rows(store: Store, text: str, iris: Sequence[str]) -> Iterable[dict[str, Any]]:
    for start in range(0, len(iris), _CHUNK):
        values = " ".join(f"<{i}>" for i in iris[start : start + _CHUNK])
        yield from store.select(text % values)


def _by_entity(
    rec: Reconciler, entities: Sequence[Entity], text: str, var: str
) -> dict[str, list[str]]:
    """``var``'s values for each entity, asked under all its IRIs."""
    iris = sorted({i for e in entities for i in (e.iri, *e.aliases)})
    out: dict[str, set[str]] = defaultdict(set)
    for row in _rows(rec.store, text, iris) if rec.store is not None and iris else ():
        ent = rec.entity(row["s"].value if "s" in row else row["org"].value)
        if ent is not None:
            out[ent.iri].add(row[var].value)
    return {k: sorted(v) for k, v in out.items()}


def _entity_value(rec: Reconciler, ent: Entity) -> dict[str, str]:
    return {"id": ent.iri, "name": rec.display_name(ent)}


def _parents(rec: Reconciler, ent: Entity, what: str) -> list[Entity]:
    body = rec.body(ent)
    out: list[Entity] = []
    if what in ("epci", "parents") and body == "commune":
        out += rec.epcis(ent)
    if what in ("departement", "parents"):
        if body == "commune":
            dep = rec.departement(ent)
            out += [dep] if dep is not None else []
        elif body == "epci":
            out += rec.member_departements(ent)
    if what in ("region", "parents"):
        regions: list[Entity] = []
        if body in ("commune", "departement"):
            region = rec.region(ent)
            regions = [region] if region is not None else []
        elif body == "epci":
            regions = [r for d in rec.member_departements(ent) if (r := rec.region(d))]
        out += [r for r in regions if r is not ent]
    return list(dict.fromkeys(out))


def extend(rec: Reconciler, ids: Sequence[str], props: Sequence[Property]) -> dict[str, Any]:
    """The data extension response for ``ids`` and ``props`` (unknown ids get no values)."""
    found = {i: rec.entity(i) for i in ids}
    entities = list(dict.fromkeys(e for e in found.values() if e is not None))
    wanted = {p.id for p in props}
    asked: dict[str, dict[str, list[str]]] = {}
    if "wikidata" in wanted:
        asked["wikidata"] = _by_entity(rec, entities, _WIKIDATA, "item")
    if "website" in wanted:
        asked["website"] = _by_entity(rec, entities, _WEBSITE, "url")
    if "partners" in wanted:
        asked["partners"] = _by_entity(rec, entities, _PARTNERS, "partner")
    rows: dict[str, dict[str, list[dict[str, Any]]]] = {}
    for iri, ent in found.items():
        row: dict[str, list[dict[str, Any]]] = {}
        for prop in props:
            row[prop.id] = [] if ent is None else _values(rec, ent, prop.id, asked)
        rows[iri] = row
    meta = []
    for prop in props:
        entry: dict[str, Any] = {"id": prop.id, "name": prop.name}
        if prop.value_type and prop.value_type in rec.types.kinds:
            entry["type"] = {"id": prop.value_type, "name": rec.types.kinds[prop.value_type].name}
        meta.append(entry)
    return {"meta": meta, "rows": rows}


def _values(
    rec: Reconciler, ent: Entity, pid: str, asked: dict[str, dict[str, list[str]]]
) -> list[dict[str, Any]]:
    if pid == "siren":
        return [{"str": s} for s in sorted(ent.sirens)]
    if pid == "inseeCode":
        return [{"str": c} for c in sorted(ent.codes)]
    if pid == "kind":
        return [{"str": k.name} for k in rec.kinds(ent)]
    if pid in ("departement", "region", "epci", "parents"):
        return [_entity_value(rec, p) for p in _parents(rec, ent, pid)]
    if pid == "wikidata":
        items = asked["wikidata"].get(ent.iri, [])
        return [{"str": i.removeprefix(str(WD))} for i in items]
    if pid == "website":
        return [{"str": u} for u in asked["website"].get(ent.iri, [])]
    if pid == "partners":
        partners = set()
        for iri in asked["partners"].get(ent.iri, []):
            other = rec.entity(iri)
            partners.add(other.iri if other is not None else iri)
        partners -= {ent.iri, *ent.aliases}
        return [{"int": len(partners)}]
    raise AssertionError(pid)  # the protocol checked the property


__all__ = ["extend"]
