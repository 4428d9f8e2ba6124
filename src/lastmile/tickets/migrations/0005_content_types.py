"""The app was called "tasks" (ADR 0008): its content types become "tickets".

The rows keep their ids, so object permissions, auth_permission rows, history
and admin-log rows that point at them keep pointing at the same models.  A
model that already has a "tickets" row (only if something created one before
this ran) keeps both; nothing is deleted, and the console says so.
"""

from django.db import migrations

OLD, NEW = "tasks", "tickets"


def rename_content_types(apps, schema_editor):  # type: ignore[no-untyped-def]
    ContentType = apps.get_model("contenttypes", "ContentType")
    taken = set(ContentType.objects.filter(app_label=NEW).values_list("model", flat=True))
    for row in ContentType.objects.filter(app_label=OLD):
        if row.model in taken:
            print(f"  content type {OLD}.{row.model} kept: {NEW}.{row.model} exists already")
            continue
        row.app_label = NEW
        row.save(update_fields=["app_label"])


def restore_content_types(apps, schema_editor):  # type: ignore[no-untyped-def]
    ContentType = apps.get_model("contenttypes", "ContentType")
    taken = set(ContentType.objects.filter(app_label=OLD).values_list("model", flat=True))
    ContentType.objects.filter(app_label=NEW).exclude(model__in=taken).update(app_label=OLD)


class Migration(migrations.Migration):
    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("tickets", "0004_renamed_triggers"),
    ]

    operations = [migrations.RunPython(rename_content_types, restore_content_types)]
