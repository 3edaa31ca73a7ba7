"""Pages of the installed base (/assets/)."""

from django.urls import path

from weibao.assets import views

app_name = "assets"
urlpatterns = [
    path("", views.item_list, name="list"),
    path("export.xlsx", views.item_export, name="export"),
    path("new/", views.item_create, name="create"),
    path("<int:item_id>/", views.item_detail, name="detail"),
    path("<int:item_id>/edit/", views.item_edit, name="edit"),
    path("<int:item_id>/components/", views.item_components, name="components"),
    path("<int:item_id>/relations/", views.item_relate, name="relate"),
    path("<int:item_id>/relations/<int:relation_id>/delete/", views.item_unrelate, name="unrelate"),
    path("imports/", views.import_list, name="imports"),
    path("imports/template.xlsx", views.import_template, name="import_template"),
    path("imports/<int:import_id>/", views.import_detail, name="import"),
    path("imports/<int:import_id>/confirm/", views.import_confirm, name="import_confirm"),
    path("imports/<int:import_id>/errors.xlsx", views.import_errors, name="import_errors"),
    path("handover/<int:system_id>/", views.handover, name="handover"),
    path("handover/<int:system_id>/upload/", views.handover_upload, name="handover_upload"),
    path("handover/<int:system_id>/waive/", views.handover_waive, name="handover_waive"),
    path(
        "handover/<int:system_id>/waive/<str:kind>/delete/", views.handover_unwaive, name="handover_unwaive"
    ),
    path("handover/documents/<int:document_id>/", views.handover_download, name="handover_download"),
    path("handover/documents/<int:document_id>/delete/", views.handover_delete, name="handover_delete"),
    path("suppliers/", views.supplier_list, name="suppliers"),
]
