"""Keys of the embedded default (DEBUG=1 with nothing set): made at first run, kept in var/.

A key written in the source is known to everyone: with it anyone could forge sessions and
unsubscribe links. So each installation makes its own random key once and keeps it in a file
only its owner can read (0600); later runs, the worker and the web process read the same file.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import stat
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured


def kept_key(path: Path) -> str:
    """The key kept in `path`, made (random, 0600) if the file does not exist yet."""
    if not path.exists():
        _make(path)
    mode = stat.S_IMODE(path.stat().st_mode)
    if mode & 0o077:
        # Someone copied it with looser rights: a key readable by others is no secret.
        os.chmod(path, 0o600)
    key = path.read_text(encoding="utf-8").strip()
    if len(key) < 32:
        raise ImproperlyConfigured(
            f"{path} should hold a random key (at least 32 characters); delete it to make a "
            "new one, or set the key in the environment."
        )
    return key


def _make(path: Path) -> None:
    write_new_secret_file(path, secrets.token_urlsafe(50))


def write_new_secret_file(path: Path, secret: str) -> None:
    """Write `secret` to `path` (0600) unless another process got there first.

    Written to a private temporary file, then linked into place: a second process starting
    at the same moment (web and worker) either wins or reads the winner's complete file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            handle.write(secret + "\n")
            handle.flush()
            os.fsync(handle.fileno())
        with contextlib.suppress(FileExistsError):
            os.link(temporary, path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
