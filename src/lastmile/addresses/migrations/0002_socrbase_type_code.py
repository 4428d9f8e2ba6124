"""The SOCRBASE type code of each address object (sorm-format.md §3.3),
filled for the objects already in the registry from their level and type
short name (lastmile.addresses.socrbase)."""

from django.db import migrations, models


def fill_codes(apps, schema_editor):  # type: ignore[no-untyped-def]
    from lastmile.addresses import socrbase

    address = apps.get_model("addresses", "AddressObject")
    pairs = (
        address.objects.filter(type_code__isnull=True, level__in=list(socrbase.LEVELS))
        .values_list("level", "type_short")
        .distinct()
    )
    for level, short in list(pairs):
        found = socrbase.lookup(level, short)
        if found is not None:
            address.objects.filter(
                type_code__isnull=True, level=level, type_short=short
            ).update(type_code=found.code)


class Migration(migrations.Migration):
    dependencies = [
        ("addresses", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="addressobject",
            name="type_code",
            field=models.PositiveSmallIntegerField(
                blank=True, null=True, verbose_name="SOCRBASE type code"
            ),
        ),
        migrations.RunPython(fill_codes, migrations.RunPython.noop),
    ]
