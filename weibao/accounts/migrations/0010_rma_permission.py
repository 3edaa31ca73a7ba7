"""Grant the returns permission (issue 6) to the built-in roles that hold it in accounts.choices."""

from django.db import migrations

NEW = ("rma.manage",)


def grant(apps, schema_editor):
    from weibao.accounts.choices import BUILTIN_ROLES

    Role = apps.get_model("accounts", "Role")
    for role in Role.objects.filter(is_builtin=True, code__in=list(BUILTIN_ROLES)):
        wanted = [p for p in BUILTIN_ROLES[role.code][1] if p in NEW and p not in role.permissions]
        if wanted:
            role.permissions = sorted([*role.permissions, *wanted])
            role.save(update_fields=["permissions"])


class Migration(migrations.Migration):
    dependencies = [("accounts", "0009_tool_permissions")]
    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
