from django.db import models
from django.utils.translation import gettext_lazy as _


class DistanceClass(models.TextChoices):
    """How far a site is from the service base; drives on-site SLA targets (SLA-1, SLA-2)."""

    LOCAL = "local", _("Local (same city)")
    WITHIN_200KM = "within_200km", _("Outside the city, within 200 km")
    REMOTE = "remote", _("Remote (beyond 200 km)")
