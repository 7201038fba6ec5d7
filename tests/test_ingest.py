"""Ingest end to end: the seed against the curated file, fact by fact; provenance,
re-ingest, newer and older versions, curated files, unknown names, the CLI."""

from __future__ import annotations

import datetime as dt
import re
import shutil
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rdflib import Graph, Literal, URIRef
from rdflib.compare import isomorphic

from actorgraph.cli import main
from actorgraph.errors import IngestError
from actorgraph.ingest import CURATED as REFUSED_CURATED
from actorgraph.ingest import OLDER, UNCHANGED, WRITE, Context, context_from_store, ingest
from actorgraph.ingest.relations import INGEST_ACTIVITY, Extractor
from actorgraph.ingest.sheet import parse_sheet, read_sheet
from actorgraph.ingest.tordf import ExistingFile, to_turtle
from actorgraph.project import Project
from actorgraph.store import EmbeddedStore

SHEETS = Path(__file__).parent / "sheets"
ROOT = Path(__file__).resolve().parent.parent
CURATED = ROOT / "data" / "graph" / "la-27e-region.ttl"
RETRIEVED = dt.date(2026, 11, 27)

AG = "https://w3id.org/actorgraph/ontology#"
ORG = "https://w3id.org/actorgraph/id/organisation/"
SCHEMA_DESCRIPTION = URIRef("https://schema.org/description")
SKOS_NOTE = URIRef("http://www.w3.org/2004/02/skos/core#note")
RDF_TYPE = URIRef("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
RDFS_SUBCLASS = URIRef("http://www.w3.org/2000/01/rdf-schema#subClassOf")

#: Facts of the curated file that ingest does not produce, each with its reason.
#: Everything else the curated file says must come out of the sheet. (None
#: today: the Wikidata item the curated file once gave for "l'Europe" is gone.)
CURATED_ONLY: dict[tuple[str, str, str], str] = {}


@pytest.fixture(scope="module")
def context(store: EmbeddedStore) -> Context:
    return context_from_store(store)


def _graph(data: bytes) -> Graph:
    g = Graph()
    g.parse(data=data, format="turtle")
    return g


def _key(s: object, p: object, o: object) -> tuple[str, str, str]:
    return (str(s), str(p), str(o))


@pytest.fixture(scope="module")
def seed_output(
    seed_sheet: Path, context: Context, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Graph, Path, object]:
    out = tmp_path_factory.mktemp("seed-ingest")
    run = ingest(Project(ROOT), [seed_sheet], data_dir=out, retrieved=RETRIEVED, context=context)
    path = out / "la-27e-region.ttl"
    assert run.written == [path]
    return _graph(path.read_bytes()), path, run


def test_seed_reproduces_every_fact_its_text_states(
    seed_output: tuple[Graph, Path, object],
) -> None:
    generated, _, _ = seed_output
    curated = Graph().parse(CURATED)
    ontology = Graph().parse(ROOT / "ontology" / "actorgraph.ttl")

    def kinds(s: object) -> set[object]:
        """The classes ingest gives ``s`` and every class above them."""
        return {
            c
            for t in generated.objects(s, RDF_TYPE)  # type: ignore[arg-type]
            for c in ontology.transitive_objects(t, RDFS_SUBCLASS)
        }

    missing = []
    for s, p, o in curated:
        if p in (SCHEMA_DESCRIPTION, SKOS_NOTE):
            continue  # descriptions and notes are the curator's own words
        if p == RDF_TYPE and o in kinds(s):
            # The curated file types a partner ag:Organisation only (the sheet
            # gives no kind); ingest gives the most specific class the project
            # knows, which entails it.
            continue
        if (s, p, o) not in generated and _key(s, p, o) not in CURATED_ONLY:
            missing.append(f"{s.n3()} {p.n3()} {o.n3()}")
    assert not missing, "facts of the curated file not produced:\n" + "\n".join(sorted(missing))
    for key in CURATED_ONLY:
        # The exceptions are facts of the curated file, not stale entries.
        s, p, o = key
        obj = URIRef(o) if o.startswith("http") else None
        found = [t for t in curated.triples((URIRef(s), URIRef(p), obj)) if str(t[2]) == o]
        assert found, key


def test_seed_invents_no_node_and_copies_no_sentence(
    seed_output: tuple[Graph, Path, object], seed_sheet: Path
) -> None:
    generated, _, _ = seed_output
    curated = Graph().parse(CURATED)
    graph_node = URIRef("https://w3id.org/actorgraph/graph/la-27e-region")
    assert set(generated.subjects()) <= set(curated.subjects()) | {graph_node}
    assert not list(generated.triples((None, SCHEMA_DESCRIPTION, None)))
    text = seed_sheet.read_text(encoding="utf-8").replace("**", "")
    sentences = {s.strip() for s in re.split(r"(?<=[.!?:])\s+", text) if len(s.strip()) > 40}
    long_literals = {str(o) for o in generated.objects() if isinstance(o, Literal) and len(o) > 40}
    assert not long_literals & sentences


def test_seed_provenance_and_marker(seed_output: tuple[Graph, Path, object]) -> None:
    generated, path, _ = seed_output
    src = URIRef("https://w3id.org/actorgraph/id/source/la-27e-region-sheet")
    prov = "http://www.w3.org/ns/prov#"
    assert str(generated.value(src, URIRef(AG + "sha256"))) == (
        "54e57f12e83edacd12eb7d645f3d3be478b845bb2c485f94e7a4713d42b9e229"
    )
    assert str(generated.value(src, URIRef("http://purl.org/dc/terms/modified"))) == "2021-02-02"
    assert str(generated.value(src, URIRef(AG + "retrieved"))) == "2026-11-27"
    assert str(generated.value(src, URIRef(AG + "fileName"))) == "000_e9ca84c8084b6261.txt"
    graph_node = URIRef("https://w3id.org/actorgraph/graph/la-27e-region")
    assert (graph_node, URIRef(prov + "wasGeneratedBy"), URIRef(INGEST_ACTIVITY)) in generated
    # Every partnership, project and resource names its source.
    for s in generated.subjects(URIRef("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"), None):
        if s != src and "/id/" in str(s):
            assert (s, URIRef(prov + "wasDerivedFrom"), src) in generated, s
    assert ExistingFile(path).generated
    assert not ExistingFile(CURATED).generated


def test_report_says_which_line_gave_which_fact(seed_output: tuple[Graph, Path, object]) -> None:
    _, _, run = seed_output
    text = run.render()  # type: ignore[attr-defined]
    assert re.search(r"line 11: agorg:la-27e-region schema:foundingDate .*Créé en 2012", text)
    assert re.search(
        r"line 15: agpart:la-transfo--ville-de-paris ag:partnerName \"Mairie de Paris\"@fr", text
    )
    assert re.search(
        r"line 19: agpart:la-27e-region--caisse-des-depots ag:partnerName \"Caissee des Dépôts\"@fr",
        text,
    )
    assert re.search(r"line 53: agres:les-limites-planetaires-un-socle-pou ag:listPosition", text)
    assert "UNMATCHED" not in text
    assert "Validation: conforms" in text


def test_reingest_is_stable(seed_sheet: Path, context: Context, tmp_path: Path) -> None:
    runs = [
        ingest(
            Project(ROOT),
            [seed_sheet],
            data_dir=tmp_path,
            retrieved=RETRIEVED,
            context=context,
            validate=False,
        )
        for _ in range(2)
    ]
    assert [p.action for p in runs[0].planned] == [WRITE]
    assert [p.action for p in runs[1].planned] == [UNCHANGED]
    first, second = runs[0].planned[0].data, runs[1].planned[0].data
    assert first == second
    assert isomorphic(_graph(first), _graph(second))


def test_curated_file_is_never_overwritten(
    seed_sheet: Path, context: Context, tmp_path: Path
) -> None:
    shutil.copy(CURATED, tmp_path / "la-27e-region.ttl")
    before = (tmp_path / "la-27e-region.ttl").read_bytes()
    with pytest.raises(IngestError, match="curated file"):
        ingest(Project(ROOT), [seed_sheet], data_dir=tmp_path, context=context, validate=False)
    assert (tmp_path / "la-27e-region.ttl").read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["la-27e-region.ttl"]
    # A dry run says so instead of stopping, and writes nothing either.
    run = ingest(
        Project(ROOT),
        [seed_sheet],
        data_dir=tmp_path,
        context=context,
        validate=False,
        dry_run=True,
    )
    assert [p.action for p in run.planned] == [REFUSED_CURATED]
    assert (tmp_path / "la-27e-region.ttl").read_bytes() == before


def _version(folder: Path, date: str, extra: str = "") -> Path:
    text = (SHEETS / "reseau-sobriete-territoriale.txt").read_text(encoding="utf-8")
    text = text.replace("1er octobre 2022", date) + extra
    path = folder / f"reseau-{date.replace(' ', '-')}.txt"
    path.write_text(text, encoding="utf-8")
    return path


def test_newer_version_replaces_its_own_file_only(context: Context, tmp_path: Path) -> None:
    data, src = tmp_path / "data", tmp_path / "src"
    src.mkdir()
    project = Project(ROOT)
    ingest(
        project,
        [_version(src, "1er octobre 2022"), SHEETS / "bibliotheque-des-transitions.txt"],
        data_dir=data,
        context=context,
        validate=False,
    )
    other = (data / "bibliotheque-des-transitions.ttl").read_bytes()
    target = data / "reseau-sobriete-territoriale.ttl"
    v1 = target.read_bytes()

    newer = _version(src, "5 janvier 2023", "\n- **Atlas des sobriétés**\n[Enregistrer](#)\n")
    run = ingest(project, [newer], data_dir=data, context=context, validate=False)
    assert [p.action for p in run.planned] == [WRITE]
    assert target.read_bytes() != v1 and b"Atlas des sobri" in target.read_bytes()
    assert b'"2023-01-05"' in target.read_bytes()
    assert (data / "bibliotheque-des-transitions.ttl").read_bytes() == other
    assert sorted(p.name for p in data.iterdir()) == [
        "bibliotheque-des-transitions.ttl",
        "reseau-sobriete-territoriale.ttl",
    ]

    v2 = target.read_bytes()
    older = _version(src, "2 février 2021", "\nUne ligne de plus.\n")
    run = ingest(project, [older], data_dir=data, context=context, validate=False)
    assert [p.action for p in run.planned] == [OLDER]
    assert target.read_bytes() == v2
    run = ingest(project, [older], data_dir=data, context=context, validate=False, force=True)
    assert [p.action for p in run.planned] == [WRITE]
    assert b'"2021-02-02"' in target.read_bytes()


@pytest.mark.parametrize("engine", ["fast", "pyshacl"])
def test_a_resource_listed_on_two_sheets_is_one_node_with_a_position_in_each(
    context: Context, tmp_path: Path, engine: str
) -> None:
    """Regression: the shapes allowed one ag:listPosition only, so two sheets
    listing the same title could not both be ingested."""
    src, data = tmp_path / "src", tmp_path / "data"
    src.mkdir()
    first = SHEETS / "bibliotheque-des-transitions.txt"
    second = src / "mediatheque-des-sobrietes.txt"
    second.write_text(
        "Médiathèque des Sobriétés\n\nMis à jour le 3 mars 2024\n\n"
        "- **Atlas des communs**\n[Enregistrer](#)\n"
        "- **Livre blanc de la sobriété**\n[Enregistrer](#)\n",
        encoding="utf-8",
    )
    run = ingest(Project(ROOT), [first, second], data_dir=data, context=context, engine=engine)
    assert run.report is not None
    ours = [r for r in run.report.results if r.severity == "Violation" and "/resource/" in r.focus]
    assert not ours, ours
    shared = b"agres:livre-blanc-de-la-sobriete"
    for name in ("bibliotheque-des-transitions.ttl", "mediatheque-des-sobrietes.ttl"):
        assert shared in (data / name).read_bytes(), name


def test_unknown_names_are_reported_not_invented(context: Context, tmp_path: Path) -> None:
    sheet = SHEETS / "atelier-des-communs-publics.txt"
    run = ingest(
        Project(ROOT), [sheet], data_dir=tmp_path, dry_run=True, context=context, validate=False
    )
    assert not list(tmp_path.iterdir())
    ex = run.planned[0].extraction
    assert {(u.name, u.line) for u in ex.unmatched} == {
        ("Pépinière Imaginaire du Val", 10),
        ("Collectif Inventé des Rivages", 17),
    }
    triples = ex.triples()
    names = {t.object.value for t in triples if isinstance(t.object, ox.Literal)}
    assert "Collectif Inventé des Rivages" not in names
    # The quirks of this sheet: a typo, an abbreviation, a duplicate (MEL twice).
    partnerships = {t.subject.value for t in triples if t.predicate.value == AG + "partner"}
    assert partnerships == {
        "https://w3id.org/actorgraph/id/partnership/atelier-des-communs-publics--ditp",
        "https://w3id.org/actorgraph/id/partnership/atelier-des-communs-publics--metropole-europeenne-de-lille",
        "https://w3id.org/actorgraph/id/partnership/cantine-des-communs--ville-de-mulhouse",
        "https://w3id.org/actorgraph/id/partnership/cantine-des-communs--departement-de-la-gironde",
        "https://w3id.org/actorgraph/id/partnership/cantine-des-communs--ville-de-paris",
    }
    hidden = [t for t in triples if t.predicate.value.endswith("#hiddenLabel")]
    assert [(t.subject.value, t.object.value) for t in hidden] == [
        (ORG + "metropole-europeenne-de-lille", "Metropole Europenne de Lille")
    ]
    assert "line 17: UNMATCHED general-partner “Collectif Inventé des Rivages”" in run.render()


def test_create_unknown_adds_the_organisations(context: Context, tmp_path: Path) -> None:
    sheet = SHEETS / "atelier-des-communs-publics.txt"
    run = ingest(
        Project(ROOT),
        [sheet],
        data_dir=tmp_path,
        create_unknown=True,
        context=context,
        validate=False,
    )
    ex = run.planned[0].extraction
    assert ex.unmatched == []
    g = _graph((tmp_path / "atelier-des-communs-publics.ttl").read_bytes())
    rivages = URIRef(ORG + "collectif-invente-des-rivages")
    assert str(g.value(rivages, URIRef("http://www.w3.org/2004/02/skos/core#prefLabel"))) == (
        "Collectif Inventé des Rivages"
    )
    actor = URIRef(ORG + "atelier-des-communs-publics")
    assert (actor, URIRef(AG + "incubatedBy"), URIRef(ORG + "pepiniere-imaginaire-du-val")) in g


def test_test_sheets_state_their_facts(context: Context, tmp_path: Path) -> None:
    sheets = sorted(SHEETS.glob("*.txt"))
    run = ingest(Project(ROOT), sheets, data_dir=tmp_path, context=context)
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "atelier-des-communs-publics.ttl",
        "bibliotheque-des-transitions.ttl",
        "reseau-sobriete-territoriale.ttl",
    ]
    assert run.report is not None
    g = _graph((tmp_path / "reseau-sobriete-territoriale.ttl").read_bytes())
    proj = URIRef("https://w3id.org/actorgraph/id/project/parcours-sobriete")
    assert str(g.value(proj, URIRef(AG + "immersionCount"))) == "3"
    data = (tmp_path / "reseau-sobriete-territoriale.ttl").read_bytes()
    assert b'ag:immersionDuration "P1W"^^xsd:duration' in data  # rdflib would read P7D
    actor = URIRef(ORG + "reseau-sobriete-territoriale")
    assert (
        actor,
        URIRef("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"),
        URIRef(AG + "FoundationOrNetwork"),
    ) in g
    assert str(g.value(actor, URIRef("https://schema.org/foundingDate"))) == "2020"
    g = _graph((tmp_path / "bibliotheque-des-transitions.ttl").read_bytes())
    kinds = {str(o).rsplit("/", 1)[-1] for o in g.objects(None, URIRef(AG + "resourceKind"))}
    assert kinds == {"webinar", "factsheet", "white-paper"}  # "Carnet sans genre connu": none


def test_cli_malformed_sheets_exit_2_and_write_nothing(tmp_path: Path) -> None:
    runner = CliRunner()
    for name, line in [
        ("empty.txt", 1),
        ("binary.txt", 3),
        ("no-title.txt", 2),
        ("impossible-date.txt", 3),
    ]:
        path = SHEETS / "malformed" / name
        result = runner.invoke(
            main, ["-C", str(ROOT), "ingest", str(path), "--data-dir", str(tmp_path)]
        )
        assert result.exit_code == 2, result.output
        assert f"{path}:{line}:" in result.output
        assert "Traceback" not in result.output
    # A good sheet in the same batch is not written either.
    good = SHEETS / "bibliotheque-des-transitions.txt"
    result = runner.invoke(
        main,
        [
            "-C",
            str(ROOT),
            "ingest",
            str(good),
            str(SHEETS / "malformed" / "no-title.txt"),
            "--data-dir",
            str(tmp_path),
        ],
    )
    assert result.exit_code == 2
    assert not list(tmp_path.iterdir())


def test_cli_dry_run_prints_facts_and_writes_nothing(tmp_path: Path) -> None:
    sheet = SHEETS / "bibliotheque-des-transitions.txt"
    result = CliRunner().invoke(
        main, ["-C", str(ROOT), "ingest", "--dry-run", str(sheet), "--data-dir", str(tmp_path)]
    )
    assert result.exit_code == 0, result.output
    assert (
        "line 5: agres:webinaire-climat-et-collectivites ag:resourceKind agc:webinar"
        in result.output
    )
    assert "dry run: nothing written" in result.output
    assert not list(tmp_path.iterdir())


def test_cli_refuses_the_curated_seed_by_default(seed_sheet: Path) -> None:
    before = CURATED.read_bytes()
    result = CliRunner().invoke(main, ["-C", str(ROOT), "ingest", str(seed_sheet)])
    assert result.exit_code == 2
    assert "curated file" in result.output and "--data-dir" in result.output
    assert CURATED.read_bytes() == before


def test_sheet_read_once_has_the_retrieval_date_of_its_file(tmp_path: Path) -> None:
    from actorgraph.ingest import retrieval_date

    path = tmp_path / "x.txt"
    shutil.copy(SHEETS / "bibliotheque-des-transitions.txt", path)
    assert read_sheet(path).title.value == "Bibliothèque des Transitions"
    assert isinstance(retrieval_date(path), dt.date)


def test_generated_sheets_ingest_cleanly(context: Context, tmp_path: Path) -> None:
    import importlib.util

    spec = importlib.util.spec_from_file_location("gen_sheets", ROOT / "bench" / "gen_sheets.py")
    assert spec is not None and spec.loader is not None
    gen = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(gen)
    rng = __import__("random").Random(7)
    src = tmp_path / "src"
    src.mkdir()
    paths = []
    for i in range(5):
        path = src / f"s{i}.txt"
        path.write_text(gen.sheet(i, rng), encoding="utf-8")
        paths.append(path)
    run = ingest(Project(ROOT), paths, data_dir=tmp_path / "data", context=context)
    assert len(run.written) == 5
    assert run.report is not None and run.report.conforms
    for plan in run.planned:
        # Each generated sheet names one unknown collective per project: reported.
        assert plan.extraction.unmatched
        assert all(u.name.startswith("Collectif Inconnu") for u in plan.extraction.unmatched)


LINE = st.sampled_from(
    [
        "Titre",
        "Mis à jour le 2 février 2021",
        "CONTACT",
        "- **Projet** : en partenariat avec la MEL, la DITP (Direction) et X.",
        "- le **Programme** : depuis 2011, pendant 18 mois, quelques vingt pistes.",
        "Créé en 2012 après avoir été incubé à la [Fing](#).",
        "L'association est partenaire avec la Mairie de Paris, le Gironde....",
        "(dispositif Essai) pendant trois fois une semaine dans un lieu – un a, une b –",
        "- **Guide...**",
        "[Enregistrer](#)",
        "<http://example.org/>",
        "a@b.fr",
        "",
    ]
)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(lines=st.lists(st.one_of(LINE, st.text(max_size=20)), min_size=1, max_size=25))
def test_extraction_never_crashes(context: Context, lines: list[str]) -> None:
    try:
        sheet = parse_sheet("\n".join(lines), "fuzz.txt")
    except IngestError:
        return
    extractor = Extractor(context.organisations, context.projects, context.vocabularies)
    out = extractor.extract(sheet)
    assert all(f.line >= 1 for f in out.facts)
    to_turtle(out)  # always serialisable


@pytest.mark.parametrize(
    "name",
    [
        'inj\n<urn:x:s> <urn:x:p> "INJECTED" .\n#.txt',
        "inj\r<urn:x:s> <urn:x:p> <urn:x:o> .\u2028#.txt",
        "broken\n@prefix : .\n.txt",
    ],
)
def test_a_sheets_file_name_cannot_inject_or_break_turtle(
    name: str, context: Context, tmp_path: Path
) -> None:
    hostile = tmp_path / "sheets" / name
    hostile.parent.mkdir()
    hostile.write_bytes((SHEETS / "atelier-des-communs-publics.txt").read_bytes())
    out = tmp_path / "out"
    ingest(Project(ROOT), [hostile], data_dir=out, context=context, validate=False)
    (written,) = out.glob("*.ttl")
    data = written.read_bytes()
    g = _graph(data)
    # The name is kept, as a literal (the source's file name), never as triples.
    assert not any(
        isinstance(term, URIRef) and term.startswith("urn:x:") for triple in g for term in triple
    )
    assert (None, None, Literal("INJECTED")) not in g
    # Every line of the banner is still a comment.
    head = data.decode("utf-8").split("\n\n", 1)[0]
    assert all(line.startswith("#") for line in head.splitlines())
