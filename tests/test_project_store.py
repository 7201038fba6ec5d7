"""The project store on disk: opened read-only by each verb, refreshed per
named graph when a file changes, never stale, safe with concurrent readers,
a build running beside them, and a build killed part way."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from actorgraph.cli import main
from actorgraph.project import Project
from actorgraph.store.persistent import STORE_DIR, ProjectStore

ROOT = Path(__file__).resolve().parent.parent
ORG = "https://w3id.org/actorgraph/id/organisation/"
NAME_QUERY = "SELECT ?name WHERE { <" + ORG + "test-org> <http://xmlns.com/foaf/0.1/name> ?name }"


def small_project(where: Path) -> Path:
    """A project with the real ontology and queries and one small data file."""
    root = where / "project"
    (root / "data" / "graph").mkdir(parents=True)
    (root / "ontology").symlink_to(ROOT / "ontology")
    (root / "queries").symlink_to(ROOT / "queries")
    write_org(root, "First name")
    return root


def write_org(root: Path, name: str, file: str = "test.ttl") -> None:
    (root / "data" / "graph" / file).write_text(
        f"<{ORG}test-org> a <http://www.w3.org/ns/org#Organization> ;\n"
        f'    <http://xmlns.com/foaf/0.1/name> "{name}" .\n',
        encoding="utf-8",
    )


def names(root: Path) -> tuple[list[str], str]:
    result = CliRunner().invoke(
        main, ["-C", str(root), "query", "--text", NAME_QUERY, "--format", "csv"]
    )
    assert result.exit_code == 0, result.output
    rows = result.stdout.splitlines()[1:]
    return sorted(rows), result.stderr


def test_a_file_edited_between_two_queries_gives_the_new_answer(tmp_path: Path) -> None:
    root = small_project(tmp_path)
    first, err = names(root)
    assert first == ["First name"]
    assert "project store made" in err
    again, err = names(root)
    assert again == ["First name"] and err == ""  # fresh: opened as it is, nothing said
    time.sleep(0.01)
    write_org(root, "Second name")
    second, err = names(root)
    assert second == ["Second name"]
    assert "refreshed" in err and "data/graph/test.ttl" in err


def test_added_and_removed_files_are_refreshed(tmp_path: Path) -> None:
    root = small_project(tmp_path)
    assert names(root)[0] == ["First name"]
    write_org(root, "Other name", "other.ttl")
    found, err = names(root)
    assert found == ["First name", "Other name"] and "added: data/graph/other.ttl" in err
    (root / "data" / "graph" / "test.ttl").unlink()
    found, err = names(root)
    assert found == ["Other name"] and "removed: data/graph/test.ttl" in err


def test_a_touched_file_with_the_same_bytes_is_not_reloaded(tmp_path: Path) -> None:
    root = small_project(tmp_path)
    names(root)
    path = root / "data" / "graph" / "test.ttl"
    os.utime(path, ns=(time.time_ns(), time.time_ns() + 10**9))
    found, err = names(root)
    assert found == ["First name"] and err == ""


def test_a_broken_edit_is_reported_and_the_store_keeps_its_generation(tmp_path: Path) -> None:
    root = small_project(tmp_path)
    names(root)
    store = ProjectStore(Project(root))
    before = store.current()
    (root / "data" / "graph" / "test.ttl").write_text("<a> <b> .\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["-C", str(root), "query", "--text", NAME_QUERY])
    assert result.exit_code == 2
    assert "test.ttl:1" in result.stderr and "Traceback" not in result.stderr
    assert store.current() == before
    leftovers = [p.name for p in (root / STORE_DIR).iterdir() if p.name.startswith("g-")]
    assert sorted(leftovers) == sorted([before, f"{before}.use"])


def test_old_generations_are_collected(tmp_path: Path) -> None:
    root = small_project(tmp_path)
    for n in range(3):
        write_org(root, f"Name {n}")
        assert names(root)[0] == [f"Name {n}"]
    generations = [p for p in (root / STORE_DIR).iterdir() if p.is_dir()]
    assert len(generations) == 1


READER = """
import sys
from pathlib import Path
from actorgraph.project import Project
from actorgraph.store.persistent import ProjectStore
root = Path(sys.argv[1])
end = float(sys.argv[2])
seen = []
import time
while time.time() < end:
    store = ProjectStore(Project(root)).open()
    rows = store.select(sys.argv[3])
    state = "|".join(sorted(r["name"].value for r in rows))
    if not seen or seen[-1] != state:
        seen.append(state)
        print(state, flush=True)
    del store
"""


@pytest.mark.slow
def test_two_readers_and_a_build_at_once(tmp_path: Path) -> None:
    root = small_project(tmp_path)
    names(root)
    end = time.time() + 6
    readers = [
        subprocess.Popen(
            [sys.executable, "-c", READER, str(root), str(end), NAME_QUERY],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    for reader in readers:  # each has answered once before the data changes
        assert reader.stdout is not None
        assert reader.stdout.readline().strip() == "First name"
    write_org(root, "Built name")
    build = CliRunner().invoke(main, ["-C", str(root), "build", "-q"])
    assert build.exit_code in (0, 1), build.output
    after_build, err = names(root)
    assert after_build == ["Built name"] and err == ""  # the build published it
    for reader in readers:
        out, err = reader.communicate(timeout=60)
        assert reader.returncode == 0, err
        # The old answer until the new one, then only the new: never an error,
        # never a mix, never back to the old.
        assert out.split() in ([], ["Built", "name"])


KILLED_BUILD = """
import os, signal, sys
from pathlib import Path
from actorgraph.project import Project
from actorgraph.store import persistent

def die(*args, **kwargs):
    os.kill(os.getpid(), signal.SIGKILL)

# Killed once the new generation is written, before it is published.
persistent.ProjectStore._write_manifest = die
from actorgraph.build import build
build(Project(Path(sys.argv[1])))
"""


def test_a_build_killed_part_way_leaves_the_previous_store(tmp_path: Path) -> None:
    root = small_project(tmp_path)
    assert names(root)[0] == ["First name"]
    before = ProjectStore(Project(root)).current()
    write_org(root, "Never published")
    killed = subprocess.run(
        [sys.executable, "-c", KILLED_BUILD, str(root)], capture_output=True, timeout=120
    )
    assert killed.returncode == -signal.SIGKILL
    assert ProjectStore(Project(root)).current() == before
    # The next query refreshes from the files, and the killed build's leftovers go.
    found, err = names(root)
    assert found == ["Never published"] and "refreshed" in err
    generations = [p.name for p in (root / STORE_DIR).iterdir() if p.is_dir()]
    assert len(generations) == 1


def test_the_manifest_records_each_files_hash_and_graph(tmp_path: Path) -> None:
    root = small_project(tmp_path)
    names(root)
    store = ProjectStore(Project(root))
    doc = json.loads((root / STORE_DIR / str(store.current()) / "manifest.json").read_text())
    entry = next(e for e in doc["files"] if e["path"] == "data/graph/test.ttl")
    import hashlib

    digest = hashlib.sha256((root / "data" / "graph" / "test.ttl").read_bytes()).hexdigest()
    assert entry["sha256"] == digest
    assert entry["graph"] == "https://w3id.org/actorgraph/graph/test"
    assert {e["group"] for e in doc["files"]} >= {"ontology", "vocabulary", "data"}


def test_a_second_build_keeps_unchanged_graphs_and_replaces_the_others(tmp_path: Path) -> None:
    from actorgraph.store.load import load_project

    root = small_project(tmp_path)
    write_org(root, "Kept name", "kept.ttl")
    assert CliRunner().invoke(main, ["-C", str(root), "build", "-q"]).exit_code in (0, 1)
    write_org(root, "Rebuilt name")
    (root / "data" / "graph" / "gone.ttl").write_text("", encoding="utf-8")
    (root / "data" / "graph" / "gone.ttl").unlink()
    assert CliRunner().invoke(main, ["-C", str(root), "build", "-q"]).exit_code in (0, 1)
    found, err = names(root)
    assert found == ["Kept name", "Rebuilt name"] and err == ""
    store = ProjectStore(Project(root)).open()
    expected, _ = load_project(Project(root))
    assert store.graphs() == expected.graphs()
    for graph in expected.graphs():
        assert store.count(graph) == expected.count(graph), graph


def test_a_project_where_the_store_cannot_be_written_still_answers(tmp_path: Path) -> None:
    root = small_project(tmp_path)
    (root / ".actorgraph").write_text("not a folder\n", encoding="utf-8")
    found, err = names(root)
    assert found == ["First name"]
    assert "cannot write the project store" in err and "into memory" in err
