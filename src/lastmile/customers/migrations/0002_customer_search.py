# Trigram search over a customer's login, contract, name, phones and address.
# Hand-edited: the extension and the IMMUTABLE function must exist before the
# expression index (see lastmile.customers.models.CustomerSearchText).

import django.contrib.postgres.indexes
from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations

import lastmile.customers.models

CREATE_FUNCTION = """
CREATE OR REPLACE FUNCTION customer_search_text(
    login text, contract_number text, full_name text, phones text[],
    locality text, street text, house text, apartment text
) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
    SELECT lower(
        coalesce(login, '') || ' ' || coalesce(contract_number, '') || ' '
        || coalesce(full_name, '') || ' ' || coalesce(array_to_string(phones, ' '), '') || ' '
        || coalesce(locality, '') || ' ' || coalesce(street, '') || ' '
        || coalesce(house, '') || ' ' || coalesce(apartment, '')
    )
$$;
"""


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0001_initial'),
        ('customers', '0001_initial'),
    ]

    operations = [
        TrigramExtension(),
        migrations.RunSQL(
            CREATE_FUNCTION,
            reverse_sql="DROP FUNCTION IF EXISTS customer_search_text(text, text, text, text[], text, text, text, text);",
        ),
        migrations.AddIndex(
            model_name='customer',
            index=django.contrib.postgres.indexes.GinIndex(django.contrib.postgres.indexes.OpClass(lastmile.customers.models.CustomerSearchText(), name='gin_trgm_ops'), name='customer_search_trgm'),
        ),
    ]
