"""An interrupted export leaves the previous file as it was."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from actorgraph import export, fsutil
from actorgraph.project import Project
from actorgraph.store import EmbeddedStore

# Runs the real command in a child process; fsync (called after every byte is
# written to the temporary file, before the rename) announces itself and waits
# to be killed, so the kill lands in the middle of the write.
CHILD = textwrap.dedent(
    """
    import os, sys, time
    def stall(fd):
        print("written", flush=True)
        time.sleep(60)
    os.fsync = stall
    from actorgraph.cli import main
    main(sys.argv[1:])
    """
)


def test_killed_export_leaves_the_previous_file(project: Project, tmp_path: Path) -> None:
    target = tmp_path / "graph.nt"
    target.write_bytes(b"previous contents\n")
    child = subprocess.Popen(
        [
            sys.executable,
            "-c",
            CHILD,
            "-C",
            str(project.root),
            "export",
            "-o",
            str(target),
            "--format",
            "nt",
            "--graph",
            "data",
            "--graph",
            "ontology",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        assert child.stdout is not None
        line = child.stdout.readline()
        assert line == b"written\n", child.stderr.read() if child.stderr else line
        # The temporary file beside the target holds the new graph, not yet renamed.
        temps = [p for p in tmp_path.iterdir() if p != target]
        assert temps and all(p.name.startswith(".graph.nt.") for p in temps)
        assert max(p.stat().st_size for p in temps) > 1000
        os.kill(child.pid, signal.SIGKILL)
        child.wait(timeout=10)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
    assert child.returncode == -signal.SIGKILL
    assert target.read_bytes() == b"previous contents\n"
    # What a kill leaves behind is hidden (dot-name) and never the target.
    visible = [p.name for p in tmp_path.iterdir() if not p.name.startswith(".")]
    assert visible == ["graph.nt"]


class Boom(RuntimeError):
    pass


def test_failed_write_leaves_the_previous_file_and_no_temporary(
    store: EmbeddedStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "graph.ttl"
    target.write_bytes(b"previous\n")
    real_fdopen = os.fdopen

    def half_then_fail(fd: int, mode: str = "r", *args, **kwargs):  # type: ignore[no-untyped-def]
        handle = real_fdopen(fd, mode, *args, **kwargs)
        real_write = handle.write

        def write(data: bytes) -> int:
            real_write(data[: len(data) // 2])
            raise Boom("disk full")

        handle.write = write  # type: ignore[method-assign]
        return handle

    monkeypatch.setattr(fsutil.os, "fdopen", half_then_fail)
    graphs = export.select_graphs(store, ["data"])
    with pytest.raises(Boom):
        export.write(store, "ttl", target, graphs)
    assert target.read_bytes() == b"previous\n"
    assert [p.name for p in tmp_path.iterdir()] == ["graph.ttl"]
