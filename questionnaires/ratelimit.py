"""A small cache-based limiter for code guessing: failed attempts per client address."""

from __future__ import annotations

from django.core.cache import cache

MAX_FAILURES = 10
WINDOW_SECONDS = 15 * 60


def _key(address: str | None) -> str:
    return f"questionnaires:code-failures:{address or 'unknown'}"


def is_blocked(address: str | None) -> bool:
    return (cache.get(_key(address)) or 0) >= MAX_FAILURES


def record_failure(address: str | None) -> int:
    key = _key(address)
    if cache.add(key, 1, WINDOW_SECONDS):
        return 1
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, WINDOW_SECONDS)
        return 1
