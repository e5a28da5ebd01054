"""The web container's healthcheck (docker-compose.yml): GET /health/ from gunicorn as the proxy
sends it, with a host of ALLOWED_HOSTS and X-Forwarded-Proto: https. Exits 0 when the answer is
200 (database, cache and broker up), 1 otherwise. Standard library only: it runs every 15 s and
must not load Django.

Usage: python deploy/healthcheck.py [HOST:PORT]   (default 127.0.0.1:8000)
"""

from __future__ import annotations

import os
import sys
import urllib.error
import urllib.request


def site_host(allowed_hosts: str) -> str:
    """A name Django accepts: the first entry of ALLOWED_HOSTS that is not a wildcard."""
    for entry in (part.strip() for part in allowed_hosts.split(",")):
        if entry and entry != "*":
            return entry.lstrip(".")
    return "localhost"


def main(argv: list[str]) -> int:
    address = argv[1] if len(argv) > 1 else "127.0.0.1:8000"
    request = urllib.request.Request(
        f"http://{address}/health/",
        headers={
            "Host": site_host(os.environ.get("ALLOWED_HOSTS", "localhost")),
            "X-Forwarded-Proto": "https",
            "Accept": "application/json",
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            print(response.read().decode())
            return 0 if response.status == 200 else 1
    except urllib.error.HTTPError as error:
        print(error.code, error.read().decode(), file=sys.stderr)
    except OSError as error:
        print(error, file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
