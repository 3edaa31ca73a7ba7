"""Seed the default SLA policy with its targets and escalation rules (weibao/sla/builtin.py)."""

from django.db import migrations


def seed(apps, schema_editor):
    from django.utils import translation

    from weibao.sla.builtin import (
        DEFAULT_ESCALATIONS,
        DEFAULT_POLICY,
        DEFAULT_POLICY_DESCRIPTION,
        DEFAULT_POLICY_NAME,
        DEFAULT_TARGETS,
    )

    Calendar = apps.get_model("calendars", "Calendar")
    Role = apps.get_model("accounts", "Role")
    SlaPolicy = apps.get_model("sla", "SlaPolicy")
    SlaTarget = apps.get_model("sla", "SlaTarget")
    EscalationRule = apps.get_model("sla", "EscalationRule")
    with translation.override("zh-hans"):
        policy, created = SlaPolicy.objects.get_or_create(
            code=DEFAULT_POLICY,
            defaults={
                "name": str(DEFAULT_POLICY_NAME),
                "description": str(DEFAULT_POLICY_DESCRIPTION),
                "is_default": True,
            },
        )
    if not created:
        return
    calendars = {c.slug: c for c in Calendar.objects.all()}
    for priority, kind, distance, mode, amount, calendar_slug in DEFAULT_TARGETS:
        SlaTarget.objects.create(
            policy=policy,
            priority=priority,
            kind=kind,
            distance_class=distance,
            mode=mode,
            minutes=amount if mode == "minutes" else None,
            days=amount if mode == "day_end" else None,
            calendar=calendars.get(calendar_slug) if calendar_slug else None,
        )
    roles = {r.code: r for r in Role.objects.all()}
    for trigger, value, assignee, team, superior, role_code in DEFAULT_ESCALATIONS:
        EscalationRule.objects.create(
            policy=policy,
            trigger=trigger,
            value=value,
            notify_assignee=assignee,
            notify_team=team,
            notify_superior=superior,
            notify_role=roles.get(role_code) if role_code else None,
        )


class Migration(migrations.Migration):
    dependencies = [
        ("sla", "0001_initial"),
        ("calendars", "0002_seed_calendars"),
        ("accounts", "0002_seed_roles"),
    ]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
