"""Exports: deterministic bytes, readable Turtle, named graphs kept, and
parsed by tools this project did not write (pyoxigraph strict, rapper)."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner
from conftest import unavailable
from rdflib import Dataset, Graph
from rdflib.compare import isomorphic

from actorgraph.cli import main
from actorgraph.errors import ActorGraphError
from actorgraph.export import select_graphs
from actorgraph.namespaces import BASE, PREFIXES
from actorgraph.project import Project
from actorgraph.rdf import serialize_graphs
from actorgraph.store import EmbeddedStore
from actorgraph.store.load import load_project

#: Everything but the reference gazetteer (hundreds of thousands of triples):
#: the ontology's blank nodes, the vocabularies, the data and the links.
SMALL = ("ontology", "vocabulary", "data", "links")


@pytest.fixture(scope="module")
def graphs(store: EmbeddedStore) -> list[str]:
    return select_graphs(store, SMALL)


@pytest.fixture(scope="module")
def outputs(store: EmbeddedStore, graphs: list[str]) -> dict[str, bytes]:
    return {fmt: serialize_graphs(store, fmt, graphs) for fmt in ("ttl", "nt", "nq", "trig")}


def rdflib_graph(data: bytes, fmt: str) -> Graph:
    return Graph().parse(data=data, format=fmt)


def test_same_input_gives_the_same_bytes(store, graphs, outputs) -> None:
    for fmt, data in outputs.items():
        assert serialize_graphs(store, fmt, graphs) == data, fmt


def test_a_rebuilt_store_gives_the_same_bytes(project: Project, outputs) -> None:
    # A fresh load gives fresh random blank-node ids: labels must not depend on them.
    rebuilt, _ = load_project(project, groups=SMALL)
    assert "_:" in outputs["nt"].decode(), "the ontology's blank nodes should be exported"
    for fmt, data in outputs.items():
        assert serialize_graphs(rebuilt, fmt) == data, fmt


def test_turtle_and_ntriples_hold_the_store_graph(store, graphs, outputs) -> None:
    expected = store.to_rdflib(graphs)
    for fmt, rdflib_fmt in (("ttl", "turtle"), ("nt", "nt")):
        assert isomorphic(rdflib_graph(outputs[fmt], rdflib_fmt), expected), fmt


def test_pyoxigraph_parses_every_format_strictly(outputs) -> None:
    formats = {
        "ttl": ox.RdfFormat.TURTLE,
        "nt": ox.RdfFormat.N_TRIPLES,
        "nq": ox.RdfFormat.N_QUADS,
        "trig": ox.RdfFormat.TRIG,
    }
    counts = {fmt: len(list(ox.parse(outputs[fmt], format=f))) for fmt, f in formats.items()}
    assert counts["ttl"] == counts["nt"] == outputs["nt"].count(b"\n")
    assert counts["nq"] == counts["trig"] >= counts["nt"]


@pytest.mark.parametrize(
    ("fmt", "syntax"), [("ttl", "turtle"), ("nt", "ntriples"), ("nq", "nquads"), ("trig", "trig")]
)
def test_rapper_parses(outputs, tmp_path: Path, fmt: str, syntax: str) -> None:
    rapper = shutil.which("rapper")
    if rapper is None:
        unavailable("rapper is absent (Debian package raptor2-utils; .ci/run installs it)")
    path = tmp_path / f"graph.{fmt}"
    path.write_bytes(outputs[fmt])
    done = subprocess.run(
        [rapper, "-q", "-i", syntax, "-c", str(path)], capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    # rapper reports "Parsing returned N triples" on stderr without -q; count it.
    counted = subprocess.run(
        [rapper, "-i", syntax, "-c", str(path)], capture_output=True, text=True
    )
    found = re.search(r"returned (\d+) (?:triples|statements)", counted.stderr)
    assert found, counted.stderr
    expected = outputs["nq"].count(b"\n") if fmt in ("nq", "trig") else outputs["nt"].count(b"\n")
    assert int(found.group(1)) == expected


def test_trig_and_nquads_keep_the_named_graphs(store, graphs, outputs) -> None:
    for fmt, rdflib_fmt in (("nq", "nquads"), ("trig", "trig")):
        ds = Dataset()
        ds.parse(data=outputs[fmt], format=rdflib_fmt)
        names = sorted(str(g.identifier) for g in ds.graphs() if len(g))
        assert names == graphs, fmt
        for g in graphs:
            assert isomorphic(ds.graph(g), store.to_rdflib([g])), (fmt, g)


def test_turtle_declares_only_the_prefixes_it_uses_in_a_stable_order(outputs) -> None:
    text = outputs["ttl"].decode()
    declared = re.findall(r"^@prefix (\w+):", text, re.M)
    assert declared == [p for p in PREFIXES if p in declared]
    body = text.split("\n\n", 1)[1]
    for prefix in declared:
        assert re.search(rf"(?<![\w<]){prefix}:", body), f"{prefix}: declared but unused"
    outside_literals = re.sub(r'"[^"\n]*"|<[^>\n]*>', "", body)
    for prefix in PREFIXES:
        if prefix not in declared:
            assert not re.search(rf"(?<![\w:]){prefix}:", outside_literals), prefix


def test_turtle_has_one_block_per_subject_ordered_by_kind(outputs) -> None:
    text = outputs["ttl"].decode()
    subjects = re.findall(r"^(\S+)\n    ", text, re.M)
    assert len(subjects) == len(set(subjects)), "a subject appears in two blocks"
    kinds = ["source", "organisation", "project", "partnership", "resource", "concept"]
    prefixes = {"agsrc": 0, "agorg": 1, "agproj": 2, "agpart": 3, "agres": 4, "agc": 5}
    ranks = []
    for s in subjects:
        head = s.split(":", 1)[0]
        if head in prefixes:
            ranks.append(prefixes[head])
        elif s.startswith(f"<{BASE}id/"):
            ranks.append(kinds.index(s[len(BASE) + 4 :].split("/", 1)[0]))
    assert ranks == sorted(ranks)
    # rdf:type first in each block
    for block in text.split("\n\n")[1:]:
        lines = block.splitlines()
        preds = [
            ln.split()[0]
            for ln in lines[1:]
            if ln.startswith("    ") and not ln.startswith("     ")
        ]
        if "a" in preds:
            assert preds[0] == "a", block


def test_export_graph_groups(store: EmbeddedStore) -> None:
    data = serialize_graphs(store, "nq", select_graphs(store, ["data"]))
    named = {line.rsplit(b" ", 2)[-2] for line in data.splitlines()}
    assert named and all(b"/graph/links/" not in g and b"/graph/ontology" not in g for g in named)
    with pytest.raises(ActorGraphError, match="unknown graph group"):
        select_graphs(store, ["nope"])


def test_unknown_format_is_refused(store: EmbeddedStore) -> None:
    with pytest.raises(ActorGraphError, match="unknown export format"):
        serialize_graphs(store, "rdfxml")


# ---- the command ------------------------------------------------------------------


def run(*args: str) -> tuple[int, bytes, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout_bytes, result.stderr


def test_export_command_writes_stdout_and_files(project: Project, tmp_path: Path, outputs) -> None:
    root = str(project.root)
    code, out, _ = run(
        "-C", root, "export", "--format", "nt", *[a for g in SMALL for a in ("--graph", g)]
    )
    assert code == 0
    assert out == outputs["nt"]
    target = tmp_path / "g.ttl"
    code, out, _ = run("-C", root, "export", "-o", str(target), "-g", "data")
    assert code == 0 and out == b""
    assert target.read_bytes().startswith(b"@prefix ag:")
    assert [p.name for p in tmp_path.iterdir()] == ["g.ttl"]


def test_export_command_usage_errors(project: Project) -> None:
    root = str(project.root)
    code, _, err = run("-C", root, "export", "--format", "ttl", "--frame", "organisation")
    assert code == 2 and "jsonld" in err and "Traceback" not in err
    code, _, err = run("-C", root, "export", "--format", "xml")
    assert code == 2


def small_store(ntriples: bytes) -> EmbeddedStore:
    s = EmbeddedStore()
    s.load_bytes(ntriples, "nt", graph="https://w3id.org/actorgraph/graph/t")
    return s


def test_rdf_type_as_an_object_is_not_written_a() -> None:
    s = small_store(
        b"<http://e/a> <http://www.w3.org/2002/07/owl#annotatedProperty> "
        b"<http://www.w3.org/1999/02/22-rdf-syntax-ns#type> ."
    )
    assert b"owl:annotatedProperty rdf:type ." in serialize_graphs(s, "ttl")


def test_names_turtle_cannot_abbreviate_stay_full_iris() -> None:
    s = small_store(
        b"<https://w3id.org/actorgraph/id/organisation/x#contact> <https://schema.org/url> "
        b"<https://w3id.org/actorgraph/id/resource/ends-with-dot.> .\n"
        b'<https://w3id.org/actorgraph/id/organisation/x> <https://schema.org/name> "a\\"b\\n" .\n'
    )
    text = serialize_graphs(s, "ttl").decode()
    assert "<https://w3id.org/actorgraph/id/organisation/x#contact>" in text
    assert "<https://w3id.org/actorgraph/id/resource/ends-with-dot.>" in text
    assert "@prefix agres:" not in text
    assert "agorg:x\n    schema:name" in text
    assert isomorphic(
        Graph().parse(data=text, format="turtle"),
        Graph().parse(data=serialize_graphs(s, "nt"), format="nt"),
    )


def test_a_literal_holding_the_rdf_type_iri_and_a_triple_in_two_graphs() -> None:
    rdf_type = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"
    s = EmbeddedStore()
    data = (
        f'<http://e/a> <http://e/note> "see <http://e/x> {rdf_type} here"@en .\n'
        f"<http://e/a> {rdf_type} <http://e/C> .\n"
        "<http://e/a> <http://e/p> <http://e/b> .\n"
    ).encode()
    s.load_bytes(data, "nt", graph="https://w3id.org/actorgraph/graph/one")
    s.load_bytes(data, "nt", graph="https://w3id.org/actorgraph/graph/two")
    text = serialize_graphs(s, "ttl").decode()
    assert f" {rdf_type} here" in text and "\x00" not in text
    assert text.count("<http://e/b>") == 1 and text.count("<http://e/C>") == 1
    expected = Graph().parse(data=data, format="nt")
    assert isomorphic(Graph().parse(data=text, format="turtle"), expected)
    trig_text = serialize_graphs(s, "trig").decode()
    assert "\x00" not in trig_text and trig_text.count("<http://e/b>") == 2
    assert serialize_graphs(s, "nt").count(b"\n") == 3


def test_types_that_sort_after_other_predicates_lead_their_block() -> None:
    """A subject's lines come in byte order, where dcterms and owl sort before
    rdf:type: the writer moves ``a`` to the front of each block, and keeps the
    other predicates in order, in Turtle and in TriG."""
    data = (
        b'<http://e/a> <http://purl.org/dc/terms/title> "T" .\n'
        b"<http://e/a> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <http://e/C> .\n"
        b"<http://e/a> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <http://e/B> .\n"
        b"<http://e/a> <http://www.w3.org/2002/07/owl#sameAs> <http://e/z> .\n"
        b'<http://e/b> <http://purl.org/dc/terms/title> "U" .\n'
        b"<http://e/b> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <http://e/C> .\n"
        b"<http://e/c> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <http://e/C> .\n"
        b"<http://e/c> <http://www.w3.org/2002/07/owl#sameAs> <http://e/y> .\n"
    )
    text = serialize_graphs(small_store(data), "ttl").decode()
    assert text.endswith(
        '<http://e/a>\n    a <http://e/B> , <http://e/C> ;\n    dcterms:title "T" ;\n'
        "    owl:sameAs <http://e/z> .\n\n"
        '<http://e/b>\n    a <http://e/C> ;\n    dcterms:title "U" .\n\n'
        "<http://e/c>\n    a <http://e/C> ;\n    owl:sameAs <http://e/y> .\n"
    ), text
    trig = serialize_graphs(small_store(data), "trig").decode()
    assert '<http://e/b>\n        a <http://e/C> ;\n        dcterms:title "U" .\n' in trig


def test_graphs_are_dumped_in_order_and_only_a_few_ahead(monkeypatch: pytest.MonkeyPatch) -> None:
    import threading

    from actorgraph.rdf import lines as ordering

    started: list[str] = []
    lock = threading.Lock()

    class Dumper:
        def dump(self, *, format: ox.RdfFormat, from_graph: ox.NamedNode) -> bytes:
            with lock:
                started.append(from_graph.value)
            return f"<{from_graph.value}> <http://e/p> 1 .\n".encode()

    class Store:
        ox = Dumper()

    monkeypatch.setattr(ordering, "_DUMP_THREADS", 2)
    graphs = [f"http://e/g{i}" for i in range(20)]
    received = []
    for g, data in ordering._dumps(Store(), graphs):  # type: ignore[arg-type]
        received.append(g)
        assert data.startswith(f"<{g}>".encode())
        with lock:
            assert len(started) <= len(received) + 2, "more than 2 dumps asked for ahead"
    assert received == graphs and sorted(started) == sorted(graphs)


def test_export_warns_when_it_writes_into_builds_dist(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from actorgraph.cli.export import _warn_inside_dist, command

    dist = tmp_path / "dist"
    _warn_inside_dist(tmp_path / "graph.ttl", dist)
    assert capsys.readouterr().err == ""
    _warn_inside_dist(dist / "actorgraph.ttl", dist)
    assert "where build writes" in capsys.readouterr().err
    # The example of --help no longer shows how to overwrite build's file.
    assert "-o dist/" not in (command.help or "")
