from django.db import migrations


def create(apps, schema_editor):
    from weibao.core.counters import create_counter_sequence

    create_counter_sequence(schema_editor=schema_editor, name="work_order", start=1)
    create_counter_sequence(schema_editor=schema_editor, name="equipment_receipt", start=1)


def drop(apps, schema_editor):
    from weibao.core.counters import drop_counter_sequence

    drop_counter_sequence(schema_editor=schema_editor, name="work_order")
    drop_counter_sequence(schema_editor=schema_editor, name="equipment_receipt")


class Migration(migrations.Migration):
    dependencies = [("fieldservice", "0001_initial"), ("core", "0001_initial")]
    operations = [migrations.RunPython(create, drop)]
