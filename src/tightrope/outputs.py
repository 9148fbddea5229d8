"""Writing results so that a failed command leaves nothing half-written.

Files are written under temporary names beside their destination and renamed into place only when
every one of them was written (a rename within a folder is atomic on POSIX). Destinations are
checked before any work starts, so that a long run is not lost to a folder that cannot be written.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import json
import math
import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import Any

from tightrope.errors import TightropeError


class OutputError(TightropeError):
    """A destination that cannot be written; the message names it and says why."""


def check_folder(folder: Path, purpose: str = "the output folder") -> None:
    """Can ``folder`` be used (or created) for ``purpose``? Raises :class:`OutputError` if not."""
    for existing in (folder, *folder.parents):
        if existing.exists() or existing.is_symlink():
            break
    if not existing.is_dir():
        what = purpose if existing == folder else f"{purpose} {folder}"
        raise OutputError(f"{existing}: is not a folder; cannot use it for {what}")
    if not os.access(existing, os.W_OK | os.X_OK):
        raise OutputError(f"{existing}: no permission to write there")


def check_file(file: Path) -> None:
    """Can ``file`` be written (its folder usable, and it not a folder itself)?"""
    if file.is_dir():
        raise OutputError(f"{file}: is a folder, not a file")
    check_folder(file.parent)


@functools.cache
def _umask() -> int:
    """The process's umask, read without changing it where Linux shows it (os.umask sets a
    new one to read the old, for a moment in which another thread's files would get it)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


class StagedFiles:
    """Files staged in a folder and put in place together by :meth:`commit`.

    Used as a context manager: leaving it without a commit (an error, an interrupt) removes the
    staged files and any folder it created.
    """

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.staged: list[tuple[Path, Path]] = []
        self.created: Path | None = None

    def __enter__(self) -> StagedFiles:
        check_folder(self.folder)
        missing = [path for path in (self.folder, *self.folder.parents) if not path.exists()]
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise OutputError(f"{self.folder}: {error.strerror or error}") from None
        self.created = missing[-1] if missing else None
        return self

    def write(self, name: str, writer: Callable[[Path], object]) -> Path:
        """Stage ``name``: ``writer`` writes it to the temporary path it is given."""
        handle, temporary = tempfile.mkstemp(prefix=f".{name}.", dir=self.folder)
        # mkstemp makes the file private (0600); the finished file gets the mode any new file
        # would, so that a report copied to a shared folder stays readable there.
        os.fchmod(handle, 0o666 & ~_umask())
        os.close(handle)
        path = Path(temporary)
        self.staged.append((path, self.folder / name))
        try:
            writer(path)
        except OSError as error:
            raise OutputError(f"{self.folder / name}: {error.strerror or error}") from None
        return self.folder / name

    def write_text(self, name: str, text: str) -> Path:
        return self.write(name, lambda path: path.write_text(text, encoding="utf-8"))

    def commit(self) -> None:
        """Rename every staged file into place."""
        for temporary, final in self.staged:
            try:
                os.replace(temporary, final)
            except OSError as error:
                raise OutputError(f"{final}: {error.strerror or error}") from None
        self.staged = []
        self.created = None

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        for temporary, _ in self.staged:
            temporary.unlink(missing_ok=True)
        if self.created is not None:
            shutil.rmtree(self.created, ignore_errors=True)


def write_text_atomically(file: Path, text: str) -> None:
    """Write ``file`` whole or not at all."""
    write_texts_atomically({file: text})


def write_texts_atomically(texts: dict[Path, str | Path]) -> None:
    """Write every file whole, or (up to a failure while renaming them into place) none: each
    staged in its folder, then all put in place. A value is the file's text, or a file to copy
    (a document of any kind, copied without being read into memory)."""
    for file in texts:
        check_file(file)
    with contextlib.ExitStack() as stack:
        folders: dict[Path, StagedFiles] = {}
        for file, content in texts.items():
            if file.parent not in folders:
                folders[file.parent] = stack.enter_context(StagedFiles(file.parent))
            if isinstance(content, Path):
                folders[file.parent].write(file.name, functools.partial(shutil.copyfile, content))
            else:
                folders[file.parent].write_text(file.name, content)
        for staged in folders.values():
            staged.commit()


def json_text(document: Any) -> str:
    """Strict JSON (RFC 8259): a number that could not be computed (NaN, ±infinity) is written
    as null, never as the NaN or Infinity that strict parsers reject; numpy scalars and arrays
    become plain numbers and lists, dates ISO text."""
    return json.dumps(_plain(document), indent=2, ensure_ascii=False, allow_nan=False) + "\n"


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(key): _plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    if hasattr(value, "tolist") and not isinstance(value, str):  # numpy arrays and scalars
        return _plain(value.tolist())
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, bool | int | float | str) or value is None:
        return value
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    return str(value)
