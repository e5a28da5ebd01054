from allauth.account.decorators import secure_admin_login
from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path

from consortium.health import KyosoHealthCheckView

# The Django admin login goes through allauth (rate limits, MFA) instead of its own form.
# (allauth's documented way: wrap the site's bound method in place, which mypy forbids.)
admin.site.login = secure_admin_login(admin.site.login)  # type: ignore[method-assign]
admin.site.site_header = settings.KYOSO_SITE_NAME

urlpatterns = [
    # Database, cache and broker up? For the container healthcheck and monitoring, no login.
    path("health/", KyosoHealthCheckView.as_view(), name="health"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
    path("projects/", include("projects.urls")),
    path("events/", include("events.urls")),
    path("reports/", include("reports.urls")),
    path("", include("members.urls")),
]

# Kyoso's own page when a view fails (``consortium.errors``); 400, 403 and 404 are Django's
# handlers drawing the templates of the same names.
handler500 = "consortium.errors.server_error"

if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
