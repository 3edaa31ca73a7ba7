from django.urls import path

from weibao.notifications import settings_views, views

app_name = "notifications"
urlpatterns = [
    path("", views.inbox, name="list"),
    path("bell/", views.bell, name="bell"),
    path("menu/", views.menu, name="menu"),
    path("read-all/", views.mark_all_read, name="read_all"),
    path("<int:notification_id>/open/", views.open_notification, name="open"),
    path("<int:notification_id>/read/", views.mark_read, name="read"),
    path("preferences/", settings_views.preferences, name="preferences"),
    path("rules/", settings_views.rules, name="rules"),
    path("webhooks/", settings_views.webhook_list, name="webhooks"),
    path("webhooks/new/", settings_views.webhook_edit, name="webhook_create"),
    path("webhooks/<int:webhook_id>/", settings_views.webhook_edit, name="webhook_edit"),
    path("webhooks/<int:webhook_id>/delete/", settings_views.webhook_delete, name="webhook_delete"),
    path("webhooks/<int:webhook_id>/test/", settings_views.webhook_test, name="webhook_test"),
    path("deliveries/", settings_views.deliveries, name="deliveries"),
    path("deliveries/<int:delivery_id>/retry/", settings_views.delivery_retry, name="delivery_retry"),
]
