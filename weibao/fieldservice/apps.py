from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FieldServiceConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "weibao.fieldservice"
    label = "fieldservice"
    verbose_name = _("Field service")
