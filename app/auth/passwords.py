"""Argon2id hashing, which costs ~120 ms of CPU a hash.

Two rules keep it from slowing anyone else down: a hash never runs while a
transaction is open (on SQLite it would hold the write lock that long), and
only a few run at once. Requests waiting for their turn wait on the event
loop, not in one of the threads that serve everybody's pages.
"""

import secrets
from functools import cache

import anyio
from fastapi import FastAPI
from pwdlib import PasswordHash
from pwdlib.exceptions import UnknownHashError

# About one per core: more at once only makes each one slower.
MAX_CONCURRENT_HASHES = 2


@cache
def _hasher() -> PasswordHash:
    return PasswordHash.recommended()


@cache
def _dummy_hash() -> str:
    return _hasher().hash(secrets.token_urlsafe(16))


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def verify_password(password: str, stored_hash: str | None) -> tuple[bool, str | None]:
    """(matches, a new hash if the stored one uses outdated parameters). With
    no stored hash (no such account), a dummy is checked, at the same cost."""
    if stored_hash is None:
        _hasher().verify(password, _dummy_hash())
        return False, None
    try:
        return _hasher().verify_and_update(password, stored_hash)
    except UnknownHashError:  # an account that has no password ("!")
        _hasher().verify(password, _dummy_hash())
        return False, None


def _limiter(app: FastAPI) -> anyio.CapacityLimiter:
    limiter = getattr(app.state, "hash_limiter", None)
    if limiter is None:  # created on the app's event loop, on first use
        limiter = app.state.hash_limiter = anyio.CapacityLimiter(MAX_CONCURRENT_HASHES)
    return limiter


async def hash_password_limited(app: FastAPI, password: str) -> str:
    return await anyio.to_thread.run_sync(hash_password, password, limiter=_limiter(app))


async def verify_password_limited(
    app: FastAPI, password: str, stored_hash: str | None
) -> tuple[bool, str | None]:
    return await anyio.to_thread.run_sync(
        verify_password, password, stored_hash, limiter=_limiter(app)
    )
