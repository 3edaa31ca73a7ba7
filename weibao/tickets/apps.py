from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TicketsConfig(AppConfig):
    name = "weibao.tickets"
    label = "tickets"
    verbose_name = _("Tickets")

    def ready(self) -> None:
        # An item's page lists what names it; this app is above the installed base, so it registers.
        from weibao.assets.history import register_history_provider
        from weibao.tickets.item_history import ticket_history

        register_history_provider(ticket_history)
