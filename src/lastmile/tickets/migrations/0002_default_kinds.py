from django.db import migrations

DEFAULT_KINDS = [
    ("repair", "Repair", 10, True),
    ("connection", "Connection", 20, True),
    ("dismantling", "Dismantling", 30, False),
    ("other", "Other", 90, False),
]


def create_kinds(apps, schema_editor):
    TicketKind = apps.get_model("tickets", "TicketKind")
    for code, name, position, notify in DEFAULT_KINDS:
        TicketKind.objects.get_or_create(
            code=code,
            defaults={"name": name, "position": position, "notify_customer_on_finish": notify},
        )


class Migration(migrations.Migration):
    replaces = [("tasks", "0002_default_kinds")]  # the app was "tasks" (ADR 0008)
    dependencies = [("tickets", "0001_initial")]
    operations = [migrations.RunPython(create_kinds, migrations.RunPython.noop)]
