"""Django's Redis cache, made to survive a Redis outage.

``django.core.cache.backends.redis.RedisCache`` raises on every call while Redis is down. Kyoso
keeps nothing in the cache that it cannot do without (sessions are in the database; the cache
holds rendered fragments and allauth's rate-limit counters), so while Redis cannot be reached
``TolerantRedisCache`` answers as an empty cache that forgets what it is given: ``get`` → the
default, ``add`` → stored (nothing was there), ``set``/``delete`` → nothing, ``incr`` → the
``ValueError`` of a missing key. Signing in, signing up, resetting a password and every page
keep working; what is lost is caching and, for the outage, allauth's rate limits and its memory
of used TOTP codes.

After a connection error Redis is not asked again for ``RETRY_AFTER`` seconds, so a Redis that
does not answer at all costs one socket timeout, not one per cache call.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any, TypeVar

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

OUTAGE_ERRORS = (RedisConnectionError, RedisTimeoutError)
T = TypeVar("T")


class TolerantRedisCache(RedisCache):
    RETRY_AFTER = 5.0  # seconds without asking Redis after a connection error

    def __init__(self, server, params):
        super().__init__(server, params)
        self._down_until = 0.0

    def _call(self, operation: Callable[[], T], degraded: Callable[[], T]) -> T:
        if time.monotonic() < self._down_until:
            return degraded()
        try:
            return operation()
        except OUTAGE_ERRORS as error:
            # One line per outage window, not a traceback per call.
            logger.warning(
                "Redis cache unavailable (%s); answering as an empty cache for %ss",
                error,
                self.RETRY_AFTER,
            )
            self._down_until = time.monotonic() + self.RETRY_AFTER
            return degraded()

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None) -> bool:
        return self._call(lambda: RedisCache.add(self, key, value, timeout, version), lambda: True)

    def get(self, key, default=None, version=None) -> Any:
        return self._call(lambda: RedisCache.get(self, key, default, version), lambda: default)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None) -> None:
        self._call(lambda: RedisCache.set(self, key, value, timeout, version), lambda: None)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None) -> bool:
        return self._call(lambda: RedisCache.touch(self, key, timeout, version), lambda: False)

    def delete(self, key, version=None) -> bool:
        return self._call(lambda: RedisCache.delete(self, key, version), lambda: False)

    def get_many(self, keys, version=None) -> dict:
        return self._call(lambda: RedisCache.get_many(self, keys, version), dict)

    def has_key(self, key, version=None) -> bool:
        return self._call(lambda: RedisCache.has_key(self, key, version), lambda: False)

    def incr(self, key, delta=1, version=None) -> int:

        def missing() -> int:
            raise ValueError(f"Key '{key}' not found.")

        return self._call(lambda: RedisCache.incr(self, key, delta, version), missing)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None) -> list:
        # Django's contract: the keys that could not be stored.
        return self._call(
            lambda: RedisCache.set_many(self, data, timeout, version), lambda: list(data)
        )

    def delete_many(self, keys, version=None) -> None:
        self._call(lambda: RedisCache.delete_many(self, keys, version), lambda: None)

    # Django's RedisCache returns whether Redis flushed (the stubs say None, as BaseCache).
    def clear(self) -> bool:  # type: ignore[override]
        return bool(self._call(lambda: RedisCache.clear(self), lambda: False))
