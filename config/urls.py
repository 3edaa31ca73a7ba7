from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import URLPattern, URLResolver, include, path

from config.api import api

urlpatterns: list[URLPattern | URLResolver] = [
    path("", include("weibao.core.urls")),
    path("accounts/", include("weibao.accounts.urls")),
    path("customers/", include("weibao.customers.urls")),
    path("calendars/", include("weibao.calendars.urls")),
    path("notifications/", include("weibao.notifications.urls")),
    # Policy and contract pages; /sla/compliance/ comes from weibao.tickets.urls below (it reads tickets).
    path("sla/", include("weibao.sla.urls")),
    path("mail/", include("weibao.mail.urls")),
    path("workorders/", include("weibao.fieldservice.urls")),
    path("inventory/", include("weibao.inventory.urls")),
    path("assets/", include("weibao.assets.urls")),
    path("tools/", include("weibao.tools.urls")),
    path("returns/", include("weibao.returns.urls")),
    path("", include("weibao.maintenance.urls")),
    path("jobs/", include("weibao.jobs.urls")),
    path("", include("weibao.tickets.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", api.urls),
    path("django-admin/", admin.site.urls),
]
if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

# Unknown URLs under /api/ answer JSON like every other API error; pages get the HTML 404.
handler404 = "weibao.core.views.not_found"
