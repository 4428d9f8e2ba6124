"""Demo contracts: each demo customer's number as its main contract, a
document template, and one legal entity with two branches."""

from __future__ import annotations

import importlib

from django.db import connection, transaction

from lastmile.contracts import documents, services
from lastmile.contracts.models import Contract, ContractKind, DocumentTemplate
from lastmile.customers.models import Customer
from lastmile.parties import services as parties
from lastmile.parties.errors import PartiesError
from lastmile.parties.models import LegalEntity

DEMO_INN = "7707083893"


@transaction.atomic
def load_demo(*, customers: int, seed: int) -> list[str]:
    migration = importlib.import_module(
        "lastmile.contracts.migrations.0002_main_contracts_from_customers"
    )
    with connection.cursor() as cursor:
        cursor.execute(migration.FORWARD)  # idempotent
    if not DocumentTemplate.objects.exists():
        documents.save_template(
            name="Договор на оказание услуг связи", body=documents.DEFAULT_BODY, kind="main"
        )
    summary = [f"contracts: {Contract.objects.filter(kind=ContractKind.MAIN).count()} main"]
    entity = LegalEntity.objects.filter(inn=DEMO_INN).first()
    branches = list(Customer.objects.filter(is_active=True).order_by("-pk")[:2])
    if entity is None and len(branches) == 2:
        summary += _legal_entity(branches)
    return summary


def _legal_entity(branches: list[Customer]) -> list[str]:
    first = Contract.objects.main_for(branches[0])
    if first is None:
        return []
    entity = parties.create_legal_entity(
        full_name="Общество с ограниченной ответственностью «Ромашка»",
        short_name="ООО «Ромашка»",
        inn=DEMO_INN,
        kpp="773601001",
        ogrn="1027700132195",
        bank_name="ПАО Сбербанк",
        bik="044525225",
        account="40702814400000000001",
        correspondent_account="30101810400000000225",
        legal_address_text="г Москва, ул Ленина, д. 1",
        responsible_last_name="Иванов",
        responsible_first_name="Иван",
        responsible_patronymic="Иванович",
        responsible_position="директор",
    )
    services.create_contract(
        number="ЮЛ-0001", starts_on=first.starts_on, legal_entity=entity, state="active"
    )
    attached = 0
    for customer in branches:
        try:
            parties.attach_branch(customer=customer, legal_entity=entity, name=f"Офис {customer}")
            attached += 1
        except PartiesError:
            continue
    return [f"legal entity {entity.short_name} with {attached} branches"]
