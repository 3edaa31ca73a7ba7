"""Seed the three report classes with sub-categories, the default matrix and the settings row."""

from django.db import migrations


def seed(apps, schema_editor):
    from django.utils import translation

    from weibao.tickets.builtin import BUILTIN_CATEGORIES, DEFAULT_MATRIX

    Category = apps.get_model("tickets", "Category")
    PriorityRule = apps.get_model("tickets", "PriorityRule")
    DeskSettings = apps.get_model("tickets", "DeskSettings")
    with translation.override("zh-hans"):
        for code, (kind, parent_code, label, order) in BUILTIN_CATEGORIES.items():
            parent = Category.objects.get(code=parent_code) if parent_code else None
            Category.objects.update_or_create(
                code=code, defaults={"kind": kind, "parent": parent, "name": str(label), "sort_order": order}
            )
    for (urgency, impact), priority in DEFAULT_MATRIX.items():
        PriorityRule.objects.update_or_create(urgency=urgency, impact=impact, defaults={"priority": priority})
    DeskSettings.objects.get_or_create(pk=1)


class Migration(migrations.Migration):
    dependencies = [("tickets", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
