"""Pages of the email app. The mailbox settings and held/quarantined mail pages are the next step of
issue 4; until then mailboxes are set up in Django admin (the password is typed in a write-only field
and stored encrypted) and the services ``inbound_assign`` / ``inbound_retry`` / ``inbound_discard``
have no page yet."""

from django.urls import URLPattern

app_name = "mail"
urlpatterns: list[URLPattern] = []
