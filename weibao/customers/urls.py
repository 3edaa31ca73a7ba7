from django.urls import path

from weibao.customers import views

app_name = "customers"
urlpatterns = [
    path("", views.customer_list, name="list"),
    path("new/", views.customer_create, name="create"),
    path("<int:customer_id>/", views.customer_detail, name="detail"),
    path("<int:customer_id>/edit/", views.customer_edit, name="edit"),
    path("<int:customer_id>/sites/new/", views.site_create, name="site_create"),
    path("sites/<int:site_id>/edit/", views.site_edit, name="site_edit"),
    path("<int:customer_id>/contacts/new/", views.contact_create, name="contact_create"),
    path("contacts/<int:contact_id>/edit/", views.contact_edit, name="contact_edit"),
    path("<int:customer_id>/systems/new/", views.system_create, name="system_create"),
    path("systems/<int:system_id>/edit/", views.system_edit, name="system_edit"),
]
