from django.urls import path

from weibao.core import views

app_name = "core"
urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    # Browsers ask for /favicon.ico whatever the page links; answer instead of logging a 404 each time.
    path("favicon.ico", views.favicon, name="favicon"),
]
