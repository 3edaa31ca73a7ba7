"""Seed the built-in roles (REQUIREMENTS 'People'); administrators may edit them afterwards."""

from django.db import migrations


def seed_roles(apps, schema_editor):
    from django.utils import translation

    from weibao.accounts.choices import BUILTIN_ROLES

    Role = apps.get_model("accounts", "Role")
    # migrate deactivates translations; store the Chinese names explicitly (the default language).
    with translation.override("zh-hans"):
        for code, (name, perms, is_staff_role) in BUILTIN_ROLES.items():
            Role.objects.update_or_create(
                code=code,
                defaults={
                    "name": str(name),
                    "permissions": list(perms),
                    "is_staff_role": is_staff_role,
                    "is_builtin": True,
                },
            )


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_initial")]
    operations = [migrations.RunPython(seed_roles, migrations.RunPython.noop)]
