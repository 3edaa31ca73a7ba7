"""Users, roles, teams, API tokens and failed-login records."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from weibao.accounts.choices import UserKind


class Role(models.Model):
    """A named set of permission codes (``accounts.choices.Perm``). A user may hold several."""

    code = models.SlugField(_("code"), max_length=64, unique=True)
    name = models.CharField(_("name"), max_length=100)
    description = models.TextField(_("description"), blank=True)
    permissions = models.JSONField(_("permissions"), default=list, blank=True)
    is_staff_role = models.BooleanField(_("staff role"), default=True)
    is_builtin = models.BooleanField(_("built-in"), default=False)

    class Meta:
        ordering = ["code"]
        verbose_name = _("role")
        verbose_name_plural = _("roles")

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        """The name to show: an unedited built-in role name reads in the viewer's language."""
        from django.utils import translation

        from weibao.accounts.choices import BUILTIN_ROLES

        builtin = BUILTIN_ROLES.get(self.code) if self.is_builtin else None
        if builtin is not None:
            seeded = set()
            for language in ("zh-hans", "en"):
                with translation.override(language):
                    seeded.add(str(builtin[0]))
            if self.name in seeded:
                return str(builtin[0])
        return str(self.name)


class User(AbstractUser):
    """A person who signs in: staff (with roles) or a customer's portal user (linked via a contact)."""

    kind = models.CharField(_("kind"), max_length=16, choices=UserKind.choices, default=UserKind.STAFF)
    display_name = models.CharField(_("display name"), max_length=100, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    time_zone = models.CharField(_("time zone"), max_length=64, blank=True, default="")
    language = models.CharField(_("language"), max_length=10, blank=True, default="")
    superior = models.ForeignKey(
        "self", verbose_name=_("superior"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="subordinates",
    )  # fmt: skip
    roles = models.ManyToManyField(Role, verbose_name=_("roles"), blank=True, related_name="users")

    class Meta:
        ordering = ["username"]
        verbose_name = _("user")
        verbose_name_plural = _("users")
        indexes = [models.Index(fields=["kind", "is_active"], name="user_kind_active_idx")]

    def __str__(self) -> str:
        return self.display_name or self.get_full_name() or self.username

    @property
    def label(self) -> str:
        return str(self)

    @property
    def is_portal(self) -> bool:
        return self.kind == UserKind.CUSTOMER


class Team(models.Model):
    """A group of staff a ticket can be dispatched to (e.g. 技术支持组, 运维组, a region's team)."""

    code = models.SlugField(_("code"), max_length=64, unique=True)
    name = models.CharField(_("name"), max_length=100)
    description = models.TextField(_("description"), blank=True)
    lead = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("lead"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="led_teams",
    )  # fmt: skip
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("members"), blank=True, related_name="teams"
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("team")
        verbose_name_plural = _("teams")

    def __str__(self) -> str:
        return self.name


class ApiToken(models.Model):
    """A bearer token for the API. Only a SHA-256 hash is stored; the token is shown once."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(_("prefix"), max_length=12)
    key_hash = models.CharField(_("key hash"), max_length=64, unique=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"


class LoginFailure(models.Model):
    """One failed sign-in; recent rows per username or address throttle further attempts."""

    username = models.CharField(_("username"), max_length=150)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        verbose_name = _("failed login")
        verbose_name_plural = _("failed logins")
        indexes = [
            models.Index(fields=["username", "at"], name="loginfail_user_at_idx"),
            models.Index(fields=["ip_address", "at"], name="loginfail_ip_at_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.username} @ {self.at}"


class AuditEvent(models.Model):
    """Who changed what and when, for administration records (users, roles, teams, customers).

    Tickets keep their own timeline; this log covers the reference data around them (TRK-3, SEC-1).
    """

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("actor"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )  # fmt: skip
    action = models.CharField(_("action"), max_length=64)
    target_type = models.CharField(_("target type"), max_length=100)
    target_id = models.CharField(_("target id"), max_length=64)
    target_repr = models.CharField(_("target"), max_length=200, blank=True)
    changes = models.JSONField(_("changes"), default=dict, blank=True)
    at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        indexes = [models.Index(fields=["target_type", "target_id", "at"], name="audit_target_at_idx")]

    def __str__(self) -> str:
        return f"{self.action} {self.target_type}:{self.target_id}"
