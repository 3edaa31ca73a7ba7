"""Pages of spare parts and stock (/inventory/)."""

from django.urls import path

from weibao.inventory import views

app_name = "inventory"
urlpatterns = [
    path("", views.stock_list, name="list"),
    path("parts/new/", views.part_create, name="part_create"),
    path("parts/<int:part_id>/", views.part_detail, name="part"),
    path("moves/", views.move, name="move"),
    path("transfers/", views.transfer, name="transfer"),
    path("counts/", views.count, name="count"),
]
