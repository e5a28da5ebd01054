"""The health URL that the web container's healthcheck and a city's monitoring ask.

It checks what every page needs: the database, the cache and the Celery broker — not the
workers, whose absence must not mark the web container unhealthy (the worker has its own
healthcheck). Anybody may ask, so the answer names each service and says "ok" or "unavailable";
the reasons (host names, driver messages) go to the log, never into the response.
"""

from __future__ import annotations

import asyncio

from django.conf import settings
from django.http import JsonResponse
from health_check.checks import Cache, Database
from health_check.contrib.redis import Redis
from health_check.views import HealthCheckView
from redis.asyncio import Redis as RedisClient


def _broker_client() -> RedisClient:
    return RedisClient.from_url(
        settings.CELERY_BROKER_URL, socket_connect_timeout=1, socket_timeout=1
    )


class KyosoHealthCheckView(HealthCheckView):
    """django-health-check's view (concurrent checks, never cached) with a status-only answer:
    200 when every service answers, 503 when one does not."""

    def get_named_checks(self) -> dict:
        checks = {"database": Database(), "cache": Cache()}
        if settings.CELERY_BROKER_URL.startswith(("redis://", "rediss://")):
            checks["broker"] = Redis(client_factory=_broker_client)
        return checks

    async def get(self, request, *args, **kwargs):
        checks = self.get_named_checks()
        with self.get_executor() as executor:
            results = await asyncio.gather(
                *(check.get_result(executor) for check in checks.values())
            )
        status = {
            name: "unavailable" if result.error else "ok"
            for name, result in zip(checks, results, strict=True)
        }
        healthy = "unavailable" not in status.values()
        return JsonResponse(status, status=200 if healthy else 503)
