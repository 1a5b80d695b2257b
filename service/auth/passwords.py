"""Password hashing with argon2 (argon2-cffi's recommended parameters)."""

from __future__ import annotations

import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

MIN_LENGTH = 8


class _Hashing:
    """The hasher in use, and a hash verified against when the email is unknown, so that
    both paths take as long."""

    def __init__(self, hasher: PasswordHasher) -> None:
        self.hasher = hasher
        self.dummy_hash = hasher.hash(secrets.token_urlsafe(16))


_hashing = _Hashing(PasswordHasher())


def use_hasher(hasher: PasswordHasher) -> None:
    """Hash with other argon2 parameters from now on. The test suite uses argon2's
    cheapest profile: the same code paths at a fraction of the time. A hash made with
    other parameters still verifies (they are in the hash) and is renewed at sign-in."""
    global _hashing
    _hashing = _Hashing(hasher)


def hash_password(password: str) -> str:
    return _hashing.hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    try:
        verified = _hashing.hasher.verify(password_hash or _hashing.dummy_hash, password)
    except (VerificationError, InvalidHashError):
        return False
    return verified and bool(password_hash)


def needs_rehash(password_hash: str) -> bool:
    return _hashing.hasher.check_needs_rehash(password_hash)


def temporary_password() -> str:
    """Easy to read aloud or type from paper: four groups of four letters and digits."""
    alphabet = "abcdefghjkmnpqrstuvwxyz23456789"
    return "-".join("".join(secrets.choice(alphabet) for _ in range(4)) for _ in range(4))
