from django.urls import path

from weibao.notifications import views

app_name = "notifications"
urlpatterns = [
    path("", views.inbox, name="list"),
    path("bell/", views.bell, name="bell"),
    path("menu/", views.menu, name="menu"),
    path("read-all/", views.mark_all_read, name="read_all"),
    path("<int:notification_id>/open/", views.open_notification, name="open"),
    path("<int:notification_id>/read/", views.mark_read, name="read"),
]
