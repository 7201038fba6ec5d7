"""Input that should be refused, or kept harmless, at the point where it
enters: each case exits with its documented code and a message naming the
file, never a traceback, and nothing it holds ends up where it should not."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from actorgraph.cli import main
from actorgraph.rdf.jsonld import schema_org
from actorgraph.store import EmbeddedStore

ROOT = Path(__file__).resolve().parent.parent
ORG = "https://w3id.org/actorgraph/id/organisation/"


def small_project(where: Path) -> Path:
    root = where / "project"
    (root / "data" / "graph").mkdir(parents=True)
    (root / "ontology").symlink_to(ROOT / "ontology")
    (root / "queries").symlink_to(ROOT / "queries")
    return root


def run(root: Path, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["-C", str(root), *args])
    return result.exit_code, result.stderr


def test_a_relative_iri_is_refused_with_its_file_and_line(tmp_path: Path) -> None:
    root = small_project(tmp_path)
    (root / "data" / "graph" / "rel.ttl").write_text(
        '<https://w3id.org/actorgraph/id/organisation/a> <http://xmlns.com/foaf/0.1/name> "A" .\n'
        '<b> <http://xmlns.com/foaf/0.1/name> "B" .\n',
        encoding="utf-8",
    )
    code, err = run(root, "stats")
    assert code == 2
    assert "data/graph/rel.ttl:2" in err and "relative IRI" in err
    assert "Traceback" not in err and "file://" not in err


def test_a_byte_order_mark_is_accepted(tmp_path: Path) -> None:
    root = small_project(tmp_path)
    (root / "data" / "graph" / "bom.ttl").write_bytes(
        b"\xef\xbb\xbf<" + ORG.encode() + b'a> <http://xmlns.com/foaf/0.1/name> "A" .\n'
    )
    result = CliRunner().invoke(main, ["-C", str(root), "stats", "--format", "json"])
    assert result.exit_code == 0, result.stderr
    graphs = {g["graph"]: g["triples"] for g in json.loads(result.stdout)["graphs"]}
    assert graphs["https://w3id.org/actorgraph/graph/bom"] == 1


@pytest.mark.parametrize("suffix", ["nq", "trig"])
def test_a_quads_file_cannot_write_into_another_graph(tmp_path: Path, suffix: str) -> None:
    root = small_project(tmp_path)
    target = "https://w3id.org/actorgraph/graph/ontology"
    if suffix == "nq":
        text = f'<{ORG}a> <http://xmlns.com/foaf/0.1/name> "A" <{target}> .\n'
    else:
        text = f'<{target}> {{ <{ORG}a> <http://xmlns.com/foaf/0.1/name> "A" . }}\n'
    (root / "data" / "graph" / f"intruder.{suffix}").write_text(text, encoding="utf-8")
    code, err = run(root, "stats")
    assert code == 2
    assert f"intruder.{suffix}" in err and target in err and "Traceback" not in err


def test_a_quads_file_may_write_into_its_own_graph(tmp_path: Path) -> None:
    root = small_project(tmp_path)
    own = "https://w3id.org/actorgraph/graph/mine"
    (root / "data" / "graph" / "mine.nq").write_text(
        f'<{ORG}a> <http://xmlns.com/foaf/0.1/name> "A" <{own}> .\n'
        f'<{ORG}a> <http://xmlns.com/foaf/0.1/nick> "B" .\n',
        encoding="utf-8",
    )
    result = CliRunner().invoke(main, ["-C", str(root), "stats", "--format", "json"])
    assert result.exit_code == 0, result.stderr
    graphs = {g["graph"]: g["triples"] for g in json.loads(result.stdout)["graphs"]}
    assert graphs[own] == 2


def test_a_name_holding_a_script_end_tag_cannot_close_the_embedding_element() -> None:
    store = EmbeddedStore()
    store.load_file(
        ROOT / "ontology" / "actorgraph.ttl", graph="https://w3id.org/actorgraph/graph/ontology"
    )
    name = "Evil</script><script>alert(1)</script>"
    store.load_bytes(
        (
            f"<{ORG}evil> a <https://w3id.org/actorgraph/ontology#Association> ;\n"
            f'  <http://www.w3.org/2004/02/skos/core#prefLabel> "{name}"@fr .\n'
        ).encode(),
        "ttl",
        graph="https://w3id.org/actorgraph/graph/evil",
    )
    data = schema_org(store)
    assert b"</script" not in data.lower()
    blocks = json.loads(data)
    assert any(name in json.dumps(b, ensure_ascii=False) for b in blocks)


def test_a_parameter_that_is_not_an_iri_is_a_usage_error() -> None:
    for bad in ("org=http://e/a b", "org=<javascript:alert(1)>", "org=nope:thing"):
        code, err = run(ROOT, "query", "partners-of", "-p", bad)
        assert code == 2 and "--param org" in err and "Traceback" not in err


def test_nothing_of_a_refused_file_reaches_the_project_store(tmp_path: Path) -> None:
    root = small_project(tmp_path)
    good = root / "data" / "graph" / "good.ttl"
    good.write_text(f'<{ORG}a> <http://xmlns.com/foaf/0.1/name> "A" .\n', encoding="utf-8")
    assert run(root, "stats")[0] == 0
    shutil.copy(good, root / "data" / "graph" / "bad.ttl")
    (root / "data" / "graph" / "bad.ttl").write_text("<oops", encoding="utf-8")
    assert run(root, "stats")[0] == 2
    (root / "data" / "graph" / "bad.ttl").unlink()
    result = CliRunner().invoke(main, ["-C", str(root), "stats", "--format", "json"])
    assert result.exit_code == 0
    assert "bad" not in {g["graph"].rsplit("/", 1)[-1] for g in json.loads(result.stdout)["graphs"]}


HOSTILE_ARGS = {
    "build": [["--data", "/nonexistent/folder"], ["--engine", "nope"]],
    "validate": [["/nonexistent.ttl"], ["--format", "yaml"]],
    "query": [
        ["no-such-query"],
        ["partners-of", "-p", "org=la-27e-region\n"],
        ["partners-of", "-p", "org=<a b>"],
        ["--text", "SELECT ?s WHERE {"],
        ["stats", "--store", "not a url"],
        ["stats", "--limit", "-1"],
    ],
    "queries": [["--format", "yaml"]],
    "export": [["--format", "rdfxml"], ["--frame", "organisation", "--format", "ttl"]],
    "ingest": [["/nonexistent-sheet.txt"]],
    "link": [["--wikidata-endpoint", "ftp://x", "--timeout", "0"]],
    "stats": [["--store", "http://"]],
    "push": [["--to", "not a url"], ["--to", "http://127.0.0.1:1/q", "--auth-env", "AG_UNSET_VAR"]],
    "network": [["--ego", "no-such-organisation"], ["-o", "picture.bmp"]],
    "serve": [
        ["--port", "99999"],
        ["--store", "not a url"],
        ["--base-url", "ftp://example.org/"],
        ["--allow-update", "--token-env", "AG_UNSET_TOKEN"],
    ],
    "reconcile": [
        ["/nonexistent.csv", "--column", "Nom"],
        ["-", "--column", "Nom"],
        ["README.md", "--column", "Nom", "--extend", "population"],
    ],
}


@pytest.mark.parametrize(
    ("verb", "args"),
    [(verb, args) for verb, cases in HOSTILE_ARGS.items() for args in cases],
    ids=lambda v: v if isinstance(v, str) else " ".join(v)[:40],
)
def test_every_verb_answers_bad_input_with_a_message_not_a_traceback(
    verb: str, args: list[str], tmp_path: Path
) -> None:
    result = CliRunner().invoke(main, ["-C", str(ROOT), verb, *args], catch_exceptions=True)
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(
        result.exception
    )
    # 2: bad input or usage; 3: a service (a bad URL can only be found out by asking it).
    assert result.exit_code in (0, 2, 3), (result.exit_code, result.output)
    assert "Traceback" not in result.output
    if result.exit_code:
        assert result.stderr.strip(), "an error says what went wrong"


def test_the_verb_list_is_covered_by_the_hostile_inputs() -> None:
    from actorgraph.cli import VERBS

    assert set(VERBS) <= set(HOSTILE_ARGS)
