"""Each customer's ``contract_number`` becomes its main contract (one SQL pass,
so 100,000 customers take seconds; a repeat adds nothing: the demo loader
reuses it).  A disabled customer's contract is
terminated on the day the customer was last changed: the subscriber is gone."""

from django.db import migrations

FORWARD = """
INSERT INTO contracts_contract
    (number, site_id, customer_id, kind, state, title, signed_on, starts_on, ends_on,
     created_at, updated_at)
SELECT c.contract_number, c.site_id, c.id, 'main',
       CASE WHEN c.is_active THEN 'active' ELSE 'terminated' END,
       '', c.created_at::date, c.created_at::date,
       CASE WHEN c.is_active THEN NULL ELSE GREATEST(c.created_at, c.updated_at)::date END,
       statement_timestamp(), statement_timestamp()
FROM customers_customer c
WHERE c.contract_number <> ''
ON CONFLICT DO NOTHING;
INSERT INTO contracts_contractevent (contract_id, from_state, to_state, on_date, at, reason)
SELECT k.id, '', k.state, COALESCE(k.ends_on, k.starts_on), statement_timestamp(),
       'migrated from the customer''s contract number'
FROM contracts_contract k
WHERE k.customer_id IS NOT NULL
  AND NOT EXISTS (SELECT 1 FROM contracts_contractevent e WHERE e.contract_id = k.id);
"""


class Migration(migrations.Migration):
    dependencies = [
        ("contracts", "0001_initial"),
        ("customers", "0004_customer_kind_address_object"),
    ]

    operations = [migrations.RunSQL(FORWARD, reverse_sql=migrations.RunSQL.noop)]
