"""The default rules grid: who hears of what out of the box (administrators change it on /notifications/rules/)."""

from django.db import migrations

# event -> {audience: (in_app, email)}
DEFAULT_RULES = {
    "ticket_created": {"team": (True, False), "contact": (False, True)},
    "ticket_assigned": {"assignee": (True, True)},
    "customer_replied": {"assignee": (True, True), "watchers": (True, False)},
    "agent_replied": {"contact": (False, True)},
    "pending_too_long": {"assignee": (True, True)},
    "sla_warning": {"assignee": (True, True)},
    "sla_breach": {"assignee": (True, True), "service_managers": (True, True)},
    "resolved": {"contact": (False, True), "watchers": (True, False)},
    "verified": {"contact": (False, True)},
    "closed": {"contact": (False, True), "assignee": (True, False)},
    "rated_low": {"assignee": (True, False), "service_managers": (True, True)},
}


def seed(apps, schema_editor):
    Rule = apps.get_model("notifications", "NotificationRule")
    for event, cells in DEFAULT_RULES.items():
        for audience, (in_app, email) in cells.items():
            Rule.objects.get_or_create(event=event, audience=audience, defaults={"in_app": in_app, "email": email})


class Migration(migrations.Migration):
    dependencies = [("notifications", "0002_channels_rules_deliveries")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
