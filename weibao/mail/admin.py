from django.contrib import admin

from weibao.mail.models import InboundMail, Mailbox


@admin.register(Mailbox)
class MailboxAdmin(admin.ModelAdmin):
    list_display = ("name", "host", "username", "folder", "is_active", "last_polled_at", "last_error_at")
    exclude = ("secret",)  # set through Weibao's own page, which encrypts it
    readonly_fields = ("uid_validity", "last_uid", "poll_lease_until", "last_polled_at", "last_error")


@admin.register(InboundMail)
class InboundMailAdmin(admin.ModelAdmin):
    list_display = ("received_at", "from_address", "subject", "status", "ticket")
    list_filter = ("status",)
    search_fields = ("from_address", "subject", "message_id")
    readonly_fields = [f.name for f in InboundMail._meta.fields]
