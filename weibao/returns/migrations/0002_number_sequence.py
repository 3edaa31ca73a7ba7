from django.db import migrations


def create(apps, schema_editor):
    from weibao.core.counters import create_counter_sequence

    create_counter_sequence(schema_editor=schema_editor, name="rma", start=1)


def drop(apps, schema_editor):
    from weibao.core.counters import drop_counter_sequence

    drop_counter_sequence(schema_editor=schema_editor, name="rma")


class Migration(migrations.Migration):
    dependencies = [("returns", "0001_initial"), ("core", "0001_initial")]
    operations = [migrations.RunPython(create, drop)]
