from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReturnsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "weibao.returns"
    label = "returns"
    verbose_name = _("Returns and exchanges")

    def ready(self) -> None:
        # An item's page lists its returns; this app is above the installed base, so it registers.
        from weibao.assets.history import register_history_provider
        from weibao.returns.item_history import rma_history

        register_history_provider(rma_history)
