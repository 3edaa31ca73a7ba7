"""Ticket numbers come from a PostgreSQL sequence (weibao.core.counters); SQLite keeps the counter row."""

from django.db import migrations


def create(apps, schema_editor):
    from weibao.core.counters import create_counter_sequence

    create_counter_sequence(schema_editor=schema_editor, name="ticket", start=1001)


def drop(apps, schema_editor):
    from weibao.core.counters import drop_counter_sequence

    drop_counter_sequence(schema_editor=schema_editor, name="ticket")


class Migration(migrations.Migration):
    dependencies = [("tickets", "0003_ticket_search_index"), ("core", "0001_initial")]
    operations = [migrations.RunPython(create, drop)]
