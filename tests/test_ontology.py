"""The ontology and vocabularies: they parse, every term is labelled and
defined in French and English, aligned to a standard vocabulary, and every
term the data uses is declared."""

from __future__ import annotations

import pytest

from actorgraph.namespaces import AG
from actorgraph.project import Project, group_of
from actorgraph.store import EmbeddedStore

PREFIX = (
    "PREFIX ag: <https://w3id.org/actorgraph/ontology#>\n"
    "PREFIX owl: <http://www.w3.org/2002/07/owl#>\n"
    "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
    "PREFIX skos: <http://www.w3.org/2004/02/skos/core#>\n"
    "PREFIX dcterms: <http://purl.org/dc/terms/>\n"
)

TERM_KINDS = (
    "VALUES ?kind { owl:Class owl:ObjectProperty owl:DatatypeProperty owl:AnnotationProperty }"
)


@pytest.fixture(scope="module")
def ontology(project: Project) -> EmbeddedStore:
    store = EmbeddedStore()
    for source in project.schema_sources():
        store.load_file(source.path, graph=source.graph)
    return store


def _terms(store: EmbeddedStore) -> list[str]:
    rows = store.select(PREFIX + f"SELECT DISTINCT ?t WHERE {{ {TERM_KINDS} ?t a ?kind }}")
    return sorted(r["t"].value for r in rows if r["t"].value.startswith(str(AG)))


def test_ontology_describes_itself(ontology: EmbeddedStore) -> None:
    rows = ontology.select(
        PREFIX
        + """SELECT ?title ?version ?licence ?modified WHERE {
          ?o a owl:Ontology ; dcterms:title ?title ; owl:versionInfo ?version ;
             dcterms:license ?licence ; dcterms:modified ?modified }"""
    )
    assert rows, "the ontology node lacks title, version, licence or date"
    assert {r["title"].language for r in rows} >= {"fr", "en"}


def test_ontology_declares_the_kinds_of_the_issue(ontology: EmbeddedStore) -> None:
    terms = set(_terms(ontology))
    for local in [
        "Organisation",
        "Association",
        "Commune",
        "EPCI",
        "Metropole",
        "CommunauteUrbaine",
        "CommunauteAgglomeration",
        "Departement",
        "Region",
        "StateService",
        "PublicFinancialInstitution",
        "FoundationOrNetwork",
        "Project",
        "Programme",
        "Partnership",
        "Resource",
        "ContactPoint",
        "Source",
        "leader",
        "partner",
        "inProject",
        "role",
        "titleTruncated",
        "resourceKind",
        "theme",
        "relatedActor",
        "siren",
        "rna",
        "inseeCode",
        "incubatedBy",
        "contactPoint",
        "immersionDuration",
    ]:
        assert str(AG[local]) in terms, f"ag:{local} is not declared"


@pytest.mark.parametrize("lang", ["fr", "en"])
@pytest.mark.parametrize("prop", ["rdfs:label", "skos:definition"])
def test_every_term_has_label_and_definition(ontology: EmbeddedStore, prop: str, lang: str) -> None:
    terms = _terms(ontology)
    assert len(terms) > 40
    having = {
        r["t"].value
        for r in ontology.select(
            PREFIX + f'SELECT DISTINCT ?t WHERE {{ ?t {prop} ?l FILTER (lang(?l) = "{lang}") }}'
        )
    }
    missing = [t for t in terms if t not in having]
    assert not missing, f"without {prop}@{lang}: {missing}"


def test_every_class_and_property_is_aligned_or_related(ontology: EmbeddedStore) -> None:
    """Each ag: term is a subclass/subproperty of a term, or points to related standard terms."""
    rows = ontology.select(
        PREFIX
        + f"""SELECT DISTINCT ?t WHERE {{ {TERM_KINDS} ?t a ?kind .
          FILTER NOT EXISTS {{ ?t rdfs:subClassOf|rdfs:subPropertyOf|rdfs:seeAlso|owl:equivalentClass
                                    |owl:equivalentProperty|skos:closeMatch|skos:exactMatch ?x }} }}"""
    )
    lonely = sorted(r["t"].value for r in rows if r["t"].value.startswith(str(AG)))
    # Properties that only ag: can say (no standard parent fits) must still have domain or range.
    for iri in lonely:
        assert ontology.select(
            PREFIX + f"SELECT ?x WHERE {{ <{iri}> rdfs:domain|rdfs:range ?x }}"
        ), f"{iri} is neither aligned nor given a domain or range"


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_every_concept_has_label_and_definition(ontology: EmbeddedStore, lang: str) -> None:
    rows = ontology.select(
        PREFIX
        + f"""SELECT ?c WHERE {{ ?c a skos:Concept .
          FILTER NOT EXISTS {{ ?c skos:prefLabel ?l FILTER (lang(?l) = "{lang}") }} }}"""
    )
    assert not rows, [r["c"].value for r in rows]
    rows = ontology.select(
        PREFIX
        + f"""SELECT ?c WHERE {{ ?c a skos:Concept .
          FILTER NOT EXISTS {{ ?c skos:definition ?l FILTER (lang(?l) = "{lang}") }} }}"""
    )
    assert not rows, [r["c"].value for r in rows]


def test_each_vocabulary_is_a_scheme_with_concepts(ontology: EmbeddedStore) -> None:
    rows = ontology.select(
        PREFIX
        + """SELECT ?s (COUNT(?c) AS ?n) WHERE { ?s a skos:ConceptScheme . ?c skos:inScheme ?s }
             GROUP BY ?s"""
    )
    counts = {r["s"].value.rsplit("/", 1)[-1]: int(r["n"].value) for r in rows}
    for scheme in ("organisation-kinds", "resource-kinds", "partner-roles", "methods", "themes"):
        assert counts.get(scheme, 0) >= 4, f"scheme {scheme}: {counts.get(scheme)}"
    kinds = ontology.select(
        PREFIX + "SELECT ?label WHERE { ?c skos:inScheme ?s ; skos:prefLabel ?label . "
        "FILTER (STRENDS(STR(?s), 'resource-kinds') && lang(?label) = 'en') }"
    )
    labels = {r["label"].value.lower() for r in kinds}
    for expected in ("guide", "podcast", "webinar", "white paper", "manifesto", "roadmap"):
        assert any(expected in label for label in labels), expected


def test_every_term_the_data_uses_is_declared(store: EmbeddedStore) -> None:
    """A mistyped ag: class or property in the data fails here, not silently."""
    used = store.select(
        """SELECT DISTINCT ?t ?g WHERE {
             GRAPH ?g { { ?s ?t ?o } UNION { ?s a ?t } }
             FILTER (STRSTARTS(STR(?t), "https://w3id.org/actorgraph/ontology#"))
           }""",
        union=False,
    )
    declared = {
        r["t"].value
        for r in store.select(
            PREFIX + f"SELECT ?t WHERE {{ GRAPH <https://w3id.org/actorgraph/graph/ontology> "
            f"{{ {TERM_KINDS} ?t a ?kind }} }}",
            union=False,
        )
    }
    undeclared = sorted(
        {r["t"].value for r in used if group_of(r["g"].value) != "ontology"} - declared
    )
    assert not undeclared, undeclared


def test_every_concept_the_data_uses_exists(store: EmbeddedStore) -> None:
    rows = store.select(
        """PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
           SELECT DISTINCT ?c WHERE {
             ?s ?p ?c FILTER (STRSTARTS(STR(?c), "https://w3id.org/actorgraph/id/concept/"))
             FILTER NOT EXISTS { ?c a skos:Concept } FILTER NOT EXISTS { ?c a skos:ConceptScheme }
           }"""
    )
    assert not rows, [r["c"].value for r in rows]


def test_generated_namespace_matches_the_ontology(project: Project) -> None:
    """src/actorgraph/_ag.py is regenerated from the ontology and compared: a term
    added to or removed from the ontology without regenerating fails here."""
    from actorgraph import gen_namespace

    committed = gen_namespace.TARGET.read_text(encoding="utf-8")
    assert committed == gen_namespace.render(project.ontology), (
        "run `python -m actorgraph.gen_namespace` and commit src/actorgraph/_ag.py"
    )


def test_a_mistyped_term_fails_loudly() -> None:
    assert str(AG.Organisation).endswith("#Organisation")
    with pytest.raises(AttributeError):
        _ = AG.Organisaton
