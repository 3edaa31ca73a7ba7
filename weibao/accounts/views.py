"""Sign-in, API tokens and the administration pages (users, roles, teams). Thin: parse, call, render."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render, resolve_url
from django.urls import NoReverseMatch, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from weibao.accounts import selectors, services
from weibao.accounts.choices import Perm, UserKind
from weibao.accounts.decorators import allowed_if, client_ip
from weibao.accounts.forms import (
    LoginForm,
    OwnPasswordForm,
    PasswordResetForm,
    RoleForm,
    TeamForm,
    TokenCreateForm,
    UserCreateForm,
    UserEditForm,
    UserFilterForm,
)
from weibao.accounts.permissions import can_administer, can_manage_users, can_use_api_tokens, has_perm
from weibao.core.errors import DomainError, Throttled
from weibao.core.forms import add_domain_error

# --------------------------------------------------------------------------- sign-in


@never_cache
def login_view(request: HttpRequest) -> HttpResponse:
    """Sign in with a username and password; failures are throttled per username and address."""
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        next_url = ""
    if request.user.is_authenticated and request.method == "GET":
        return redirect(next_url or resolve_url(settings.LOGIN_REDIRECT_URL))
    form = LoginForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            user = services.login_authenticate(
                request=request,
                username=form.cleaned_data["username"],
                password=form.cleaned_data["password"],
                ip_address=client_ip(request),
            )
        except Throttled as exc:
            form.add_error(None, str(exc.detail))
            status = exc.status
        except DomainError as exc:
            form.add_error(None, str(exc.detail))
        else:
            login(request, user)
            return redirect(next_url or resolve_url(settings.LOGIN_REDIRECT_URL))
    return render(request, "accounts/login.html", {"form": form, "next": next_url}, status=status)


# --------------------------------------------------------------------------- own password


@never_cache
@login_required
def password_change(request: HttpRequest) -> HttpResponse:
    """Every user, staff or portal, changes their own password here."""
    form = OwnPasswordForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.user_change_own_password(
                actor=request.user,
                current_password=form.cleaned_data["current_password"],
                new_password=form.cleaned_data["new_password"],
            )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            update_session_auth_hash(request, user)  # stay signed in on this device
            messages.success(request, _("Your password has been changed."))
            return redirect("core:home")
    return render(request, "accounts/password_change.html", {"form": form})


# --------------------------------------------------------------------------- API tokens


@never_cache
@allowed_if(can_use_api_tokens)
def tokens(request: HttpRequest) -> HttpResponse:
    """The user's own API tokens; a newly created token is shown once, on this response only."""
    form = TokenCreateForm(request.POST or None)
    new_token = None
    if request.method == "POST" and form.is_valid():
        try:
            _token, new_token = services.api_token_create(actor=request.user, name=form.cleaned_data["name"])
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            form = TokenCreateForm()
    context = {"form": form, "tokens": selectors.api_token_list(actor=request.user), "new_token": new_token}
    return render(request, "accounts/tokens.html", context)


@require_POST
@allowed_if(can_use_api_tokens)
def token_revoke(request: HttpRequest, token_id: int) -> HttpResponse:
    try:
        token = services.api_token_revoke(actor=request.user, token_id=token_id)
    except DomainError as exc:
        if exc.status == 404:
            raise
        messages.error(request, str(exc.detail))
    else:
        messages.success(request, _("Token %(prefix)s… revoked.") % {"prefix": token.prefix})
    return redirect("accounts:tokens")


# --------------------------------------------------------------------------- administration


_SERVICE_DESK_PAGES: list[tuple[str, Any, Any, str]] = [
    (
        "tickets:manage_categories",
        gettext_lazy("Categories"),
        gettext_lazy("Problem categories and sub-categories"),
        "ti-category",
    ),
    (
        "tickets:manage_matrix",
        gettext_lazy("Priority matrix"),
        gettext_lazy("Urgency x impact -> priority"),
        "ti-grid-dots",
    ),
    (
        "tickets:manage_settings",
        gettext_lazy("Service desk settings"),
        gettext_lazy("Service desk behaviour"),
        "ti-adjustments",
    ),
    (
        "notifications:rules",
        gettext_lazy("Notification rules"),
        gettext_lazy("Who is told about which event, in the app and by email"),
        "ti-bell-cog",
    ),
    (
        "notifications:webhooks",
        gettext_lazy("Robot webhooks"),
        gettext_lazy("DingTalk, WeCom and Feishu group robots, generic JSON webhooks"),
        "ti-robot",
    ),
    (
        "notifications:deliveries",
        gettext_lazy("Delivery log"),
        gettext_lazy("Every email and webhook post, failures and retries"),
        "ti-send",
    ),
    (
        "mail:mailboxes",
        gettext_lazy("Mailboxes"),
        gettext_lazy("IMAP mailboxes that turn email into tickets"),
        "ti-mailbox",
    ),
    (
        "mail:inbound",
        gettext_lazy("Incoming mail"),
        gettext_lazy("Mail held for an agent and the quarantine"),
        "ti-mail-exclamation",
    ),
    (
        "jobs:list",
        gettext_lazy("Background jobs"),
        gettext_lazy("Recent task runs and failures"),
        "ti-cpu",
    ),
]


def _optional_url(name: str) -> str | None:
    # The service-desk pages live in the tickets app; the landing page must render without them.
    try:
        return reverse(name)
    except NoReverseMatch:
        return None


@allowed_if(can_administer)
def manage_home(request: HttpRequest) -> HttpResponse:
    """Landing page listing the administration areas the user may open."""
    user = request.user
    areas: list[dict[str, Any]] = []
    if can_manage_users(user=user):
        areas += [
            {"url": reverse("accounts:manage_users"), "title": _("Users"), "icon": "ti-users",
             "text": _("Staff and portal users, roles, superiors, passwords")},
            {"url": reverse("accounts:manage_roles"), "title": _("Roles"), "icon": "ti-shield-lock",
             "text": _("Named sets of permissions")},
            {"url": reverse("accounts:manage_teams"), "title": _("Teams"), "icon": "ti-users-group",
             "text": _("Groups tickets are dispatched to")},
        ]  # fmt: skip
    if has_perm(user=user, perm=Perm.CUSTOMER_VIEW) or has_perm(user=user, perm=Perm.CUSTOMER_MANAGE):
        url = _optional_url("customers:list")
        if url:
            areas.append({"url": url, "title": _("Customers"), "icon": "ti-building-hospital",
                          "text": _("Customers, sites, contacts, delivered systems")})  # fmt: skip
    if has_perm(user=user, perm=Perm.CONFIG_MANAGE):
        for name, title, text, icon in _SERVICE_DESK_PAGES:
            url = _optional_url(name)
            if url:
                areas.append({"url": url, "title": title, "icon": icon, "text": text})
    return render(request, "accounts/manage/home.html", {"areas": areas})


@allowed_if(can_manage_users)
def manage_users(request: HttpRequest) -> HttpResponse:
    form = UserFilterForm(request.GET or None)
    filters: dict[str, Any] = {"is_active": True}
    if form.is_valid():
        data = form.cleaned_data
        state = data.get("state") or "active"
        filters = {
            "q": data.get("q") or None,
            "kind": data.get("kind") or None,
            "role": data["role"].code if data.get("role") else None,
            "team": data["team"].code if data.get("team") else None,
            "is_active": {"active": True, "inactive": False}.get(state),
        }
    users = selectors.user_list(actor=request.user, **filters)
    page = Paginator(users, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "accounts/manage/users.html",
        {"filter_form": form, "page": page, "query": query.urlencode()},
    )


@allowed_if(can_manage_users)
def manage_user_create(request: HttpRequest) -> HttpResponse:
    form = UserCreateForm(request.POST or None, initial={"kind": request.GET.get("kind", UserKind.STAFF)})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user = services.user_create(
                actor=request.user,
                username=data["username"],
                kind=data["kind"],
                password=data["password"],
                display_name=data["display_name"],
                email=data["email"],
                phone=data["phone"],
                role_codes=[r.code for r in data["roles"]],
                team_codes=[t.code for t in data["teams"]],
                superior_id=data["superior"].pk if data["superior"] else None,
            )
        except DomainError as exc:
            add_domain_error(form, exc, field_map={"role_codes": "roles", "team_codes": "teams"})
        else:
            messages.success(request, _("User %(name)s created.") % {"name": user})
            return redirect("accounts:manage_user_edit", user_id=user.pk)
    return render(request, "accounts/manage/user_form.html", {"form": form, "target": None})


@allowed_if(can_manage_users)
def manage_user_edit(request: HttpRequest, user_id: int) -> HttpResponse:
    target = selectors.user_get(actor=request.user, user_id=user_id)
    initial = {
        "display_name": target.display_name,
        "email": target.email,
        "phone": target.phone,
        "time_zone": target.time_zone,
        "language": target.language,
        "roles": list(target.roles.all()),
        "teams": list(target.teams.all()),
        "superior": target.superior,
    }
    form = UserEditForm(request.POST or None, initial=initial, target=target)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        changes: services.UserChanges = {
            "display_name": data["display_name"],
            "email": data["email"],
            "phone": data["phone"],
            "time_zone": data["time_zone"],
            "language": data["language"],
            "role_codes": [r.code for r in data["roles"]],
        }
        if "teams" in form.fields:
            changes["team_codes"] = [t.code for t in data["teams"]]
            changes["superior_id"] = data["superior"].pk if data["superior"] else None
        try:
            services.user_update(actor=request.user, user_id=target.pk, changes=changes)
        except DomainError as exc:
            add_domain_error(form, exc, field_map={"role_codes": "roles", "team_codes": "teams"})
        else:
            messages.success(request, _("Changes saved."))
            return redirect("accounts:manage_user_edit", user_id=target.pk)
    context = {
        "form": form,
        "target": target,
        "password_form": PasswordResetForm(),
        "events": selectors.audit_events_for(
            actor=request.user, target_type="accounts.user", target_id=target.pk
        ),
    }
    return render(request, "accounts/manage/user_form.html", context)


@allowed_if(can_manage_users)
def manage_user_password(request: HttpRequest, user_id: int) -> HttpResponse:
    target = selectors.user_get(actor=request.user, user_id=user_id)
    form = PasswordResetForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.user_set_password(
                actor=request.user, user_id=target.pk, password=form.cleaned_data["password"]
            )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("Password changed."))
            return redirect("accounts:manage_user_edit", user_id=target.pk)
    return render(request, "accounts/manage/user_password.html", {"form": form, "target": target})


@require_POST
@allowed_if(can_manage_users)
def manage_user_active(request: HttpRequest, user_id: int) -> HttpResponse:
    """Deactivate (``active=0``) or reactivate (``active=1``) a user."""
    target = selectors.user_get(actor=request.user, user_id=user_id)
    activate = request.POST.get("active") == "1"
    try:
        services.user_set_active(actor=request.user, user_id=target.pk, is_active=activate)
    except DomainError as exc:
        messages.error(request, str(exc.detail))
    else:
        messages.success(request, _("User reactivated.") if activate else _("User deactivated."))
    return redirect("accounts:manage_user_edit", user_id=target.pk)


@allowed_if(can_manage_users)
def manage_roles(request: HttpRequest) -> HttpResponse:
    roles = selectors.role_list(actor=request.user)
    labels = dict(Perm.choices)
    rows = [
        {"role": role, "perm_labels": [labels.get(p, p) for p in role.permissions or []]} for role in roles
    ]
    return render(request, "accounts/manage/roles.html", {"rows": rows})


@allowed_if(can_manage_users)
def manage_role_create(request: HttpRequest) -> HttpResponse:
    form = RoleForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            role = services.role_create(
                actor=request.user,
                code=data["code"],
                name=data["name"],
                description=data["description"],
                permissions=data["permissions"],
                is_staff_role=data["is_staff_role"],
            )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("Role %(name)s created.") % {"name": role.name})
            return redirect("accounts:manage_roles")
    return render(request, "accounts/manage/role_form.html", {"form": form, "role": None})


@allowed_if(can_manage_users)
def manage_role_edit(request: HttpRequest, role_id: int) -> HttpResponse:
    role = selectors.role_get(actor=request.user, role_id=role_id)
    initial = {
        "code": role.code,
        "name": role.name,
        "description": role.description,
        "is_staff_role": role.is_staff_role,
        "permissions": role.permissions,
    }
    form = RoleForm(request.POST or None, initial=initial, role=role)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        changes: services.RoleChanges = {
            "code": data["code"],
            "name": data["name"],
            "description": data["description"],
            "permissions": data["permissions"],
            "is_staff_role": data["is_staff_role"],
        }
        try:
            services.role_update(actor=request.user, role_id=role.pk, changes=changes)
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("Changes saved."))
            return redirect("accounts:manage_roles")
    return render(request, "accounts/manage/role_form.html", {"form": form, "role": role})


@allowed_if(can_manage_users)
def manage_teams(request: HttpRequest) -> HttpResponse:
    teams = selectors.team_list(actor=request.user, include_inactive=True)
    return render(request, "accounts/manage/teams.html", {"teams": teams})


@allowed_if(can_manage_users)
def manage_team_create(request: HttpRequest) -> HttpResponse:
    form = TeamForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            team = services.team_create(
                actor=request.user,
                code=data["code"],
                name=data["name"],
                description=data["description"],
                lead_id=data["lead"].pk if data["lead"] else None,
                member_ids=[u.pk for u in data["members"]],
            )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("Team %(name)s created.") % {"name": team.name})
            return redirect("accounts:manage_teams")
    return render(request, "accounts/manage/team_form.html", {"form": form, "team": None})


@allowed_if(can_manage_users)
def manage_team_edit(request: HttpRequest, team_id: int) -> HttpResponse:
    team = selectors.team_get(actor=request.user, team_id=team_id)
    initial = {
        "code": team.code,
        "name": team.name,
        "description": team.description,
        "lead": team.lead,
        "members": list(team.members.all()),
        "is_active": team.is_active,
    }
    form = TeamForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        changes: services.TeamChanges = {
            "code": data["code"],
            "name": data["name"],
            "description": data["description"],
            "lead_id": data["lead"].pk if data["lead"] else None,
            "member_ids": [u.pk for u in data["members"]],
            "is_active": data["is_active"],
        }
        try:
            services.team_update(actor=request.user, team_id=team.pk, changes=changes)
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("Changes saved."))
            return redirect("accounts:manage_teams")
    return render(request, "accounts/manage/team_form.html", {"form": form, "team": team})
