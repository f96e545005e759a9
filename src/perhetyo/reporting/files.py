"""Private files (yksityiset tiedostot): where exported client data may be written, and how.

- :func:`open_private_directory`: the directory, created (0700, each missing parent too)
  if missing, opened once, and refused unless it belongs to the user and nobody else can
  write it (not group- or world-writable: not ``/tmp`` itself);
- :func:`create_exclusively`: a new file in that directory, relative to its descriptor,
  created with ``O_CREAT | O_EXCL | O_NOFOLLOW`` and mode 0600. Whatever is already under
  that name (a file, a link, a directory) is never opened, followed or removed: the caller
  is refused with :class:`~perhetyo.errors.ConfigurationError`;
- :func:`file_errors`: a failing disk becomes :class:`~perhetyo.errors.StorageError`.

Working relative to one directory descriptor means that renaming or replacing the path
meanwhile cannot redirect a write. POSIX only (``O_NOFOLLOW``, ``dir_fd``).
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import Final

from perhetyo.errors import ConfigurationError, StorageError

__all__ = [
    "DIRECTORY_MODE",
    "FILE_MODE",
    "already_there",
    "create_exclusively",
    "exists_at",
    "file_errors",
    "open_private_directory",
]

DIRECTORY_MODE: Final = 0o700
"""Mode of a directory created for an export."""

FILE_MODE: Final = 0o600
"""Mode of every exported file."""

_DIRECTORY_FLAGS: Final = os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC
_FILE_FLAGS: Final = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC
_OTHERS_WRITE: Final = stat.S_IWGRP | stat.S_IWOTH
_OWNER_WRITE: Final = stat.S_IWUSR | stat.S_IXUSR


# --- the directory ---------------------------------------------------------------------------


def _make_missing_directories(out: Path) -> None:
    """Create ``out`` and its missing parents, each with mode 0700 whatever the umask."""
    missing: list[Path] = []
    current = out
    while not os.path.lexists(current) and current.parent != current:
        missing.append(current)
        current = current.parent
    for directory in reversed(missing):
        try:
            os.mkdir(directory, DIRECTORY_MODE)
            fd = os.open(directory, _DIRECTORY_FLAGS | os.O_NOFOLLOW)
            try:
                os.fchmod(fd, DIRECTORY_MODE)
            finally:
                os.close(fd)
        except FileExistsError:
            continue  # made meanwhile by someone else: judged like any existing directory
        except OSError as exc:
            raise ConfigurationError(
                f"cannot create the export directory {out}: {type(exc).__name__}"
            ) from None


def _judge_directory(out: Path, status: os.stat_result) -> None:
    mode = stat.S_IMODE(status.st_mode)
    if status.st_uid != os.geteuid():
        raise ConfigurationError(
            f"the export directory {out} belongs to another user: export into a directory "
            "of your own (mode 0700)"
        )
    if mode & _OTHERS_WRITE:
        raise ConfigurationError(
            f"the export directory {out} can be written by others (mode {mode:04o}): export "
            "into a directory only you can write (mode 0700)"
        )
    if mode & _OWNER_WRITE != _OWNER_WRITE:
        raise ConfigurationError(f"cannot write to the export directory {out} (mode {mode:04o})")


def open_private_directory(out: Path) -> int:
    """The directory's descriptor: created if missing, then judged by what was opened.

    Refused (ConfigurationError) unless it is a directory of the effective user that no
    one else can write. The caller closes the descriptor.
    """
    _make_missing_directories(out)
    try:
        fd = os.open(out, _DIRECTORY_FLAGS)
    except NotADirectoryError:
        raise ConfigurationError(f"the export directory {out} is not a directory") from None
    except OSError as exc:
        raise ConfigurationError(
            f"cannot open the export directory {out}: {type(exc).__name__}"
        ) from None
    try:
        _judge_directory(out, os.fstat(fd))
    except BaseException:
        os.close(fd)
        raise
    return fd


# --- files in it -----------------------------------------------------------------------------


def exists_at(dir_fd: int, name: str) -> bool:
    """Whether ``name`` is in the directory (a link counts; it is not followed)."""
    try:
        os.lstat(name, dir_fd=dir_fd)
    except FileNotFoundError:
        return False
    return True


def already_there(out: Path, name: str) -> ConfigurationError:
    """The refusal when ``name`` is already in the directory: it is left alone."""
    return ConfigurationError(
        f"{name} is already in the export directory {out} (an interrupted or concurrent "
        "export, or a file or link that is not the export's): check it, remove it and "
        "export again"
    )


_ERRNO_REASONS: Final = {
    errno.ENOSPC: "disk_full",
    errno.EDQUOT: "disk_full",
    errno.EACCES: "permission_denied",
    errno.EPERM: "permission_denied",
    errno.EROFS: "read_only",
}


def _write_failure(out: Path, exc: OSError) -> StorageError:
    reason = _ERRNO_REASONS.get(exc.errno or 0, "other")
    what = errno.errorcode.get(exc.errno or 0, type(exc).__name__)
    return StorageError(f"cannot write the export to {out}: {what} ({reason})", reason=reason)


@contextlib.contextmanager
def file_errors(out: Path) -> Iterator[None]:
    """A file-system failure while writing becomes a StorageError naming the directory."""
    try:
        yield
    except OSError as exc:
        raise _write_failure(out, exc) from exc


def create_exclusively(dir_fd: int, out: Path, name: str) -> int:
    """A new file ``name`` in the directory, mode 0600; never opens what is already there."""
    try:
        fd = os.open(name, _FILE_FLAGS, FILE_MODE, dir_fd=dir_fd)
    except FileExistsError:
        raise already_there(out, name) from None
    except OSError as exc:
        raise _write_failure(out, exc) from exc
    try:
        os.fchmod(fd, FILE_MODE)  # exactly 0600, whatever the umask
    except BaseException:
        os.close(fd)
        raise
    return fd
