from django.db import migrations

from lastmile.subscriptions.periods import PERIOD_BOUNDARY_SQL


class Migration(migrations.Migration):
    """The billing run's period arithmetic as a SQL function (same rule as
    lastmile.subscriptions.periods.period_boundary)."""

    dependencies = [("subscriptions", "0001_initial")]

    operations = [
        migrations.RunSQL(
            PERIOD_BOUNDARY_SQL,
            reverse_sql="DROP FUNCTION IF EXISTS lastmile_period_boundary(timestamptz, integer, text, integer, text);",
        )
    ]
