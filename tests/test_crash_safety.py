"""Issue #16: a build or an ingest killed at any point leaves the complete old
output or the complete new one, never a mix; the next run removes what the
killed one left; concurrent runs take turns."""

from __future__ import annotations

import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from actorgraph import fsutil
from actorgraph.build import build
from actorgraph.project import Project

ROOT = Path(__file__).resolve().parent.parent
ORG = "https://w3id.org/actorgraph/id/organisation/"

# Runs the real command in a child process with one function wrapped: at its
# n-th call the process sends itself a signal, before the call or after it.
CHILD = textwrap.dedent(
    """
    import importlib, os, sys, time
    module, name, nth, sig, when, fallback = sys.argv[1:7]
    del sys.argv[1:7]
    target = importlib.import_module(module)
    real = getattr(target, name)
    calls = 0
    def hooked(*args, **kwargs):
        global calls
        calls += 1
        if calls == int(nth) and when == "before":
            os.kill(os.getpid(), int(sig)) if int(sig) else (print("held", flush=True), time.sleep(3))
        result = real(*args, **kwargs)
        if calls == int(nth) and when == "after":
            os.kill(os.getpid(), int(sig))
        return result
    setattr(target, name, hooked)
    if fallback == "1":
        import actorgraph.fsutil
        actorgraph.fsutil.exchange = lambda a, b: False
    from actorgraph.cli import main
    main(sys.argv[1:])
    """
)


def small_project(where: Path, name: str = "First name") -> Path:
    """The real ontology and queries, and one small data file."""
    root = where / "project"
    (root / "data" / "graph").mkdir(parents=True)
    (root / "ontology").symlink_to(ROOT / "ontology")
    (root / "queries").symlink_to(ROOT / "queries")
    write_org(root, name)
    return root


def write_org(root: Path, name: str) -> None:
    (root / "data" / "graph" / "test.ttl").write_text(
        f"<{ORG}test-org> a <http://www.w3.org/ns/org#Organization> ;\n"
        f'    <http://xmlns.com/foaf/0.1/name> "{name}" .\n',
        encoding="utf-8",
    )


def files(folder: Path) -> dict[str, bytes] | None:
    """Every file under ``folder`` and its bytes (None when there is no folder)."""
    if not folder.exists():
        return None
    return {
        str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()
    }


def child(
    *args: str, hook: tuple[str, str, int, int, str], fallback: bool = False
) -> subprocess.Popen[bytes]:
    module, name, nth, sig, when = hook
    return subprocess.Popen(
        [
            sys.executable,
            "-c",
            CHILD,
            module,
            name,
            str(nth),
            str(sig),
            when,
            "1" if fallback else "0",
            *args,
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


@pytest.fixture()
def builds(tmp_path: Path) -> tuple[Path, dict[str, bytes], dict[str, bytes]]:
    """A project whose dist/ holds a build of its old data, with its data since
    changed; and the files of dist/ before and of a build of the new data."""
    root = small_project(tmp_path)
    build(Project(root), engine="fast")
    old = files(root / "dist")
    write_org(root, "Second name")
    build(Project(root), tmp_path / "reference", engine="fast")
    new = files(tmp_path / "reference")
    assert old and new and old != new
    # A file the build does not make stays, and one a killed build of the
    # previous design left beside its target goes.
    (root / "dist" / "README").write_text("mine\n", encoding="utf-8")
    (root / "dist" / ".actorgraph.nt.k2j3h4.tmp").write_bytes(b"half a graph")
    old = files(root / "dist")
    assert old is not None
    new["README"] = b"mine\n"
    return root, old, new


def no_leftovers(root: Path, new: dict[str, bytes]) -> None:
    assert files(root / "dist") == new
    assert sorted(p.name for p in root.iterdir()) == [
        ".actorgraph",
        "data",
        "dist",
        "ontology",
        "queries",
    ]


KILLS = [
    pytest.param(
        ("actorgraph.build", "write_new", 3, signal.SIGKILL, "before"), False, id="while-writing"
    ),
    pytest.param(
        ("actorgraph.fsutil", "exchange", 1, signal.SIGKILL, "before"), False, id="before-swap"
    ),
    pytest.param(
        ("actorgraph.fsutil", "exchange", 1, signal.SIGKILL, "after"), False, id="after-swap"
    ),
    pytest.param(
        ("actorgraph.fsutil", "_rename", 1, signal.SIGKILL, "after"), True, id="renames-1"
    ),
    pytest.param(
        ("actorgraph.fsutil", "_rename", 2, signal.SIGKILL, "after"), True, id="renames-2"
    ),
    pytest.param(
        ("actorgraph.fsutil", "_rename", 3, signal.SIGKILL, "after"), True, id="renames-3"
    ),
    pytest.param(
        ("actorgraph.build", "write_new", 5, signal.SIGTERM, "before"), False, id="sigterm-writing"
    ),
    pytest.param(
        ("actorgraph.fsutil", "exchange", 1, signal.SIGTERM, "after"),
        False,
        id="sigterm-after-swap",
    ),
]


@pytest.mark.parametrize(("hook", "fallback"), KILLS)
def test_a_killed_build_leaves_the_old_or_the_new_dist(
    builds: tuple[Path, dict[str, bytes], dict[str, bytes]],
    hook: tuple[str, str, int, int, str],
    fallback: bool,
) -> None:
    root, old, new = builds
    killed = child("-C", str(root), "build", "-q", "--engine", "fast", hook=hook, fallback=fallback)
    _, err = killed.communicate(timeout=120)
    assert killed.returncode == -hook[3], err.decode()
    # Without a swap in one step, dist/ is missing between the second and the
    # third rename: whoever takes the lock next finishes the move first.
    with fsutil.FolderUpdate(root / "dist"):
        assert files(root / "dist") in (old, new)
    build(Project(root), engine="fast")
    no_leftovers(root, new)


def test_a_killed_first_build_leaves_no_dist(tmp_path: Path) -> None:
    root = small_project(tmp_path)
    hook = ("actorgraph.fsutil", "_rename", 1, signal.SIGKILL, "before")
    killed = child("-C", str(root), "build", "-q", "--engine", "fast", hook=hook)
    killed.communicate(timeout=120)
    assert killed.returncode == -signal.SIGKILL
    assert not (root / "dist").exists()
    build(Project(root), engine="fast")
    new = files(root / "dist")
    assert new is not None and "actorgraph.ttl" in new
    no_leftovers(root, new)


def test_two_builds_at_once_take_turns(
    builds: tuple[Path, dict[str, bytes], dict[str, bytes]],
) -> None:
    root, _, new = builds
    # The first holds on while writing its outputs (signal 0: sleep, no kill).
    first = child(
        "-C",
        str(root),
        "build",
        "-q",
        "--engine",
        "fast",
        hook=("actorgraph.build", "write_new", 1, 0, "before"),
    )
    assert first.stdout is not None
    assert first.stdout.readline() == b"held\n"
    second = subprocess.run(
        [
            sys.executable,
            "-c",
            "from actorgraph.cli import main; main()",
            "-C",
            str(root),
            "build",
            "-q",
            "--engine",
            "fast",
        ],
        capture_output=True,
        timeout=120,
    )
    _, first_err = first.communicate(timeout=120)
    # 1: the small project has violations; dist/ is written all the same.
    assert first.returncode in (0, 1), first_err.decode()
    assert second.returncode in (0, 1), second.stderr.decode()
    message = f"another build is running (pid {first.pid}); waiting…"
    assert message in second.stderr.decode()
    no_leftovers(root, new)


def sheet(folder: Path, actor: str, project: str) -> Path:
    path = folder / f"{actor.lower().replace(' ', '-')}.txt"
    path.write_text(
        f"{actor}\n\nMis à jour le 3 mars 2024\n\n"
        f"- **{project}** : depuis 2019, un projet mené en partenariat avec First name.\n",
        encoding="utf-8",
    )
    return path


INGEST_KILLS = [
    pytest.param(("actorgraph.fsutil", "write_new", 2, signal.SIGKILL, "after"), id="staging"),
    pytest.param(("actorgraph.fsutil", "atomic_write", 1, signal.SIGKILL, "after"), id="committed"),
    pytest.param(("actorgraph.fsutil", "_rename", 1, signal.SIGKILL, "after"), id="renames-1"),
    pytest.param(("actorgraph.fsutil", "_rename", 2, signal.SIGKILL, "after"), id="renames-2"),
]


@pytest.mark.parametrize("hook", INGEST_KILLS)
def test_a_killed_ingest_then_run_again_gives_the_files_of_one_run(
    tmp_path: Path, hook: tuple[str, str, int, int, str]
) -> None:
    sheets_dir = tmp_path / "sheets"
    sheets_dir.mkdir()
    sheets = [
        str(sheet(sheets_dir, actor, project))
        for actor, project in [
            ("Atelier Alpha", "Projet Un"),
            ("Atelier Beta", "Projet Deux"),
            ("Atelier Gamma", "Projet Trois"),
        ]
    ]
    command = ["ingest", *sheets, "--retrieved", "2026-11-27", "--engine", "fast", "-q"]
    once = small_project(tmp_path / "once")
    uninterrupted = child("-C", str(once), *command, hook=("os", "getpid", 0, 0, "before"))
    _, err = uninterrupted.communicate(timeout=120)
    assert uninterrupted.returncode == 0, err.decode()
    expected = files(once / "data" / "graph")
    assert expected is not None and len(expected) == 4

    root = small_project(tmp_path / "killed")
    before = files(root / "data" / "graph")
    killed = child("-C", str(root), *command, hook=hook)
    _, err = killed.communicate(timeout=120)
    assert killed.returncode == -signal.SIGKILL, err.decode()
    # Before the commit none of the batch is published; after it, all of it
    # once the next ingest into the folder has started.
    with fsutil.FileBatch(root / "data" / "graph", "ingest"):
        now = files(root / "data" / "graph") or {}
        assert {k: v for k, v in now.items() if not k.startswith(".ingest/")} in (before, expected)
    again = child("-C", str(root), *command, hook=("os", "getpid", 0, 0, "before"))
    _, err = again.communicate(timeout=120)
    assert again.returncode == 0, err.decode()
    assert files(root / "data" / "graph") == expected
    assert sorted(p.name for p in (root / "data" / "graph").iterdir()) == sorted(expected)
