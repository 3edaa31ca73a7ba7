from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FieldServiceConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "weibao.fieldservice"
    label = "fieldservice"
    verbose_name = _("Field service")

    def ready(self) -> None:
        # An item's page lists what names it; this app is above the installed base, so it registers.
        from weibao.assets.history import register_history_provider
        from weibao.fieldservice.item_history import visit_history

        register_history_provider(visit_history)
