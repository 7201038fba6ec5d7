"""Shared fixtures: the project, its loaded store, ../shared, and real SPARQL
servers on 127.0.0.1 (``oxigraph serve``; Virtuoso 7 open source)."""

from __future__ import annotations

import contextlib
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
from starlette.testclient import TestClient

from actorgraph.project import Project
from actorgraph.serve import Settings, Site, create_app
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


# ---- Virtuoso 7 open source ------------------------------------------------

#: Virtuoso's configuration for the tests: everything in one temporary folder,
#: loopback ports only, the bulk loader allowed to read that folder, and a
#: result limit above any catalogue answer (its default cuts at 10 000 rows).
VIRTUOSO_INI = """\
[Database]
DatabaseFile = {folder}/virtuoso.db
ErrorLogFile = {folder}/virtuoso.log
LockFile = {folder}/virtuoso.lck
TransactionFile = {folder}/virtuoso.trx
xa_persistent_file = {folder}/virtuoso.pxa
ErrorLogLevel = 7
FileExtend = 200
MaxCheckpointRemap = 2000
Striping = 0
TempStorage = TempDatabase

[TempDatabase]
DatabaseFile = {folder}/virtuoso-temp.db
TransactionFile = {folder}/virtuoso-temp.trx
MaxCheckpointRemap = 2000
Striping = 0

[Parameters]
ServerPort = 127.0.0.1:{sql_port}
DisableUnixSocket = 1
DisableTcpSocket = 0
MaxClientConnections = 10
CheckpointInterval = 0
CaseMode = 2
DirsAllowed = ., {folder}
NumberOfBuffers = 20000
MaxDirtyBuffers = 15000
ThreadsPerQuery = 2

[HTTPServer]
ServerPort = 127.0.0.1:{http_port}
ServerRoot = {folder}
MaxClientConnections = 10
ServerThreads = 10
Charset = UTF-8
EnabledDavVSP = 0

[SPARQL]
ResultSetMaxRows = 1000000
MaxQueryCostEstimationTime = 0
MaxQueryExecutionTime = 120
"""


def virtuoso_tools() -> tuple[str, str] | None:
    """``virtuoso-t`` and its SQL client (Debian names it ``isql-vt``), or None."""
    server = shutil.which("virtuoso-t")
    client = shutil.which("isql-vt") or shutil.which("isql-v")
    return (server, client) if server and client else None


@dataclass
class VirtuosoServer:
    """A running ``virtuoso-t`` on 127.0.0.1 with its SPARQL endpoint."""

    url: str
    sql_port: int
    process: subprocess.Popen[bytes]
    folder: Path

    @property
    def query_url(self) -> str:
        return f"{self.url}/sparql"


def virtuoso_sql(client: str, port: int, statements: str) -> str:
    """Run SQL statements through isql as the database's initial ``dba``."""
    done = subprocess.run(
        [client, f"127.0.0.1:{port}", "dba", "dba", "VERBOSE=OFF", f"EXEC={statements}"],
        capture_output=True,
        text=True,
        timeout=600,
        stdin=subprocess.DEVNULL,
    )
    if done.returncode != 0 or "*** Error" in done.stdout + done.stderr:
        raise RuntimeError(f"isql failed: {done.stdout}{done.stderr}")
    return done.stdout


def start_virtuoso(folder: Path, nquads: Path) -> VirtuosoServer:
    """Start Virtuoso on a database of its own in ``folder`` and bulk-load the
    N-Quads file ``nquads`` (in ``folder``) into its named graphs."""
    tools = virtuoso_tools()
    if tools is None:
        raise RuntimeError("virtuoso-t or isql-vt is not installed")
    server, client = tools
    http_port, sql_port = free_port(), free_port()
    while sql_port == http_port:
        sql_port = free_port()
    ini = folder / "virtuoso.ini"
    ini.write_text(
        VIRTUOSO_INI.format(folder=folder, http_port=http_port, sql_port=sql_port),
        encoding="utf-8",
    )
    proc = subprocess.Popen(
        [server, "+foreground", "+configfile", str(ini)],
        cwd=folder,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{http_port}"
    running = VirtuosoServer(url, sql_port, proc, folder)
    deadline = time.monotonic() + 120  # a new database takes some seconds to create
    while True:
        if proc.poll() is not None:
            log = folder / "virtuoso.log"
            tail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
            raise RuntimeError(f"virtuoso-t exited ({proc.returncode}): {tail}")
        try:
            with urllib.request.urlopen(f"{url}/sparql?query=ASK%7B%7D", timeout=2):
                break
        except (urllib.error.URLError, ConnectionError, OSError):
            if time.monotonic() > deadline:
                stop_virtuoso(running)
                raise RuntimeError("virtuoso-t did not answer on /sparql within 120 s") from None
            time.sleep(0.25)
    try:
        # The bulk loader takes each quad's graph from the file; the third
        # argument is only the graph of triples without one (there are none).
        virtuoso_sql(
            client,
            sql_port,
            f"ld_dir('{folder}', '{nquads.name}', 'urn:actorgraph:none'); "
            "rdf_loader_run(); checkpoint;",
        )
        errors = virtuoso_sql(
            client,
            sql_port,
            "SELECT ll_file, ll_error FROM DB.DBA.load_list WHERE ll_error IS NOT NULL;",
        )
        if nquads.name in errors:
            raise RuntimeError(f"Virtuoso's bulk loader refused {nquads}: {errors}")
    except BaseException:
        stop_virtuoso(running)
        raise
    return running


def stop_virtuoso(server: VirtuosoServer) -> None:
    # SIGTERM makes virtuoso-t shut down cleanly (it checkpoints first).
    server.process.terminate()
    try:
        server.process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        server.process.kill()
        server.process.wait()


@contextlib.contextmanager
def virtuoso_holding(store: EmbeddedStore | None, folder: Path) -> Iterator[VirtuosoServer]:
    """A Virtuoso of its own in ``folder``, bulk-loaded with ``store``'s named
    graphs (empty for None), stopped when the block ends; the test is skipped
    (failed under ACTORGRAPH_REQUIRE_TOOLS) where Virtuoso is not installed."""
    if virtuoso_tools() is None:
        unavailable("Virtuoso (Debian virtuoso-opensource: virtuoso-t, isql-vt) is not installed")
    dump = folder / "graph.nq"
    dump.write_bytes(b"" if store is None else store.ox.dump(format=ox.RdfFormat.N_QUADS) or b"")
    server = start_virtuoso(folder, dump)
    try:
        yield server
    finally:
        stop_virtuoso(server)


@pytest.fixture(scope="session")
def virtuoso_server(
    store: EmbeddedStore, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[VirtuosoServer]:
    """Virtuoso 7 holding the project's whole graph (same named graphs)."""
    with virtuoso_holding(store, tmp_path_factory.mktemp("virtuoso")) as server:
        yield server


# ---- actorgraph serve ------------------------------------------------------


@pytest.fixture(scope="session")
def site(project: Project, store: EmbeddedStore) -> Site:
    """The server's view of the project's whole graph, served at http://testserver/."""
    return Site(store=store, project=project, settings=Settings(base_url="http://testserver/"))


@pytest.fixture(scope="session")
def client(site: Site) -> Iterator[TestClient]:
    """An HTTP client talking to the server's ASGI application in-process."""
    with TestClient(create_app(site), base_url="http://testserver") as http:
        yield http


@dataclass
class LiveServer:
    """``actorgraph serve``'s application run by uvicorn on 127.0.0.1."""

    url: str
    site: Site


@pytest.fixture(scope="session")
def live_server(project: Project, store: EmbeddedStore) -> Iterator[LiveServer]:
    """The server on a real loopback port, for clients outside the process
    (Chromium, OpenRefine-like clients, load generators)."""
    import threading

    import uvicorn

    port = free_port()
    url = f"http://127.0.0.1:{port}/"
    live = Site(store=store, project=project, settings=Settings(base_url=url))
    server = uvicorn.Server(
        uvicorn.Config(create_app(live), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            pytest.fail("the server did not start within 20 s")
        time.sleep(0.05)
    yield LiveServer(url, live)
    server.should_exit = True
    thread.join(10)
