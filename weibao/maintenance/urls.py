"""Pages of maintenance plans (/plans/...) and the calendar feeds (/calendar/...)."""

from django.urls import path

from weibao.maintenance import views

app_name = "maintenance"
urlpatterns = [
    path("plans/", views.plan_list, name="list"),
    path("plans/new/", views.plan_create, name="create"),
    path("plans/<int:plan_id>/", views.plan_detail, name="detail"),
    path("plans/<int:plan_id>/routines/", views.routine_add, name="routine_add"),
    path("plans/<int:plan_id>/adjustments/", views.adjustment_request, name="adjustment_request"),
    path(
        "plans/<int:plan_id>/adjustments/<int:adjustment_id>/<slug:verdict>/",
        views.adjustment_decide,
        name="adjustment_decide",
    ),
    path(
        "plans/<int:plan_id>/occurrences/<int:occurrence_id>/reschedule/",
        views.occurrence_reschedule,
        name="occurrence_reschedule",
    ),
    path(
        "plans/<int:plan_id>/occurrences/<int:occurrence_id>/done/",
        views.occurrence_complete,
        name="occurrence_done",
    ),
    path("plans/<int:plan_id>/<slug:action>/", views.plan_transition, name="transition"),
    path("calendar/feeds/", views.feeds, name="feeds"),
    path("calendar/feeds/<int:feed_id>/revoke/", views.feed_revoke, name="feed_revoke"),
    path("calendar/<str:token>.ics", views.feed_ics, name="feed_ics"),
]
