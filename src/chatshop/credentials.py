"""Session tokens: in the OS keyring, or in a 0600 file where no keyring exists.

The keyring entry is service ``chatshop``, user ``HANDLE@URL``. On a headless server with no
keyring backend the token goes to ``credentials.json`` in the user config directory, readable
by you alone; :attr:`TokenStore.notice` then says so once, for the app to show.
Setting ``CHATSHOP_CREDENTIALS=file`` skips the keyring (tests, containers).
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
from pathlib import Path

from chatshop.config import config_dir

SERVICE = "chatshop"
FILE_NAME = "credentials.json"
BACKEND_ENV = "CHATSHOP_CREDENTIALS"

log = logging.getLogger("chatshop.credentials")


def _account(url: str, handle: str) -> str:
    return f"{handle}@{url}"


class TokenStore:
    """Save, load and forget session tokens."""

    def __init__(self, directory: Path | None = None, *, use_keyring: bool | None = None) -> None:
        self.directory = directory or config_dir()
        if use_keyring is None:
            use_keyring = os.environ.get(BACKEND_ENV, "keyring") != "file"
        self._use_keyring = use_keyring and _keyring_usable()
        self.notice: str | None = None
        """Set once when tokens fall back to the file; the app shows it and clears it."""
        self._warned = False

    @property
    def path(self) -> Path:
        return self.directory / FILE_NAME

    @property
    def backend(self) -> str:
        return "keyring" if self._use_keyring else f"file {self.path}"

    def save(self, url: str, handle: str, token: str) -> None:
        if self._use_keyring:
            try:
                import keyring

                keyring.set_password(SERVICE, _account(url, handle), token)
                return
            except Exception as exc:  # any backend failure: fall back, never lose the login
                log.warning("keyring failed (%s); using the credentials file", type(exc).__name__)
                self._use_keyring = False
        self._warn_file()
        tokens = self._read_file()
        tokens[_account(url, handle)] = token
        self._write_file(tokens)

    def load(self, url: str, handle: str) -> str | None:
        if self._use_keyring:
            try:
                import keyring

                token: str | None = keyring.get_password(SERVICE, _account(url, handle))
                if token:
                    return token
            except Exception:
                self._use_keyring = False
        return self._read_file().get(_account(url, handle))

    def forget(self, url: str, handle: str) -> None:
        """Remove the token (logging out)."""
        if self._use_keyring:
            try:
                import keyring

                keyring.delete_password(SERVICE, _account(url, handle))
            except Exception:  # not there, or no backend: the file is checked below
                log.debug("no keyring entry to delete")
        tokens = self._read_file()
        if tokens.pop(_account(url, handle), None) is not None:
            self._write_file(tokens)

    # ------------------------------------------------------------------ the file

    def _warn_file(self) -> None:
        if not self._warned:
            self._warned = True
            self.notice = (
                f"No system keyring found: your session token is kept in {self.path} "
                "(readable by you only)."
            )

    def _read_file(self) -> dict[str, str]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        if not isinstance(data, dict):
            return {}
        return {str(k): str(v) for k, v in data.items() if isinstance(v, str)}

    def _write_file(self, tokens: dict[str, str]) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        temporary = self.path.with_suffix(".tmp")
        with contextlib.suppress(FileNotFoundError):
            temporary.unlink()
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(tokens, handle, indent=2)
        os.chmod(temporary, 0o600)
        os.replace(temporary, self.path)


def _keyring_usable() -> bool:
    """True when a real keyring backend is configured (not the "fail" or "null" one)."""
    try:
        import keyring
        from keyring.backends import fail

        backend = keyring.get_keyring()
    except Exception:
        return False
    if isinstance(backend, fail.Keyring):
        return False
    priority = getattr(backend, "priority", 1)
    return not (isinstance(priority, (int, float)) and priority <= 0)
