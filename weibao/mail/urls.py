"""Pages of the email app: /mail/mailboxes/ (administrators), /mail/inbound/ (held and quarantined mail)."""

from django.urls import path

from weibao.mail import views

app_name = "mail"
urlpatterns = [
    path("mailboxes/", views.mailbox_list, name="mailboxes"),
    path("mailboxes/new/", views.mailbox_edit, name="mailbox_create"),
    path("mailboxes/<int:mailbox_id>/", views.mailbox_edit, name="mailbox_edit"),
    path("mailboxes/<int:mailbox_id>/test/", views.mailbox_test, name="mailbox_test"),
    path("inbound/", views.inbound_list, name="inbound"),
    path("inbound/<int:inbound_id>/", views.inbound_detail, name="inbound_detail"),
    path("inbound/<int:inbound_id>/original.eml", views.inbound_raw, name="inbound_raw"),
    path("inbound/<int:inbound_id>/retry/", views.inbound_retry, name="inbound_retry"),
    path("inbound/<int:inbound_id>/discard/", views.inbound_discard, name="inbound_discard"),
]
