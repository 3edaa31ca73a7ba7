"""Pages of returns and exchanges (/returns/)."""

from django.urls import path

from weibao.returns import views

app_name = "returns"
urlpatterns = [
    path("", views.rma_list, name="list"),
    path("new/", views.rma_create, name="create"),
    path("<int:number>/", views.rma_detail, name="detail"),
    path("<int:number>/analysis/", views.rma_analyse, name="analyse"),
    path("<int:number>/<slug:action>/", views.rma_action, name="action"),
]
