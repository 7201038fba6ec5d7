"""ontology/context.jsonld agrees with the ontology: every term resolves to a
declared IRI, and every term the graph uses has a short name."""

from __future__ import annotations

from typing import Any

import pytest

from actorgraph.export import select_graphs
from actorgraph.namespaces import AG, BASE, PREFIXES
from actorgraph.project import Project
from actorgraph.rdf import jsonld
from actorgraph.store import EmbeddedStore

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
#: Namespaces the project does not define: a term in them is declared by its standard.
STANDARD = tuple(iri for iri in PREFIXES.values() if not iri.startswith(BASE))


@pytest.fixture(scope="module")
def context(project: Project) -> dict[str, Any]:
    return jsonld.load_context(project)


def expand(value: str, context: dict[str, Any]) -> str:
    prefix, sep, local = value.partition(":")
    if (
        sep
        and prefix in context
        and isinstance(context[prefix], str)
        and not local.startswith("//")
    ):
        return context[prefix] + local
    return value


def terms(context: dict[str, Any]) -> dict[str, str]:
    """Term → IRI, leaving out keywords, keyword aliases and prefixes."""
    out = {}
    for name, value in context.items():
        if name.startswith("@"):
            continue
        iri = value if isinstance(value, str) else value.get("@id", "")
        if iri.startswith("@") or name in PREFIXES:
            continue
        out[name] = expand(iri, context)
    return out


def declared(store: EmbeddedStore) -> set[str]:
    graphs = select_graphs(store, ["ontology", "vocabulary"])
    values = " ".join(f"<{g}>" for g in graphs)
    rows = store.select(
        f"SELECT DISTINCT ?t WHERE {{ VALUES ?g {{ {values} }} GRAPH ?g {{ ?t a ?k }} }}"
    )
    return {r["t"].value for r in rows}


def test_prefixes_are_the_package_namespaces(context: dict[str, Any]) -> None:
    for prefix, iri in PREFIXES.items():
        assert context.get(prefix) == iri, prefix


def test_every_term_resolves_to_a_declared_iri(context, store: EmbeddedStore) -> None:
    known = declared(store)
    bad = {
        name: iri
        for name, iri in terms(context).items()
        if iri not in known and not (iri.startswith(STANDARD) and not iri.startswith(str(AG)))
    }
    assert not bad, f"context terms with no declaration in the ontology: {bad}"


def test_every_ontology_term_has_a_context_term(context, store: EmbeddedStore) -> None:
    named = set(terms(context).values())
    ours = {t for t in declared(store) if t.startswith(str(AG))}
    assert not ours - named, f"ontology terms without a context term: {sorted(ours - named)}"


def test_every_term_the_data_uses_has_a_context_term(context, store: EmbeddedStore) -> None:
    named = set(terms(context).values())
    graphs = select_graphs(store, ["data", "links"])
    values = " ".join(f"<{g}>" for g in graphs)
    rows = store.select(
        f"SELECT DISTINCT ?p ?c WHERE {{ VALUES ?g {{ {values} }} "
        f"GRAPH ?g {{ ?s ?p ?o OPTIONAL {{ ?s a ?c }} }} }}"
    )
    used = {r["p"].value for r in rows} | {r["c"].value for r in rows if "c" in r}
    used.discard(RDF_TYPE)
    missing = sorted(u for u in used if u not in named)
    assert not missing, f"terms used in the data without a context term: {missing}"


def test_language_maps_for_multilingual_labels(context: dict[str, Any]) -> None:
    for name in ("prefLabel", "altLabel", "definition", "description", "title", "label"):
        assert context[name]["@container"] == "@language", name
