"""Pages of tools and test equipment and purchase requests (/tools/)."""

from django.urls import path

from weibao.tools import views

app_name = "tools"
urlpatterns = [
    path("", views.tool_list, name="list"),
    path("new/", views.tool_register, name="register"),
    path("<int:tool_id>/", views.tool_detail, name="detail"),
    path("<int:tool_id>/<slug:action>/", views.tool_action, name="action"),
    path("purchases/", views.purchases, name="purchases"),
    path("purchases/<int:request_id>/", views.purchase_advance, name="purchase_advance"),
]
