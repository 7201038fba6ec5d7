"""The project store: every named graph of the project in a pyoxigraph store
on disk, opened read-only in milliseconds by each verb.

Layout, under ``<project>/.actorgraph/store/`` (git-ignored)::

    CURRENT              the name of the generation in use
    lock                 held (exclusively) while a generation is made or published
    g-<time>-<pid>/      one generation: the pyoxigraph folder and manifest.json
    g-<time>-<pid>.use   held (shared) by every process that reads or writes it

A generation is written once, by ``build`` or by a refresh, and never changed
after ``CURRENT`` names it; so readers never see a store being written (which
pyoxigraph does not allow), a reader keeps the generation it opened while a
newer one is published, and ``kill -9`` while a generation is made leaves the
previous one in use. A refresh starts from a hard-linked copy of the current
generation (``Store.backup``) and replaces only the named graphs whose files
changed. Generations nobody holds are removed by the next writer.

``manifest.json`` records, for each loaded file, its path, named graph,
group, size, modification time and SHA-256. A file whose size and time are
unchanged is taken as unchanged; otherwise its hash decides. See
``docs/architecture.md``.
"""

from __future__ import annotations

import contextlib
import fcntl
import gc
import hashlib
import json
import os
import shutil
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import IO, Any

import pyoxigraph as ox

from ..errors import LoadError
from ..fsutil import atomic_write
from ..project import Project, SourceFile
from .embedded import EmbeddedStore
from .load import Loaded, check_project, load_project, load_source

#: Where the project store lives, relative to the project root.
STORE_DIR = Path(".actorgraph") / "store"
MANIFEST = "manifest.json"
#: Bumped when the layout or the manifest changes: older stores are rebuilt.
FORMAT = 1

Notify = Callable[[str], None]


@dataclass(frozen=True)
class Entry:
    """One loaded file, as the manifest records it."""

    path: str  # relative to the project root, POSIX form
    graph: str
    group: str
    sha256: str
    size: int
    mtime_ns: int
    quads: int = 0


@dataclass
class Changes:
    """How the project's files differ from a generation's manifest."""

    changed: list[SourceFile]
    added: list[SourceFile]
    removed: list[Entry]

    def __bool__(self) -> bool:
        return bool(self.changed or self.added or self.removed)

    def describe(self, root: Path) -> str:
        parts = []
        for label, items in (("changed", self.changed), ("added", self.added)):
            if items:
                parts.append(f"{label}: {', '.join(_rel(s.path, root) for s in items)}")
        if self.removed:
            parts.append(f"removed: {', '.join(e.path for e in self.removed)}")
        return "; ".join(parts)


def _rel(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(root).as_posix()
    except ValueError:
        return path.resolve().as_posix()


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def diff(entries: dict[str, Entry], sources: list[SourceFile], root: Path) -> Changes:
    """What changed between the manifest ``entries`` and the files of ``sources``."""
    changes = Changes([], [], [])
    seen = set()
    for source in sources:
        rel = _rel(source.path, root)
        seen.add(rel)
        entry = entries.get(rel)
        if entry is None:
            changes.added.append(source)
            continue
        if entry.graph != source.graph:
            changes.changed.append(source)
            continue
        try:
            stat = source.path.stat()
        except OSError:
            changes.changed.append(source)  # the load will name the problem
            continue
        if (stat.st_size, stat.st_mtime_ns) == (entry.size, entry.mtime_ns):
            continue
        if stat.st_size != entry.size or _sha256(source.path) != entry.sha256:
            changes.changed.append(source)
    changes.removed = [e for rel, e in sorted(entries.items()) if rel not in seen]
    return changes


class _Held:
    """An open file with a ``flock`` on it, released when closed."""

    def __init__(self, path: Path, mode: int, *, block: bool = True) -> None:
        self.handle: IO[bytes] | None = path.open("a+b")
        try:
            fcntl.flock(self.handle.fileno(), mode | (0 if block else fcntl.LOCK_NB))
        except BlockingIOError:
            self.handle.close()
            self.handle = None
            raise

    def close(self) -> None:
        if self.handle is not None:
            self.handle.close()
            self.handle = None


class ProjectStore:
    """The on-disk store of one project folder."""

    def __init__(self, project: Project) -> None:
        self.project = project
        self.root = project.root.resolve()
        self.folder = self.root / STORE_DIR

    # ---- generations -----------------------------------------------------
    def current(self) -> str | None:
        """The generation ``CURRENT`` names, if it exists and is complete."""
        try:
            name = (self.folder / "CURRENT").read_text(encoding="utf-8").strip()
        except OSError:
            return None
        if not name or not (self.folder / name / MANIFEST).is_file():
            return None
        return name

    def manifest(self, name: str) -> dict[str, Entry] | None:
        try:
            doc = json.loads((self.folder / name / MANIFEST).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        if doc.get("format") != FORMAT:
            return None
        try:
            return {e["path"]: Entry(**e) for e in doc["files"]}
        except (KeyError, TypeError):
            return None

    @contextlib.contextmanager
    def _writing(self) -> Iterator[None]:
        """The writers' lock: one process makes or publishes a generation at a time."""
        self.folder.mkdir(parents=True, exist_ok=True)
        held = _Held(self.folder / "lock", fcntl.LOCK_EX)
        try:
            yield
        finally:
            held.close()

    def _new_name(self) -> str:
        return (
            f"g-{time.strftime('%Y%m%dT%H%M%S')}-{time.time_ns() % 1_000_000_000:09d}-{os.getpid()}"
        )

    def _use(self, name: str, *, block: bool = True) -> _Held:
        return _Held(self.folder / f"{name}.use", fcntl.LOCK_SH, block=block)

    def _discard(self, name: str, held: _Held) -> None:
        """Remove a generation that failed while being made."""
        gc.collect()  # a store still referenced from a cycle is closed first
        held.close()
        shutil.rmtree(self.folder / name, ignore_errors=True)
        (self.folder / f"{name}.use").unlink(missing_ok=True)

    def _publish(self, name: str) -> None:
        atomic_write(self.folder / "CURRENT", name + "\n")

    def collect(self) -> list[str]:
        """Remove the generations that are neither current nor held by anyone
        (left over by a finished refresh, or by a killed build)."""
        keep = self.current()
        removed: list[str] = []
        if not self.folder.is_dir():
            return removed
        for child in sorted(self.folder.iterdir()):
            if not child.name.startswith("g-") or child.name.endswith(".use"):
                continue
            if child.name == keep:
                continue
            use = self.folder / f"{child.name}.use"
            try:
                held = _Held(use, fcntl.LOCK_EX, block=False)
            except BlockingIOError:
                continue
            try:
                shutil.rmtree(child, ignore_errors=True)
                use.unlink(missing_ok=True)
                removed.append(child.name)
            finally:
                held.close()
        return removed

    def _write_manifest(self, name: str, loaded: list[Loaded]) -> None:
        entries = [
            asdict(
                Entry(
                    _rel(item.source.path, self.root),
                    item.source.graph,
                    item.source.group,
                    item.sha256,
                    item.size,
                    item.mtime_ns,
                    item.quads,
                )
            )
            for item in loaded
        ]
        doc = {"format": FORMAT, "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"), "files": entries}
        atomic_write(
            self.folder / name / MANIFEST, json.dumps(doc, indent=1, ensure_ascii=False) + "\n"
        )

    # ---- opening ---------------------------------------------------------
    def open(self, notify: Notify | None = None) -> EmbeddedStore:
        """The project's store, read-only, fresh: made when missing, refreshed
        (only the named graphs whose files changed) when stale."""
        check_project(self.project)
        sources = self.project.sources()
        for _ in range(3):
            name = self.current()
            if name is None:
                break
            held = self._use(name)
            if self.current() != name:  # replaced meanwhile: read the new one
                held.close()
                continue
            entries = self.manifest(name)
            if entries is not None and not diff(entries, sources, self.root):
                return self._open_generation(name, held)
            held.close()
            break
        return self._refresh(sources, notify)

    def _open_generation(self, name: str, held: _Held) -> EmbeddedStore:
        store = EmbeddedStore(self.folder / name, read_only=True)
        store.label = str(self.folder / name)
        # The shared lock lives as long as the store: no writer removes it meanwhile.
        store.holds = held  # type: ignore[attr-defined]
        return store

    def _refresh(self, sources: list[SourceFile], notify: Notify | None) -> EmbeddedStore:
        started = time.monotonic()
        with self._writing():
            name = self.current()
            entries = self.manifest(name) if name else None
            if name is not None and entries is not None:
                changes = diff(entries, sources, self.root)
                if not changes:  # another process refreshed it while we waited
                    return self._open_generation(name, self._use(name))
                new = self._derive(name, entries, changes)
                if notify:
                    n = len(changes.changed) + len(changes.added) + len(changes.removed)
                    notify(
                        f"project store refreshed: {n} file(s) {changes.describe(self.root)} "
                        f"({time.monotonic() - started:.1f} s)"
                    )
            else:
                if notify:
                    notify(f"making the project store in {_rel(self.folder, self.root)}/ …")
                new = self._make(sources)
                if notify:
                    notify(f"project store made ({time.monotonic() - started:.1f} s)")
            self._publish(new)
            held = self._use(new)
            self.collect()
        return self._open_generation(new, held)

    @contextlib.contextmanager
    def _new_generation(self) -> Iterator[str]:
        """The name of a new generation being made; removed if the block fails.

        The block should open its store inside a function it calls, so that on
        failure the store is closed (its frame dropped with the traceback)
        before its folder is removed."""
        name = self._new_name()
        held = self._use(name)
        try:
            yield name
        except BaseException as exc:
            exc = exc.with_traceback(None)
            self._discard(name, held)
            raise exc from None
        finally:
            held.close()

    def _make(self, sources: list[SourceFile]) -> str:
        """A new generation loaded from every source file."""

        def fill(folder: Path) -> list[Loaded]:
            store = EmbeddedStore(folder)
            loaded = [load_source(store, s, bulk=True) for s in _unique(sources)]
            store.ox.flush()
            return loaded

        with self._new_generation() as name:
            self._write_manifest(name, fill(self.folder / name))
        return name

    def _derive(self, base: str, entries: dict[str, Entry], changes: Changes) -> str:
        """A new generation: ``base`` with the changed graphs loaded again."""
        kept = {e.path: e for e in entries.values()}
        for entry in changes.removed:
            kept.pop(entry.path, None)
        taken = {e.graph: e.path for e in kept.values()}
        for source in changes.added:
            if source.graph in taken:
                raise LoadError(
                    f"two source files map to the named graph <{source.graph}> "
                    f"(the other is {taken[source.graph]})",
                    file=source.path,
                    hint="rename one of them: graph names come from file names",
                )

        def fill(folder: Path) -> list[Loaded]:
            previous = ox.Store.read_only(str(self.folder / base))
            previous.backup(str(folder))
            del previous
            store = EmbeddedStore(folder)
            for entry in changes.removed:
                store.ox.remove_graph(ox.NamedNode(entry.graph))
            for source in changes.changed:
                old = kept.get(_rel(source.path, self.root))
                if old is not None:
                    store.ox.remove_graph(ox.NamedNode(old.graph))
            fresh = []
            for source in _unique([*changes.changed, *changes.added]):
                store.ox.remove_graph(ox.NamedNode(source.graph))
                fresh.append(load_source(store, source, bulk=True))
            store.ox.flush()
            return fresh

        with self._new_generation() as name:
            fresh = fill(self.folder / name)
            refreshed = {_rel(item.source.path, self.root) for item in fresh}
            unchanged = [
                Loaded(
                    SourceFile(self.root / e.path, e.graph, e.group),
                    e.quads,
                    e.sha256,
                    e.size,
                    e.mtime_ns,
                )
                for rel, e in kept.items()
                if rel not in refreshed
            ]
            self._write_manifest(name, [*unchanged, *fresh])
        return name

    # ---- writing from a build ---------------------------------------------
    def writer(self, store: EmbeddedStore, loaded: list[Loaded]) -> GenerationWriter:
        """Write ``store`` (loaded in memory by a build) as a new generation, in
        a background thread; :meth:`GenerationWriter.finish` publishes it."""
        return GenerationWriter(self, store, loaded)


def _unique(sources: list[SourceFile]) -> list[SourceFile]:
    graphs: dict[str, Path] = {}
    for source in sources:
        if source.graph in graphs:
            raise LoadError(
                f"two source files map to the named graph <{source.graph}>",
                file=source.path,
                hint="rename one of them: graph names come from file names",
            )
        graphs[source.graph] = source.path
    return sources


class GenerationWriter:
    """Copies an in-memory store into a new on-disk generation on a thread
    (pyoxigraph releases the GIL while it dumps and loads).

    Graphs whose file is unchanged since the current generation (same path,
    graph and SHA-256: the gazetteer, usually) are not written again: the new
    generation starts from a hard-linked copy of the current one."""

    def __init__(self, owner: ProjectStore, store: EmbeddedStore, loaded: list[Loaded]) -> None:
        self.owner = owner
        self.loaded = loaded
        owner.folder.mkdir(parents=True, exist_ok=True)
        self.name = owner._new_name()
        self.held = owner._use(self.name)
        self.error: BaseException | None = None
        self.base: tuple[str, _Held, dict[str, Entry]] | None = None
        current = owner.current()
        if current is not None:
            held = owner._use(current)
            entries = owner.manifest(current) if owner.current() == current else None
            if entries is not None:
                self.base = (current, held, entries)
            else:
                held.close()
        self.thread = threading.Thread(target=self._run, args=(store,), daemon=True)
        self.thread.start()

    def _run(self, source: EmbeddedStore) -> None:
        folder = str(self.owner.folder / self.name)
        try:
            kept: set[str] = set()
            if self.base is not None:
                base, held, entries = self.base
                same = {(e.path, e.graph, e.sha256) for e in entries.values()}
                kept = {
                    item.source.graph
                    for item in self.loaded
                    if (_rel(item.source.path, self.owner.root), item.source.graph, item.sha256)
                    in same
                }
                previous = ox.Store.read_only(str(self.owner.folder / base))
                previous.backup(folder)
                del previous
                held.close()
            target = ox.Store(folder)
            wanted = {item.source.graph for item in self.loaded}
            for graph in list(target.named_graphs()):
                if graph.value not in wanted or graph.value not in kept:
                    target.remove_graph(graph)
            for item in self.loaded:
                if item.source.graph in kept:
                    continue
                node = ox.NamedNode(item.source.graph)
                data = source.ox.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=node) or b""
                target.add_graph(node)
                if data:
                    # Dumped by pyoxigraph from a store it loaded: already
                    # checked, so the loader may skip checking it again.
                    target.bulk_load(
                        data, format=ox.RdfFormat.N_TRIPLES, to_graph=node, lenient=True
                    )
            target.flush()
            del target
        except BaseException as exc:  # handed to finish()
            self.error = exc.with_traceback(None)

    def finish(self) -> str:
        """Wait for the copy, then publish it as the current generation."""
        self.thread.join()
        try:
            if self.error is not None:
                raise LoadError(
                    f"cannot write the project store: {self.error}", file=self.owner.folder
                )
            self.owner._write_manifest(self.name, self.loaded)
            with self.owner._writing():
                self.owner._publish(self.name)
                self.owner.collect()
        except BaseException:
            self.owner._discard(self.name, self.held)
            raise
        finally:
            self.held.close()
        return self.name

    def abandon(self) -> None:
        """Stop caring about the copy (a failed build): it is removed later."""
        self.thread.join()
        self.owner._discard(self.name, self.held)


def generation_of(store: Any, project: Project) -> Path | None:
    """The generation folder ``store`` reads, when it is one of ``project``'s
    store opened read-only (a generation never changes once published: its
    name stands for the data it holds); None for any other store."""
    if not isinstance(store, EmbeddedStore) or not store.read_only:
        return None
    folder = Path(store.label)
    if folder.parent != (project.root / STORE_DIR).resolve() or not (folder / MANIFEST).is_file():
        return None
    return folder


def open_project_store(project: Project, notify: Notify | None = None) -> Any:
    """The store a reading verb works on for ``project``: the on-disk project
    store, or, for a data folder given on the command line, that folder's
    files loaded in memory (the project store holds the project's own)."""
    if project.data_override is not None:
        store, _ = load_project(project)
        return store
    try:
        return ProjectStore(project).open(notify)
    except OSError as exc:
        # A copy of the project one may read but not write (a shared folder, a
        # read-only file system, a file where the store's folder should be):
        # answer from the files, loaded in memory, and say why it is slower.
        if notify:
            notify(
                f"cannot write the project store ({exc.strerror}: {exc.filename}); "
                "reading the project's files into memory instead"
            )
        store, _ = load_project(project)
        return store
