from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MaintenanceConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "weibao.maintenance"
    label = "maintenance"
    verbose_name = _("Maintenance plans")
