from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ToolsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "weibao.tools"
    label = "tools"
    verbose_name = _("Tools and test equipment")
