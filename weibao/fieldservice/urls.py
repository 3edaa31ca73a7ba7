"""Pages of work orders (派工单): /workorders/..."""

from django.urls import path

from weibao.fieldservice import views

app_name = "fieldservice"
urlpatterns = [
    path("", views.work_order_list, name="list"),
    path("today/", views.my_today, name="today"),
    path("new/", views.work_order_create, name="create"),
    path("<int:number>/", views.work_order_detail, name="detail"),
    path("<int:number>/sign/", views.work_order_sign, name="sign"),
    path("<int:number>/report.pdf", views.report_download, name="report"),
    path("<int:number>/photos/<int:photo_id>/", views.photo_download, name="photo"),
    path("<int:number>/receipts/<int:receipt_id>/return/", views.receipt_return, name="receipt_return"),
    path("<int:number>/<slug:action>/", views.work_order_action, name="action"),
]
