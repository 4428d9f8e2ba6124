"""The accounting write path, measured in bench/aaa.py (docs/benchmarks.md):

- sessions lose their database foreign keys (each Accounting-Start locked a
  customer row) and the two single-column FK indexes the composite indexes
  already cover;
- no index on ``updated_at``, and fillfactor 50, so an Interim-Update is a
  HOT update (no index entries written) and a Stop's new row version stays
  on its page (measured: interim +18 %, stop +8 % over fillfactor 80; the
  price is a session table about twice as large);
- a lease no longer records the accounting session id (it cost a lease
  write per Start; the session is found by address).
"""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("customers", "0002_customer_search"),
        ("network", "0002_aaa_notify"),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="session",
            name="session_open_age",
        ),
        migrations.RemoveField(
            model_name="lease",
            name="acct_session_id",
        ),
        migrations.AlterField(
            model_name="session",
            name="customer",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="sessions",
                to="customers.customer",
                verbose_name="customer",
            ),
        ),
        migrations.AlterField(
            model_name="session",
            name="nas",
            field=models.ForeignKey(
                db_constraint=False,
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="network.nas",
                verbose_name="NAS",
            ),
        ),
        migrations.RunSQL(
            "ALTER TABLE network_session SET (fillfactor = 50)",
            "ALTER TABLE network_session RESET (fillfactor)",
        ),
    ]
