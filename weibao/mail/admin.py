from typing import Any

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from weibao.core.secrets import secret_encrypt
from weibao.mail.models import InboundMail, Mailbox


class MailboxAdminForm(forms.ModelForm):
    """The stored secret is never shown; a new one is typed in and stored encrypted."""

    new_secret = forms.CharField(
        label=_("Password or access token"),
        required=False,
        widget=forms.PasswordInput(render_value=False),
        help_text=_("Leave empty to keep the stored one."),
    )

    class Meta:
        model = Mailbox
        fields = (
            "name", "host", "port", "security", "username", "auth", "folder", "address", "customer", "team",
            "unknown_sender", "is_active",
        )  # fmt: skip


@admin.register(Mailbox)
class MailboxAdmin(admin.ModelAdmin):
    form = MailboxAdminForm
    list_display = ("name", "host", "username", "folder", "is_active", "last_polled_at", "last_error_at")
    readonly_fields = ("uid_validity", "last_uid", "poll_lease_until", "last_polled_at", "last_error")

    def save_model(self, request: Any, obj: Mailbox, form: Any, change: bool) -> None:
        if form.cleaned_data.get("new_secret"):
            obj.secret = secret_encrypt(value=form.cleaned_data["new_secret"])
        super().save_model(request, obj, form, change)


@admin.register(InboundMail)
class InboundMailAdmin(admin.ModelAdmin):
    list_display = ("received_at", "from_address", "subject", "status", "ticket")
    list_filter = ("status",)
    search_fields = ("from_address", "subject", "message_id")
    readonly_fields = [f.name for f in InboundMail._meta.fields]
