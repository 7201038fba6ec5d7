"""Each fact on its own source.

For every named graph of ``data/graph/``: each name, title, date and identifier
it holds is written in the text of the source the graph is ``prov:wasDerivedFrom``
(the seed sheet, ``reference/external-ids.md``), or the graph comes from a
derivation rule (a ``prov:Plan`` source) that the graph names. Every source file
is hashed. Resource themes and derived kinds follow the rules stated here.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from pathlib import Path

import pytest
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, FOAF, OWL, PROV, RDF, RDFS, SKOS

from actorgraph.ingest.recognise import vocabularies_from_store
from actorgraph.namespaces import AG, ORG_ID, SCHEMA, sparql_prefixes
from actorgraph.project import Project
from actorgraph.store import EmbeddedStore

# A plain Namespace: rdflib's DefinedNamespace XSD upsets doctest collection.
XSD = Namespace("http://www.w3.org/2001/XMLSchema#")
ROOT = Path(__file__).resolve().parent.parent
DATA_FILES = sorted(s.path for s in Project(ROOT).data_sources() if s.group == "data")

#: Literals written in the source as they are: names, titles, the source's own
#: words, identifiers.
WRITTEN = {
    SKOS.prefLabel,
    SKOS.altLabel,
    SKOS.hiddenLabel,
    RDFS.label,
    FOAF.name,
    SCHEMA.name,
    DCTERMS.title,
    DCTERMS.source,
    AG.partnerName,
    AG.outputLabel,
    AG.immersionSetting,
    SCHEMA.email,
    AG.siren,
    AG.formerSiren,
    AG.inseeCode,
    AG.rna,
}
#: Dates: written in the source in a usual French or English form ("2 février
#: 2021", "April 2022", "2012") or as ISO 8601.
DATES = {
    SCHEMA.foundingDate,
    SCHEMA.dissolutionDate,
    SCHEMA.startDate,
    SCHEMA.endDate,
    AG.ceasedActivity,
    DCTERMS.modified,
    DCTERMS.created,
    DCTERMS.issued,
    DCTERMS.date,
}
#: Literals the audit leaves to other checks, each with the reason.
NOT_AUDITED = {
    SCHEMA.description: "the project's own words (test_seed: none copied from the sheet)",
    SKOS.note: "the project's own words",
    AG.fileName: "the project's record of its copy of the source",
    AG.sha256: "the project's record of its copy of the source (see the hash test)",
    AG.retrieved: "the day the project took its copy, not something the source says",
    AG.listPosition: "read from the source's layout (test_ingest: ingest reads the same)",
    AG.titleTruncated: "read from the source's layout (test_ingest: ingest reads the same)",
    AG.generalInterest: "read from the source's words (test_ingest: ingest reads the same)",
    AG.openMethod: "read from the source's words (test_ingest: ingest reads the same)",
    AG.immersionCount: "a number in words (test_ingest: ingest reads the same)",
    AG.immersionDuration: "a duration in words (test_ingest: ingest reads the same)",
    AG.outputCount: "a number in words (test_ingest: ingest reads the same)",
    OWL.annotatedTarget: "repeats the statement the axiom describes, which is audited",
}

MONTHS_FR = [
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
]
MONTHS_EN = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]


def source_text(raw: str) -> str:
    """The text names are looked for in: Markdown emphasis and code marks out,
    white space runs as one space.

    >>> source_text("le **Transfo** :\\n`sources/communes.csv`,\\n  regions")
    'le Transfo : sources/communes.csv, regions'
    """
    return " ".join(raw.replace("**", "").replace("`", "").split())


def written_in(value: str, text: str, *, ignore_case: bool = False) -> bool:
    """``value`` appears in ``text`` as whole words.

    >>> written_in("Gironde", "la Mairie de Paris, le Gironde, France Urbaine")
    True
    >>> written_in("Ville de Paris", "la Mairie de Paris"), written_in("Paris", "Parisiens")
    (False, False)
    """
    flags = re.IGNORECASE if ignore_case else 0
    pattern = rf"(?<!\w){re.escape(' '.join(value.split()))}(?!\w)"
    return re.search(pattern, text, flags) is not None


def date_forms(lit: Literal) -> list[str]:
    """How a date literal may be written in a source.

    >>> date_forms(Literal("2021-02-02", datatype=XSD.date))
    ['2021-02-02', '2 février 2021', '2 February 2021', 'February 2, 2021']
    >>> date_forms(Literal("2022-04", datatype=XSD.gYearMonth))
    ['2022-04', 'avril 2022', 'April 2022']
    """
    value = str(lit)
    forms = [value]
    m = re.fullmatch(r"(\d{4})-(\d{2})(?:-(\d{2}))?", value)
    if m and lit.datatype in (XSD.date, XSD.gYearMonth):
        year, month = m.group(1), int(m.group(2))
        fr, en = MONTHS_FR[month - 1], MONTHS_EN[month - 1]
        if m.group(3):
            day = int(m.group(3))
            forms += [f"{'1er' if day == 1 else day} {fr} {year}", f"{day} {en} {year}"]
            forms.append(f"{en} {day}, {year}")
        else:
            forms += [f"{fr} {year}", f"{en} {year}"]
    return forms


def graph_sources(g: Graph, graph: URIRef) -> tuple[list[URIRef], list[URIRef]]:
    """The sources ``graph`` is derived from: documents, then rules (``prov:Plan``)."""
    sources = sorted(o for o in g.objects(graph, PROV.wasDerivedFrom) if isinstance(o, URIRef))
    rules = [s for s in sources if (s, RDF.type, PROV.Plan) in g]
    return [s for s in sources if s not in rules], rules


def audit(g: Graph, graph: URIRef, texts: Iterable[str]) -> list[str]:
    """What in ``g`` (the named graph ``graph``) its sources' ``texts`` do not bear out."""
    texts = list(texts)
    documents, rules = graph_sources(g, graph)
    problems = []
    if not documents and not rules:
        problems.append(f"<{graph}> names no source (prov:wasDerivedFrom)")
    for s, p, o in sorted(g):
        if not isinstance(o, Literal) or s in rules:
            continue  # a rule's own title and description are the project's words
        if p in WRITTEN:
            found = any(written_in(str(o), t) for t in texts)
        elif p in DATES:
            found = any(written_in(f, t, ignore_case=True) for f in date_forms(o) for t in texts)
        elif p in NOT_AUDITED:
            continue
        else:
            problems.append(f"{p.n3()}: not classified in this audit ({o.n3()})")
            continue
        if not found and not rules:
            problems.append(f"{s.n3()} {p.n3()} {o.n3()}: not in the source's text")
    for axiom in g.subjects(RDF.type, OWL.Axiom):
        stated = (
            g.value(axiom, OWL.annotatedSource),
            g.value(axiom, OWL.annotatedProperty),
            g.value(axiom, OWL.annotatedTarget),
        )
        if None in stated or stated not in g:
            problems.append(f"{axiom.n3()} describes a statement the graph does not hold")
    return problems


def resolve(file_name: str, shared: Path | None) -> Path | None:
    """Where the file a source node names is: in the repository or in ../shared."""
    candidates = [ROOT / file_name]
    if shared is not None:
        candidates += [shared / file_name, shared / "seeds" / file_name]
    return next((c for c in candidates if c.is_file()), None)


def graph_of(path: Path) -> URIRef:
    return URIRef(next(s.graph for s in Project(ROOT).data_sources() if s.path == path))


# ------------------------------------------------------------------ the audit


@pytest.mark.parametrize("path", DATA_FILES, ids=lambda p: p.name)
def test_names_titles_dates_and_identifiers_are_in_their_sources_text(
    path: Path, shared: Path
) -> None:
    g = Graph().parse(path)
    graph = graph_of(path)
    described = Graph()  # source nodes may be described in another file (the sheet's)
    for other in DATA_FILES:
        described.parse(other)
    documents, _ = graph_sources(g, graph)
    texts = []
    for source in documents:
        name = described.value(source, AG.fileName)
        assert name is not None, f"{source.n3()} gives no file to read"
        file = resolve(str(name), shared)
        assert file is not None, f"{name} (source of {path.name}) not found"
        digest = hashlib.sha256(file.read_bytes()).hexdigest()
        assert str(described.value(source, AG.sha256)) == digest, f"{file} changed since read"
        texts.append(source_text(file.read_text(encoding="utf-8")))
    problems = audit(g, graph, texts)
    assert not problems, f"{path.name}:\n" + "\n".join(problems)


SOURCE = "https://w3id.org/actorgraph/id/source/"
ORG = "https://w3id.org/actorgraph/id/organisation/"
SAMPLE = f"""
@prefix ag: <https://w3id.org/actorgraph/ontology#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix prov: <http://www.w3.org/ns/prov#> .
@prefix schema: <https://schema.org/> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
<https://example.org/g> prov:wasDerivedFrom <{SOURCE}sheet> .
<{SOURCE}sheet> a ag:Source ; dcterms:title "Fiche"@fr ;
    dcterms:modified "2021-02-02"^^xsd:date ; ag:retrieved "2026-11-27"^^xsd:date .
<{ORG}paris> skos:altLabel "Mairie de Paris"@fr ; skos:prefLabel "Ville de Paris"@fr ;
    schema:foundingDate "2012"^^xsd:gYear , "2011"^^xsd:gYear ; ag:unheardOf "x" .
"""
SAMPLE_TEXT = "Fiche\n\nMis à jour le 2 février 2021\n\nCréée en 2012 ; la **Mairie de Paris**."


def test_the_audit_finds_what_the_source_does_not_say() -> None:
    g = Graph().parse(data=SAMPLE, format="turtle")
    graph, paris = URIRef("https://example.org/g"), URIRef(f"{ORG}paris")
    unclassified = f'{URIRef(str(AG) + "unheardOf").n3()}: not classified in this audit ("x")'
    problems = audit(g, graph, [source_text(SAMPLE_TEXT)])
    assert sorted(problems) == sorted(
        [
            f"{paris.n3()} {SKOS.prefLabel.n3()} {Literal('Ville de Paris', lang='fr').n3()}: "
            "not in the source's text",
            f"{paris.n3()} {SCHEMA.foundingDate.n3()} "
            f"{Literal('2011', datatype=XSD.gYear).n3()}: not in the source's text",
            unclassified,
        ]
    )
    # The same names in a graph that a rule derives are marked as derived.
    g.add((URIRef(f"{SOURCE}rule"), RDF.type, PROV.Plan))
    g.add((graph, PROV.wasDerivedFrom, URIRef(f"{SOURCE}rule")))
    assert audit(g, graph, [source_text(SAMPLE_TEXT)]) == [unclassified]


# ------------------------------------------------------------------ hashes

_SOURCES = """SELECT DISTINCT ?s ?file ?url ?sha WHERE { ?s a ag:Source .
  OPTIONAL { ?s ag:fileName ?file } OPTIONAL { ?s schema:url ?url } OPTIONAL { ?s ag:sha256 ?sha }
} ORDER BY ?s"""


def test_every_source_file_is_hashed(store: EmbeddedStore) -> None:
    """Each source (data, links, reference) is a file with its SHA-256, whose
    digest is checked wherever the file is at hand, or a web address."""
    shared = ROOT.parent / "shared"
    rows = store.select(sparql_prefixes() + _SOURCES)
    assert len(rows) >= 6
    for row in rows:
        source = row["s"].value
        if "file" not in row:
            assert "url" in row, f"<{source}> gives neither its file nor its address"
            continue
        name = row["file"].value
        assert "sha" in row, f"<{source}> ({name}) has no ag:sha256"
        file = resolve(name, shared if shared.is_dir() else None)
        if file is not None:
            digest = hashlib.sha256(file.read_bytes()).hexdigest()
            assert row["sha"].value == digest, f"<{source}>: {name} changed since it was read"


# ------------------------------------------------------------------ themes

#: The resource themes of the sheet's graph and the words of the title that name
#: each. A theme is kept only where the title names it as agc:themes defines it,
#: not where it holds a broader word alone ("résilience", "transition",
#: "citoyen") or an instance of the theme ("Repair Café").
THEME_WORDS = {
    ("a-la-decouverte-des-collectifs-citoye", "citizen-initiatives"): "collectifs citoye",
    ("actes-forum-energie-et-eco-transitio", "ecological-transition"): "éco-transitio",
    ("actes-forum-energie-et-eco-transitio", "energy"): "énergie",
    ("aventures-participatives-des-elu-es", "citizen-participation"): "participatives",
    ("aventures-participatives-des-elu-es", "local-elected-officials"): "élu·es",
    ("bibliographie-jeunesse-climat", "climate"): "Climat",
    ("bibliographie-jeunesse-climat", "youth"): "Jeunesse",
    ("comment-mieux-mobiliser-les-elus-loca", "local-elected-officials"): "élus loca",
    ("concertations-locales-sur-le-climat", "climate"): "climat",
    ("cooperations-urbain-rural-suivez-le", "urban-rural-cooperation"): "urbain-rural",
    ("fabrique-de-transition-democratique", "democratic-transition"): "transition démocratique",
    ("fiche-la-participation-citoyenne-et", "citizen-participation"): "participation citoyenne",
    ("guide-democratie-participative-des", "participatory-democracy"): "démocratie participative",
    ("guide-rev3-mobilisation-des-citoyens", "citizen-participation"): "Mobilisation des citoyens",
    ("la-resilience-territoriale-enjeux-e", "territorial-resilience"): "résilience territoriale",
    ("le-financement-participatif-levier", "participatory-funding"): "financement participatif",
    ("les-demarches-participatives-dans-les", "citizen-participation"): "démarches participatives",
    ("les-limites-planetaires-un-socle-pou", "planetary-boundaries"): "limites planétaires",
    ("limites-planetaires-dialogue-avec-3", "planetary-boundaries"): "Limites planétaires",
    ("livret-methodologique-la-participati", "citizen-participation"): "participati",
    ("manifeste-pour-une-rev3-citoyenne", "citizen-initiatives"): "rev3 citoyenne",
    ("oser-la-participation-le-pouvoir-d", "citizen-participation"): "participation",
    ("podcast-eco-feminisme-a-l-ecoute-de", "ecofeminism"): "Eco-féminisme",
    ("referentiel-l-implication-citoyenne", "citizen-participation"): "implication citoyenne",
    ("reperes-sur-la-mise-en-recit-s-de-vo", "narratives"): "mise en récit(s)",
    ("synthese-du-labo-territoires-partici", "citizen-participation"): "Partici",
    ("thema-initiatives-citoyennes-et-tran", "citizen-initiatives"): "Initiatives citoyennes",
    ("thema-l-action-citoyenne-acceleratri", "citizen-initiatives"): "action citoyenne",
    ("transition-democratique-quelles-exi", "democratic-transition"): "Transition démocratique",
    ("videos-ecopole-alimentaire-de-gohelle", "food"): "alimentaire",
    ("webinaire-la-mise-en-recits-bien", "narratives"): "mise en récits",
}


def test_resource_themes_only_where_the_title_names_them() -> None:
    g = Graph().parse(ROOT / "data" / "graph" / "la-27e-region.ttl")
    found = {}
    for resource, theme in g.subject_objects(AG.theme):
        title = g.value(resource, DCTERMS.title)
        if title is not None:
            key = (str(resource).rsplit("/", 1)[-1], str(theme).rsplit("/", 1)[-1])
            found[key] = str(title)
    assert sorted(found) == sorted(THEME_WORDS)
    for key, title in found.items():
        assert written_in(THEME_WORDS[key], title), (key, title)


# ------------------------------------------------------------------ derived kinds

KINDS_FILE = ROOT / "data" / "graph" / "kinds-from-names.ttl"
RULE = URIRef("https://w3id.org/actorgraph/id/source/rule-kind-from-name")


def test_derived_kinds_are_what_their_rule_gives(store: EmbeddedStore) -> None:
    """The kinds graph holds exactly what its rule gives: a partner is of the kind
    whose kind word (an altLabel of agc:organisation-kinds) a name the sheet gives
    it holds ("Mairie de Paris" → ag:Commune), when its names give one kind only."""
    sheet = Graph().parse(ROOT / "data" / "graph" / "la-27e-region.ttl")
    vocab = vocabularies_from_store(store)
    kinds: dict[URIRef, set[str]] = {}
    for partnership, partner in sheet.subject_objects(AG.partner):
        for name in sheet.objects(partnership, AG.partnerName):
            for concept in vocab.organisation_kinds.find(str(name)):
                kinds.setdefault(partner, set()).add(vocab.kind_class[concept])  # type: ignore[arg-type]
    expected = {(p, URIRef(k.pop())) for p, k in kinds.items() if len(k) == 1}
    derived = Graph().parse(KINDS_FILE)
    typed = {(s, o) for s, o in derived.subject_objects(RDF.type) if str(s).startswith(str(ORG_ID))}
    assert typed == expected
    graph = graph_of(KINDS_FILE)
    documents, rules = graph_sources(derived, graph)
    assert rules == [RULE]
    assert documents == [URIRef("https://w3id.org/actorgraph/id/source/la-27e-region-sheet")]
    # The rule reads the kind words of the organisation-kinds vocabulary, whose hash it gives.
    assert str(derived.value(RULE, AG.fileName)) == "ontology/vocabularies/organisation-kinds.ttl"
