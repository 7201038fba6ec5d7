"""Parameters are values, never query text: resolution, typing, escaping,
and the command line's answers to missing, unknown or ill-typed ones."""

from __future__ import annotations

import json
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from actorgraph.catalogue import Param, Query, parse_params
from actorgraph.cli import main
from actorgraph.errors import QueryError
from actorgraph.project import Project
from actorgraph.query import bind, resolve_param
from actorgraph.store import EmbeddedStore
from actorgraph.store.sparql import add_values, run_local

NASTY = [
    '"> } ; DROP ALL #',
    "it's \"quoted\" and 'single'",
    "line one\nline two\r\n",
    "\\u0022> } DROP ALL #",
    "\\U0001F600 \\\\ \\",
    "''' \"\"\" } } }",
    "<http://evil/> . INSERT DATA { <a> <b> <c> }",
]

ORG = Param("org", "organisation")


def test_an_organisation_is_given_by_iri_curie_or_slug() -> None:
    iri = "https://w3id.org/actorgraph/id/organisation/la-27e-region"
    for raw in (iri, f"<{iri}>", "agorg:la-27e-region", "la-27e-region"):
        assert resolve_param(ORG, raw) == ox.NamedNode(iri)


def test_a_slug_resolves_against_the_kind_of_the_parameter() -> None:
    assert resolve_param(Param("p", "project"), "la-transfo").value.endswith(
        "/id/project/la-transfo"
    )
    assert resolve_param(Param("r", "resource"), "x-y").value.endswith("/id/resource/x-y")


@pytest.mark.parametrize("raw", [*NASTY, "La 27e Région", "nope:thing", "", "agorg:a b"])
def test_an_entity_parameter_rejects_what_is_not_an_iri(raw: str) -> None:
    with pytest.raises(QueryError, match=r"\?org"):
        resolve_param(ORG, raw)


@pytest.mark.parametrize(
    ("kind", "raw"),
    [
        ("integer", "2 ; DROP ALL"),
        ("integer", "1.5"),
        ("decimal", "NaN"),
        ("boolean", "yes"),
        ("date", "2021-13-01"),
        ("year", "20a1"),
        ("iri", "not an iri"),
    ],
)
def test_literal_parameters_are_typed(kind: str, raw: str) -> None:
    with pytest.raises(QueryError, match="expected"):
        resolve_param(Param("x", kind), raw)


def test_literal_parameters_get_their_datatype() -> None:
    assert (
        str(resolve_param(Param("n", "integer"), "+07"))
        == '"7"^^<http://www.w3.org/2001/XMLSchema#integer>'
    )
    assert resolve_param(Param("d", "date"), "2021-02-02").datatype.value.endswith("#date")
    assert resolve_param(Param("b", "boolean"), "TRUE").value == "true"
    assert resolve_param(Param("s", "string"), NASTY[0]).value == NASTY[0]


def test_header_grammar() -> None:
    params = parse_params("?org (organisation: whose; e.g. fing) ?min (integer, default 2; e.g. 3)")
    assert [(p.name, p.type, p.default, p.example, p.required) for p in params] == [
        ("org", "organisation", None, "fing", True),
        ("min", "integer", "2", "3", False),
    ]
    with pytest.raises(QueryError, match="unknown type"):
        parse_params("?org (organization; e.g. x)")
    with pytest.raises(QueryError, match="cannot read"):
        parse_params("org: organisation")


def test_bind_names_missing_unknown_and_ill_typed_parameters(project: Project) -> None:
    query = Query.from_file(project.queries_dir / "co-partners.rq")
    with pytest.raises(QueryError, match=r"missing parameter \?org") as missing:
        bind(query, {})
    assert missing.value.hint and "#+ params:" in missing.value.hint
    with pytest.raises(QueryError, match=r"unknown parameter \?orgg"):
        bind(query, {"orgg": "x", "org": "fing"})
    with pytest.raises(QueryError, match=r"\?min: expected an integer"):
        bind(query, {"org": "fing", "min": "two"})
    assert (
        str(bind(query, {"org": "fing"})["min"])
        == '"1"^^<http://www.w3.org/2001/XMLSchema#integer>'
    )


@settings(max_examples=150, deadline=None)
@given(st.text())
def test_any_string_travels_through_a_values_block_unchanged(text: str) -> None:
    """The remote binding is a serialised term: whatever the string, it comes back as itself."""
    query = Query.from_text(
        "q",
        "#+ params: ?text (string; e.g. x)\nSELECT ?text ?n WHERE { BIND (STRLEN(?text) AS ?n) }",
    )
    try:
        bindings = bind(query, {"text": text})
    except QueryError:
        return  # strings pyoxigraph refuses as literals (lone surrogates) are rejected, not pasted
    rows = run_local(EmbeddedStore(), add_values(query.text, bindings)).rows
    assert [r["text"].value for r in rows] == [text]


@pytest.mark.parametrize("text", NASTY)
def test_search_treats_sparql_syntax_as_words(
    project: Project, store: EmbeddedStore, text: str
) -> None:
    query = Query.from_file(project.queries_dir / "search.rq")
    bindings = bind(query, {"text": text})
    before = len(store)
    local = run_local(store, query.text, bindings)
    through_values = run_local(store, add_values(query.text, bindings))
    assert local.row_keys() == through_values.row_keys() == set()
    assert len(store) == before


# ---------------------------------------------------------------- command line


ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def seed_only(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The project without its reference data and links: loads in a fraction of the time."""
    root = tmp_path_factory.mktemp("seed-only")
    (root / "data").mkdir()
    (root / "ontology").symlink_to(ROOT / "ontology")
    (root / "queries").symlink_to(ROOT / "queries")
    (root / "data" / "graph").symlink_to(ROOT / "data" / "graph")
    return root


def run(*args: str, root: Path = ROOT) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["-C", str(root), *args])
    return result.exit_code, result.stdout, result.stderr


def test_cli_missing_parameter_exits_2_with_the_header() -> None:
    code, _, err = run("query", "partners-of")
    assert code == 2
    assert "?org" in err and "#+ params: ?org" in err
    assert "Traceback" not in err


def test_cli_ill_typed_and_unknown_parameters_exit_2() -> None:
    code, _, err = run("query", "projects-of", "--param", 'org="> } ; DROP ALL #')
    assert code == 2 and "?org" in err
    code, _, err = run("query", "projects-of", "-p", "org=fing", "-p", "year=2")
    assert code == 2 and "unknown parameter ?year" in err
    code, _, err = run("query", "projects-of", "-p", "org")
    assert code == 2 and "NAME=VALUE" in err


def test_cli_text_queries_are_read_only_without_update() -> None:
    code, _, err = run("query", "--text", "DROP ALL")
    assert code == 2 and "--update" in err
    code, _, err = run("query", "--text", "DELETE WHERE { ?s ?p ?o }", "--update")
    assert code == 2 and "--endpoint" in err


def test_cli_unknown_query_name_exits_2() -> None:
    code, _, err = run("query", "partner-of")
    assert code == 2 and "partners-of" in err


def test_cli_formats(seed_only: Path) -> None:
    code, out, _ = run(
        "query", "partners-of", "-p", "org=la-27e-region", "--format", "json", root=seed_only
    )
    assert code == 0
    doc = json.loads(out)
    assert "partner" in doc["head"]["vars"] and len(doc["results"]["bindings"]) == 16
    code, out, _ = run(
        "query",
        "partners-of",
        "-p",
        "org=la-27e-region",
        "-f",
        "csv",
        "--limit",
        "3",
        root=seed_only,
    )
    assert code == 0 and len(out.strip().splitlines()) == 4 and out.startswith("org,lang,partner")
    code, out, _ = run(
        "query", "partners-of", "-p", "org=la-27e-region", "-f", "xml", root=seed_only
    )
    assert code == 0 and "<sparql" in out
    code, out, _ = run("query", "resources-by-kind", "-f", "md", root=seed_only)
    assert code == 0 and out.startswith("| kind |")
    code, out, _ = run(
        "query",
        "--text",
        "PREFIX ag: <https://w3id.org/actorgraph/ontology#> CONSTRUCT { ?p ag:leader ?o } WHERE { ?p ag:leader ?o }",
        "-f",
        "nt",
        root=seed_only,
    )
    assert code == 0 and "ontology#leader>" in out
    code, _, err = run("query", "stats", "-f", "ttl", root=seed_only)
    assert code == 2 and "--format" in err


def test_cli_lists_the_catalogue() -> None:
    code, out, _ = run("queries", "--format", "json")
    assert code == 0
    listed = {q["name"]: q for q in json.loads(out)}
    assert listed["co-partners"]["params"][1] == {
        "name": "min",
        "type": "integer",
        "description": "least number of partners in common",
        "example": "1",
        "default": "1",
        "required": False,
    }
    assert listed["partnership-shape-violation"]["role"] == "violation"
    code, out, _ = run("queries", "--lang", "fr")
    assert code == 0 and "organisation-card" in out


def test_a_local_query_past_its_timeout_is_abandoned() -> None:
    store = EmbeddedStore()
    data = "".join(f"<http://e/s{i}> <http://e/p> {i} .\n" for i in range(1500))
    store.load_bytes(data.encode(), "ttl", graph="http://e/g")
    heavy = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . FILTER (?c < ?f) }"
    with pytest.raises(QueryError, match="longer than"):
        run_local(store, heavy, timeout=0.001)
    assert run_local(store, "SELECT ?a WHERE { ?a ?b 1 }", timeout=30).rows


def test_a_partnership_slug_joins_two_slugs_with_a_double_hyphen() -> None:
    """Partnerships are named owner--partner (ingest/relations.py); such a slug
    resolves, and a slug with a triple hyphen or a trailing one does not."""
    part = Param("p", "partnership")
    assert resolve_param(part, "la-27e-region--fing").value.endswith(
        "/id/partnership/la-27e-region--fing"
    )
    for raw in ("a---b", "a-", "--a"):
        with pytest.raises(QueryError):
            resolve_param(part, raw)


def test_a_parameter_pasted_with_its_line_end_is_the_same_entity(seed_only: Path) -> None:
    plain = run("query", "partners-of", "-p", "org=la-27e-region", "-f", "csv", root=seed_only)
    pasted = run("query", "partners-of", "-p", "org=la-27e-region\n", "-f", "csv", root=seed_only)
    assert pasted[0] == 0 and "Traceback" not in pasted[2]
    assert pasted[1] == plain[1]


def test_an_iri_with_a_forbidden_character_is_a_usage_error() -> None:
    code, _, err = run("query", "partners-of", "-p", "org=http://e/a b")
    assert code == 2 and "--param org" in err and "Traceback" not in err


def test_an_unknown_query_is_a_not_found_error() -> None:
    from actorgraph.errors import NotFoundError, UsageError
    from actorgraph.query import find_query

    with pytest.raises(NotFoundError) as err:
        find_query(ROOT / "queries", "partner-of")
    assert isinstance(err.value, UsageError)
    assert err.value.exit_code == 2 and err.value.http_status == 404


def test_select_star_columns_keep_the_query_order() -> None:
    store = EmbeddedStore()
    store.load_bytes(b'<http://e/a> <http://e/p> "x" .', "nt", graph="http://e/g")
    star = run_local(store, "SELECT * WHERE { ?s ?p ?o } LIMIT 1")
    assert star.variables == ["s", "p", "o"]
    distinct = run_local(store, "SELECT DISTINCT * WHERE { ?zz ?p ?a }")
    assert distinct.variables == ["zz", "p", "a"]
    # A projection the query writes out is left as written.
    assert run_local(store, "SELECT ?o ?s WHERE { ?s ?p ?o }").variables == ["o", "s"]
    result = CliRunner().invoke(
        main,
        [
            "-C",
            str(Path(__file__).resolve().parent.parent),
            "query",
            "--text",
            "SELECT * WHERE { ?s ?p ?o } LIMIT 1",
            "-f",
            "csv",
        ],
    )
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[0] == "s,p,o"
