from django.conf import settings
from django.http import HttpRequest


def site(request: HttpRequest) -> dict:
    return {
        "site_name": settings.KYOSO_SITE_NAME,
        "host_city": settings.KYOSO_HOST_CITY,
        # The public address (e-mails sign with it), never the Host a request came through.
        "kyoso_site_url": settings.KYOSO_SITE_URL,
    }
