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
    path("loaners/", views.loaners, name="loaners"),
    path("loaners/new/", views.loaner_create, name="loaner_create"),
    path("loaners/lend/", views.loan_lend, name="lend"),
    path("loaners/<int:unit_id>/status/", views.loaner_status, name="loaner_status"),
    path("loans/<int:loan_id>/return/", views.loan_return, name="return"),
]
