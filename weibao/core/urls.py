from django.templatetags.static import static
from django.urls import path
from django.views.generic import RedirectView

from weibao.core import views

app_name = "core"
urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    # Browsers ask for /favicon.ico whatever the page links; answer instead of logging a 404 each time.
    path("favicon.ico", RedirectView.as_view(url=static("src/img/favicon.svg"), permanent=True)),
]
