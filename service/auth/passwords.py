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

_hasher = PasswordHasher()
# Verified against when the email is unknown, so that both paths take as long.
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))
MIN_LENGTH = 8
# anyio makes the limiter itself on first use, inside the running event loop.
_HASHING = CapacityLimiter(max(1, (os.cpu_count() or 2) // 2))


async def hash_password(password: str) -> str:
    return await to_thread.run_sync(_hasher.hash, password, limiter=_HASHING)


async def verify_password(password_hash: str | None, password: str) -> bool:
    return await to_thread.run_sync(_verify, password_hash, password, limiter=_HASHING)


def _verify(password_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and bool(password_hash)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)


def temporary_password() -> str:
    """Easy to read aloud or type from paper: four groups of four letters and digits."""
    alphabet = "abcdefghjkmnpqrstuvwxyz23456789"
    return "-".join("".join(secrets.choice(alphabet) for _ in range(4)) for _ in range(4))
