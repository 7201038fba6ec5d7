"""Atomic file writes: a temporary file in the same folder, then a rename.

>>> import tempfile, pathlib
>>> d = pathlib.Path(tempfile.mkdtemp())
>>> atomic_write(d / "a.txt", b"hello")
>>> (d / "a.txt").read_bytes()
b'hello'
>>> oct((d / "a.txt").stat().st_mode & 0o077 & ~_umask()) == oct(0o044 & ~_umask())
True
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import fcntl
import json
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import BinaryIO, Self


@contextlib.contextmanager
def atomic_open(path: Path) -> Iterator[BinaryIO]:
    """Open a temporary file beside ``path``; on success it replaces ``path``.

    On any error (or interruption) the temporary file is removed and ``path``
    is left as it was.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        # mkstemp makes the file private (0600); give it the usual mode of a new file.
        os.fchmod(fd, 0o666 & ~_umask())
        with os.fdopen(fd, "wb") as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def atomic_write(path: Path, data: bytes | str) -> None:
    """Write ``data`` to ``path`` atomically."""
    with atomic_open(path) as handle:
        handle.write(data.encode("utf-8") if isinstance(data, str) else data)


def keep_only(path: Path, data: bytes | str, pattern: str) -> None:
    """Write ``data`` to ``path`` atomically, then remove the other files of
    its folder that match ``pattern`` (the older versions of a kept file)."""
    atomic_write(path, data)
    for old in path.parent.glob(pattern):
        if old != path:
            old.unlink(missing_ok=True)


# ---- locks -------------------------------------------------------------------


def _holder(path: Path) -> int | None:
    """The pid the lock file at ``path`` names (its last holder), if readable."""
    try:
        return int(path.read_text(encoding="ascii").strip())
    except (OSError, ValueError):
        return None


@contextlib.contextmanager
def locked(path: Path, what: str, notify: Callable[[str], None] | None = None) -> Iterator[None]:
    """Hold an exclusive ``flock`` on ``path`` for the block; the file, and its
    folder once empty, are removed when the block ends.

    When another process holds it, ``notify`` hears one line naming that
    process and the call waits for it. The holder writes its pid into the file
    so that a waiting process can say whom it waits for; the kernel releases the
    lock when its holder dies, so a killed holder never blocks the next run.
    """
    told = False
    while True:
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            handle = path.open("a+b")
        except FileNotFoundError:  # the folder was removed by the previous holder
            continue
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            if notify is not None and not told:
                pid = _holder(path)
                notify(f"another {what} is running (pid {pid if pid else '?'}); waiting…")
                told = True
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        # The previous holder removes the file before releasing it: a lock on a
        # file no longer at ``path`` guards nothing, so take the new one.
        try:
            here = os.stat(path)
        except FileNotFoundError:
            here = None
        mine = os.fstat(handle.fileno())
        if here is not None and (here.st_dev, here.st_ino) == (mine.st_dev, mine.st_ino):
            break
        handle.close()
    with handle:
        handle.seek(0)
        handle.truncate()
        handle.write(f"{os.getpid()}\n".encode("ascii"))
        handle.flush()
        try:
            yield
        finally:
            path.unlink()
            with contextlib.suppress(OSError):  # not empty: another process is waiting
                path.parent.rmdir()


# ---- a folder published in one step ---------------------------------------------

#: renameat2's flag that swaps two paths (linux/fs.h) and the "current directory" fd.
_RENAME_EXCHANGE = 2
_AT_FDCWD = -100
#: errno values meaning "this kernel or file system cannot swap": fall back to renames.
_NO_EXCHANGE = {errno.ENOSYS, errno.EINVAL, errno.ENOTSUP, errno.EPERM}


def exchange(a: Path, b: Path) -> bool:
    """Swap the paths ``a`` and ``b`` in one step (Linux ``renameat2`` with
    ``RENAME_EXCHANGE``, glibc ≥ 2.28); False where the system cannot."""
    try:
        renameat2 = ctypes.CDLL(None, use_errno=True).renameat2
    except (AttributeError, OSError):
        return False
    renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p]
    renameat2.argtypes.append(ctypes.c_uint)
    renameat2.restype = ctypes.c_int
    if renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) == 0:
        return True
    code = ctypes.get_errno()
    if code in _NO_EXCHANGE:
        return False
    raise OSError(code, os.strerror(code), str(a), None, str(b))


def _rename(src: Path, dst: Path) -> None:
    """One rename of the fallback publication (a separate function: the crash
    tests stop the process here)."""
    os.rename(src, dst)


def _remove(path: Path) -> None:
    """Remove a file or a folder tree, whatever is there."""
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        with contextlib.suppress(FileNotFoundError):
            path.unlink()


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_new(path: Path, data: bytes) -> None:
    """Write a new file of a staging folder and flush it to the disk."""
    with path.open("wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())


class _LockedWork:
    """A work folder one process at a time holds (its ``lock``), where what a
    killed run left is finished or undone (:meth:`recover`) on entering."""

    def __init__(self, work: Path, what: str, notify: Callable[[str], None] | None) -> None:
        self.work = work
        self.what = what
        self.notify = notify
        self._lock: contextlib.ExitStack | None = None

    def __enter__(self) -> Self:
        stack = contextlib.ExitStack()
        stack.enter_context(locked(self.work / "lock", self.what, self.notify))
        self._lock = stack
        try:
            self.recover()
        except BaseException:
            stack.close()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        if self._lock is not None:
            self._lock.close()
            self._lock = None

    def recover(self) -> None:
        raise NotImplementedError


class FolderUpdate(_LockedWork):
    """A folder whose contents are replaced all at once, with a lock.

    The new contents are written into ``new-<pid>/`` inside a hidden work
    folder beside the target (``.<name>.build/``, on the same file system, so
    that a rename moves it), then swapped with the target in one step. Where
    the system cannot swap, three renames do it (``new`` → ``ready``, target →
    ``old``, ``ready`` → target); a process killed between them leaves names
    from which the next update finishes the move. The work folder also holds
    the lock, so everything else in it belongs to a run that has ended:
    :meth:`__enter__` removes it.
    """

    def __init__(self, target: Path, notify: Callable[[str], None] | None = None) -> None:
        # A symbolic link to the folder is kept: its destination is updated.
        self.target = Path(os.path.realpath(target))
        super().__init__(self.target.parent / f".{self.target.name}.build", "build", notify)

    def recover(self) -> None:
        """Finish or undo a publication cut short, and remove what killed runs left."""
        if not self.target.exists():
            ready = sorted(self.work.glob("ready-*"))
            old = sorted(self.work.glob("old-*"))
            # Killed after the target was moved away: the new contents were
            # complete (renamed "ready"), so the move is finished; without them,
            # the previous contents go back.
            if ready:
                _rename(ready[-1], self.target)
            elif old:
                _rename(old[-1], self.target)
        for leftover in self.work.iterdir():
            if leftover.name != "lock":
                _remove(leftover)

    @contextlib.contextmanager
    def staging(self, keep: Callable[[str], bool] = lambda name: True) -> Iterator[Path]:
        """A fresh empty folder to write the new contents into; on success it
        replaces the target, and the previous contents are removed. Entries of
        the previous target the new contents do not have are carried over (by
        hard link) when ``keep`` accepts their name; on an error the staging
        folder is removed and the target left as it was.
        """
        assert self._lock is not None, "staging outside of the update's lock"
        new = self.work / f"new-{os.getpid()}"
        _remove(new)
        new.mkdir()
        try:
            yield new
            if self.target.is_dir():
                for entry in self.target.iterdir():
                    if not (new / entry.name).exists() and keep(entry.name):
                        _carry(entry, new / entry.name)
            _fsync_dir(new)
            self._publish(new)
        except BaseException:
            _remove(new)
            raise

    def _publish(self, new: Path) -> None:
        if not self.target.exists():
            _rename(new, self.target)
        elif exchange(new, self.target):
            # ``new`` now names the previous contents.
            _fsync_dir(self.target.parent)
            _remove(new)
            return
        else:
            pid = os.getpid()
            ready, old = self.work / f"ready-{pid}", self.work / f"old-{pid}"
            _rename(new, ready)
            _rename(self.target, old)
            _rename(ready, self.target)
            _remove(old)
        _fsync_dir(self.target.parent)


def _carry(src: Path, dst: Path) -> None:
    """Hard-link ``src`` (a file, link or folder) at ``dst``; copy where links fail."""
    if src.is_symlink():
        os.symlink(os.readlink(src), dst)
    elif src.is_dir():
        shutil.copytree(src, dst, symlinks=True, copy_function=_link_or_copy)
    else:
        _link_or_copy(str(src), str(dst))


def _link_or_copy(src: str, dst: str) -> None:
    try:
        os.link(src, dst)
    except OSError:
        shutil.copy2(src, dst)


# ---- files of one folder published together ----------------------------------------


class FileBatch(_LockedWork):
    """Several files of one folder written all or none, with a lock.

    Every file is first written into a hidden work folder inside the target
    folder (``.ingest/``), then a journal naming each staged file and its
    target is written atomically: that rename is the batch's commit. The
    staged files are then renamed onto their targets and the journal removed.
    A process killed before the commit leaves the target folder untouched; one
    killed after it leaves a journal from which the next batch (in
    :meth:`__enter__`, under the lock) finishes the renames. Everything else in
    the work folder belongs to a run that has ended and is removed.
    """

    JOURNAL = "batch.json"

    def __init__(
        self, folder: Path, what: str, notify: Callable[[str], None] | None = None
    ) -> None:
        self.folder = folder
        super().__init__(folder / ".ingest", what, notify)

    def recover(self) -> None:
        """Finish a committed batch cut short; remove uncommitted staged files."""
        journal = self.work / self.JOURNAL
        if journal.exists():
            for staged, target in json.loads(journal.read_text(encoding="utf-8")):
                if (self.work / staged).exists():
                    _rename(self.work / staged, self.folder / target)
            _fsync_dir(self.folder)
        for leftover in self.work.iterdir():
            if leftover.name != "lock":
                _remove(leftover)

    def publish(self, files: Sequence[tuple[Path, bytes]]) -> None:
        """Write ``files`` (paths in the folder, and their bytes) all at once."""
        assert self._lock is not None, "publishing outside of the batch's lock"
        if not files:
            return
        pairs: list[tuple[str, str]] = []
        try:
            for n, (path, data) in enumerate(files):
                if path.parent.resolve() != self.folder.resolve():
                    raise ValueError(f"{path} is not in {self.folder}")
                staged = f"{n}-{path.name}"
                write_new(self.work / staged, data)
                pairs.append((staged, path.name))
            _fsync_dir(self.work)
            atomic_write(self.work / self.JOURNAL, json.dumps(pairs))
        except BaseException:
            for staged, _ in pairs:
                _remove(self.work / staged)
            raise
        # Committed: from here on, a crash is finished by the next batch.
        for staged, target in pairs:
            _rename(self.work / staged, self.folder / target)
        _fsync_dir(self.folder)
        (self.work / self.JOURNAL).unlink()
