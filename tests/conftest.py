"""Shared fixtures: the project, its loaded store, ../shared, and a real SPARQL
server (``oxigraph serve``) on 127.0.0.1."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import NoReturn

import pyoxigraph as ox
import pytest

from actorgraph.project import Project
from actorgraph.store import EmbeddedStore
from actorgraph.store.load import load_project

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
SEED = SHARED / "seeds" / "000_e9ca84c8084b6261.txt"


#: Set by .ci/run: a test whose tool is missing fails instead of skipping, so a
#: missing install step cannot pass unseen.
REQUIRE_TOOLS = "ACTORGRAPH_REQUIRE_TOOLS"


def unavailable(reason: str, *, module: bool = False) -> NoReturn:
    """Skip a test (or, with ``module``, a test module) whose tool is not
    installed here; fail it instead where ``ACTORGRAPH_REQUIRE_TOOLS`` is set."""
    if os.environ.get(REQUIRE_TOOLS):
        pytest.fail(f"{reason} ({REQUIRE_TOOLS} is set)", pytrace=False)
    pytest.skip(reason, allow_module_level=module)


@pytest.fixture(scope="session")
def project() -> Project:
    return Project(ROOT)


@pytest.fixture(scope="session")
def store(project: Project) -> EmbeddedStore:
    """The project's whole graph, loaded once per test session. Do not modify it."""
    loaded, _ = load_project(project)
    return loaded


@pytest.fixture(scope="session")
def shared() -> Path:
    """The ../shared folder, or a skip where it is absent."""
    if not SHARED.is_dir():
        pytest.skip(f"../shared is absent ({SHARED}): tests that read it are skipped")
    return SHARED


@pytest.fixture(scope="session")
def seed_sheet(shared: Path) -> Path:
    if not SEED.is_file():
        pytest.skip(f"the seed sheet {SEED} is absent")
    return SEED


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def oxigraph_binary() -> str:
    exe = Path(sys.executable).parent / "oxigraph"
    found = str(exe) if exe.exists() else shutil.which("oxigraph")
    if not found:
        pytest.fail("the `oxigraph` command (PyPI package oxigraph) is not installed")
    return found


@dataclass
class SparqlServer:
    """A running ``oxigraph serve`` on 127.0.0.1."""

    url: str
    process: subprocess.Popen[bytes]

    @property
    def query_url(self) -> str:
        return f"{self.url}/query"


def start_server(
    location: Path, files: list[Path] | None = None, union: bool = True
) -> SparqlServer:
    """Load ``files`` (N-Quads/TriG/Turtle…) into ``location`` and serve it."""
    exe = oxigraph_binary()
    for f in files or []:
        subprocess.run(
            [exe, "load", "--location", str(location), "--file", str(f)],
            check=True,
            capture_output=True,
        )
    port = free_port()
    args = [exe, "serve", "--location", str(location), "--bind", f"127.0.0.1:{port}"]
    if union:
        args.append("--union-default-graph")
    proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(
                f"oxigraph serve exited: {proc.stderr.read().decode() if proc.stderr else ''}"
            )
        try:
            with urllib.request.urlopen(f"{url}/query?query=ASK%7B%7D", timeout=1):
                return SparqlServer(url, proc)
        except (urllib.error.URLError, ConnectionError, OSError):
            time.sleep(0.1)
    proc.kill()
    raise RuntimeError("oxigraph serve did not start within 20 s")


def stop_server(server: SparqlServer) -> None:
    server.process.terminate()
    try:
        server.process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        server.process.kill()


@pytest.fixture(scope="session")
def seed_server(
    store: EmbeddedStore, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[SparqlServer]:
    """A real SPARQL server holding the project's whole graph (same named graphs)."""
    folder = tmp_path_factory.mktemp("oxigraph-seed")
    dump = folder / "graph.nq"
    dump.write_bytes(store.ox.dump(format=ox.RdfFormat.N_QUADS) or b"")
    server = start_server(folder / "db", [dump])
    yield server
    stop_server(server)
