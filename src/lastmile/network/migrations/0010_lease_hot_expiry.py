"""Lease expiry changes written in place (HOT).

Every Accounting-Stop shortens its lease to the hold time and every re-auth
moves ``expires_at`` forward.  With ``expires_at`` in an index and full pages,
each of those was a new row version inserted into all ten indexes of the
table: measured on 10,000 Stops, 1,479 WAL bytes per Stop before and 796
after (bench/aaa.py, lastmile side).  Without the index, and with room left
on each page (fillfactor 70; new leases fill pages to 70 %), the update stays
on its page and touches no index.  The expiry sweep
(``network.services.expire_dynamic_leases``) finds the active dynamic leases through
the partial ``lease_active_pool`` index instead.
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("network", "0009_binding_device_port")]

    operations = [
        migrations.RemoveIndex(model_name="lease", name="lease_dynamic_expiry"),
        migrations.RunSQL(
            "ALTER TABLE network_lease SET (fillfactor = 70)",
            "ALTER TABLE network_lease RESET (fillfactor)",
        ),
    ]
