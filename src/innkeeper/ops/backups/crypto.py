"""Backups encrypted at rest with age (X25519 recipients, via pyrage).

Why age rather than home-made RSA/AES with `cryptography`: it is a small, reviewed format with
authenticated streaming encryption, several recipients per file (what key rotation needs), and
the standard `age` tool decrypts our files on any machine without innkeeper. The server holds
only public keys (BACKUP_PUBLIC_KEYS): whoever takes the web host cannot read old backups. The
private key lives off the machine and is given at restore time (`--key-file`)."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import pyrage
from django.conf import settings

from innkeeper.core.errors import BackupFailed, InvalidInput
from innkeeper.ops.backups.manifest import (
    ENCRYPTED_SUFFIX,
    FILE_MODE,
    Manifest,
    data_path,
    files_path,
    sha256_of,
)

FORMAT = "age"
__all__ = [
    "ENCRYPTED_SUFFIX",
    "FORMAT",
    "encrypt",
    "keygen",
    "plaintext",
    "plaintext_files",
    "recipients",
]


def recipients() -> list[str]:
    """The public keys new backups are encrypted to (empty: not encrypted)."""
    return [key.strip() for key in settings.BACKUP_PUBLIC_KEYS if key.strip()]


def _parsed_recipients(keys: list[str]) -> list[pyrage.x25519.Recipient]:
    try:
        return [pyrage.x25519.Recipient.from_str(key) for key in keys]
    except pyrage.RecipientError as error:
        message = f"BACKUP_PUBLIC_KEYS holds a key that is not an age key: {error}"
        raise BackupFailed(message) from error


def encrypt(plain: Path, target: Path, keys: list[str]) -> None:
    """Encrypt `plain` into `target` (created 0600 before anything is written into it)."""
    parsed = _parsed_recipients(keys)
    os.close(os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, FILE_MODE))
    try:
        pyrage.encrypt_file(str(plain), str(target), parsed)
    except pyrage.EncryptError as error:
        target.unlink(missing_ok=True)
        raise BackupFailed(f"Encrypting the backup failed: {error}") from error


def read_identities(key_file: Path) -> list[pyrage.x25519.Identity]:
    """Private keys from an age identity file (one AGE-SECRET-KEY-1... per line, # comments).
    A file may hold the old and the new key while backups of both are kept."""
    try:
        lines = key_file.read_text().splitlines()
    except OSError as error:
        raise InvalidInput(f"Cannot read the key file {key_file}: {error.strerror}.") from error
    keys = [line.strip() for line in lines if line.strip() and not line.startswith("#")]
    try:
        identities = [pyrage.x25519.Identity.from_str(key) for key in keys]
    except pyrage.IdentityError as error:
        raise InvalidInput(f"{key_file} is not an age identity file: {error}") from error
    if not identities:
        raise InvalidInput(f"{key_file} holds no private key (AGE-SECRET-KEY-1...).")
    return identities


def key_file_from(option: str | None) -> Path | None:
    """--key-file, else BACKUP_PRIVATE_KEY_FILE (a drill host's setting), else none."""
    chosen = option or settings.BACKUP_PRIVATE_KEY_FILE
    return Path(chosen) if chosen else None


def _decrypt(manifest: Manifest, key_file: Path | None, into: Path, source: Path) -> None:
    if key_file is None:
        needed = ", ".join((manifest.encryption or {}).get("recipients", []))
        raise BackupFailed(
            f"Backup {manifest.id} is encrypted (to {needed}): give the private key with "
            "--key-file (or BACKUP_PRIVATE_KEY_FILE on a drill host)."
        )
    identities = read_identities(key_file)
    os.close(os.open(into, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, FILE_MODE))
    try:
        pyrage.decrypt_file(str(source), str(into), identities)
    except pyrage.DecryptError as error:
        needed = ", ".join((manifest.encryption or {}).get("recipients", []))
        have = ", ".join(str(identity.to_public()) for identity in identities)
        raise BackupFailed(
            f"Cannot decrypt backup {manifest.id} ({error}): it was encrypted to {needed}; "
            f"{key_file} holds the key(s) of {have}."
        ) from error


@contextmanager
def _plain_copy(
    manifest: Manifest, source: Path, plain_sha256: str, key_file: Path | None
) -> Iterator[Path]:
    """`source` itself, or a decrypted copy in a private temporary folder (removed
    afterwards) whose checksum must be the one the signed manifest recorded."""
    if manifest.encryption is None:
        yield source
        return
    with tempfile.TemporaryDirectory(prefix="innkeeper-decrypted-") as work:
        plain = Path(work) / source.name.removesuffix(".age")
        _decrypt(manifest, key_file, plain, source)
        if sha256_of(plain) != plain_sha256:
            raise BackupFailed(f"Backup {manifest.id} decrypted to other bytes than recorded.")
        yield plain


@contextmanager
def plaintext(
    manifest: Manifest, key_file: Path | None, folder: Path | None = None
) -> Iterator[Path]:
    """The backup's plain database file (decrypted into a temporary folder if need be)."""
    source = data_path(manifest, folder)
    with _plain_copy(manifest, source, manifest.plain_sha256, key_file) as plain:
        yield plain


@contextmanager
def plaintext_files(
    manifest: Manifest, key_file: Path | None, folder: Path | None = None
) -> Iterator[Path | None]:
    """The backup's plain media/settings archive (None: the backup has none)."""
    source = files_path(manifest, folder)
    if source is None or manifest.files is None:
        yield None
        return
    plain_sha256 = str(manifest.files.get("plain_sha256", ""))
    with _plain_copy(manifest, source, plain_sha256, key_file) as plain:
        yield plain


def keygen(out: Path) -> str:
    """Write a new private key to `out` (0600, never overwritten); return its public key."""
    folder = Path(settings.BACKUP_DIR).resolve()
    if out.resolve().is_relative_to(folder):
        raise InvalidInput("Keep the private key out of BACKUP_DIR (and off this machine).")
    identity = pyrage.x25519.Identity.generate()
    public = str(identity.to_public())
    created = datetime.now(UTC).isoformat(timespec="seconds")
    text = f"# created: {created}\n# public key: {public}\n{identity}\n"
    try:
        descriptor = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
    except FileExistsError as error:
        raise InvalidInput(f"{out} exists; not overwriting a key.") from error
    with os.fdopen(descriptor, "w") as stream:
        stream.write(text)
    return public
