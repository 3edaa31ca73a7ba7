from django.urls import path

from weibao.calendars import views

app_name = "calendars"
urlpatterns = [
    path("", views.calendar_list, name="list"),
    path("new/", views.calendar_create, name="create"),
    path("<slug:slug>/", views.calendar_detail, name="detail"),
    path("<slug:slug>/edit/", views.calendar_edit, name="edit"),
    path("<slug:slug>/days/", views.day_save, name="day_save"),
    path("<slug:slug>/days/delete/", views.day_delete, name="day_delete"),
    path("<slug:slug>/import/package/", views.import_package, name="import_package"),
    path("<slug:slug>/import/file/", views.import_file, name="import_file"),
    path("<slug:slug>/confirm-year/", views.confirm_year, name="confirm_year"),
]
