"""Password hashing with argon2 (argon2-cffi's recommended parameters).

Hashing and verifying take a few hundred milliseconds of CPU on purpose, so they run in a
worker thread (argon2 releases the GIL): thirty tablets signing in at once must not hold
up everyone else's requests on the event loop. They are coroutines, so that no caller can
run them on the loop by mistake. At most half the CPUs hash at once (one on a 2-core
machine): forty at once would leave the event loop no CPU, and sign-ins wait their turn
instead of every request waiting.
"""

from __future__ import annotations

import os
import secrets

from anyio import CapacityLimiter, to_thread
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

MIN_LENGTH = 8
# anyio makes the limiter itself on first use, inside the running event loop.
_HASHING = CapacityLimiter(max(1, (os.cpu_count() or 2) // 2))


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


async def hash_password(password: str) -> str:
    return await to_thread.run_sync(_hashing.hasher.hash, password, limiter=_HASHING)


async def verify_password(password_hash: str | None, password: str) -> bool:
    return await to_thread.run_sync(_verify, password_hash, password, limiter=_HASHING)


def _verify(password_hash: str | None, password: str) -> bool:
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
