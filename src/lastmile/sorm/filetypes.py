"""The registry of SORM file types: each an explicit ordered column schema
(sorm-format.md §3).  Column names follow the predecessor's serializers so
the two can be compared; the order here is the order on disk.

Stages give the delivery order: dictionaries (0) → subscribers (1) →
services (2) → payments (3) → AAA (4), so the receiver never gets a row
that refers to something it has not seen.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from lastmile.sorm.formats import Column, FileType, reserved

ABONENTS = "ISP/abonents"
DICT = "ISP/dict"
AAA_DIR = "ISP/aaa"

DICTIONARIES, SUBSCRIBERS, SERVICES, PAYMENTS, AAA_STAGE = range(5)


def _address_block(prefix: str, *, required_street: bool) -> tuple[Column, ...]:
    """The 11 columns a legal-entity address takes (jur_v5 4-14, 18-28, 29-39)."""
    return (
        Column(f"{prefix}post_index", "digits", max_length=6),
        Column(f"{prefix}office", max_length=32),
        reserved(f"{prefix}ao_id"),
        Column(f"{prefix}parent_id_ao", required=required_street, max_length=128),
        reserved(f"{prefix}ao_type_id"),
        reserved(f"{prefix}ao_type"),
        reserved(f"{prefix}ao_title"),
        # Strings, not integers: "12A" (a letter) is a house (sorm-format.md §6.8).
        Column(f"{prefix}house", max_length=32),
        Column(f"{prefix}building", max_length=32),
        Column(f"{prefix}building_corpus", max_length=32),
        Column(f"{prefix}full_description", max_length=1024),
    )


FILE_TYPES: tuple[FileType, ...] = (
    # ---- dictionaries -------------------------------------------------------
    FileType(
        code="regions",
        title=_("Address objects"),
        base_name="regions",
        directory=ABONENTS,
        stage=DICTIONARIES,
        key=("address_id",),
        columns=(
            Column("address_id", required=True, max_length=128),
            Column("parent_id", max_length=128),
            Column("type_id", "int", required=True),
            Column("region_type", required=True, max_length=128),
            Column("title", required=True, max_length=128),
            reserved("home"),
            reserved("building"),
            reserved("korp"),
            Column("full_title", max_length=512),
        ),
    ),
    FileType(
        code="switches",
        title=_("Switches"),
        base_name="switches",
        directory=ABONENTS,
        stage=DICTIONARIES,
        key=("title",),
        columns=(
            Column("title", required=True, max_length=128),
            Column("switch_type", required=True),
            Column("network_type", required=True),
            Column("description", required=True, max_length=256),
            Column("place", required=True, max_length=1024),
            reserved("telephone_identifier"),
            Column("start_usage_time", "datetime", required=True),
            Column("end_usage_time", "datetime"),
        ),
    ),
    FileType(
        code="ip_numbering",
        title=_("IP numbering plan"),
        base_name="ip_numbering",
        directory=DICT,
        stage=DICTIONARIES,
        key=("ip_net",),
        columns=(
            Column("ip_net", "cidr", required=True),
            Column("descr", required=True, max_length=256),
            Column("start_usage_time", "datetime", required=True),
            Column("end_usage_time", "datetime"),
        ),
    ),
    FileType(
        code="gateways",
        title=_("Gateways"),
        base_name="gateways_v1",
        directory=DICT,
        stage=DICTIONARIES,
        key=("gw_id",),
        columns=(
            Column("gw_id", "int", required=True),
            Column("gw_type", required=True),
            Column("descr", required=True, max_length=256),
            Column("gw_addr", required=True, max_length=1024),
            Column("start_use_time", "datetime", required=True),
            Column("deactivate_time", "datetime"),
            Column("ip_addrs", required=True, max_length=1024),
        ),
    ),
    FileType(
        code="special_numbers",
        title=_("Special numbers"),
        base_name="special_numbers",
        directory=DICT,
        stage=DICTIONARIES,
        transfer_mode="binary",
        key=("tel_number",),
        columns=(
            Column("tel_number", "digits", required=True, max_length=32),
            Column("ip_address", "ip"),
            Column("description", required=True, max_length=256),
            Column("start_time", "datetime", required=True),
            Column("end_time", "datetime"),
        ),
    ),
    FileType(
        code="service_list",
        title=_("Service list (tariffs)"),
        base_name="service_list_v1",
        directory=ABONENTS,
        stage=DICTIONARIES,
        key=("service_id",),
        columns=(
            Column("service_id", "int", required=True),
            Column("mnemonic", required=True, max_length=64),
            Column("description", max_length=256),
            Column("begin_time", "date", required=True),
            Column("end_time", "date"),
            Column("operator_type_id", required=True),
        ),
    ),
    # ---- subscribers ---------------------------------------------------------
    FileType(
        code="abonents",
        title=_("Subscribers"),
        base_name="abonents_v1",
        directory=ABONENTS,
        stage=SUBSCRIBERS,
        key=("customer_id",),
        columns=(
            Column("customer_id", required=True, max_length=64),
            Column("legal_customer_id", required=True, max_length=64),
            Column("contract_start_date", "date", required=True),
            Column("customer_login", required=True, max_length=256),
            reserved("customer_state"),
            Column("communication_standard", "int", required=True),
        ),
    ),
    FileType(
        code="contracts",
        title=_("Contracts"),
        base_name="contracts",
        directory=ABONENTS,
        stage=SUBSCRIBERS,
        key=("contract_id",),
        columns=(
            Column("contract_id", required=True, max_length=64),
            Column("customer_id", required=True, max_length=64),
            reserved("contract_status"),
            Column("contract_start_date", "date", required=True),
            Column("contract_end_date", "date"),
            Column("contract_number", required=True, max_length=64),
            Column("contract_title", max_length=256),
        ),
    ),
    FileType(
        code="fiz",
        title=_("Individuals"),
        base_name="fiz_v2",
        directory=ABONENTS,
        stage=SUBSCRIBERS,
        key=("contract_id", "customer_id"),
        columns=(
            Column("contract_id", required=True, max_length=64),
            Column("name", required=True, max_length=256),
            Column("last_name", max_length=256),
            Column("surname", max_length=256),
            Column("birthday", "date"),
            Column("document_type"),
            Column("document_serial", max_length=16),
            Column("document_number", "digits", max_length=16),
            Column("document_distributor", max_length=512),
            Column("passport_code", max_length=16),
            Column("passport_date", "date"),
            reserved("reserved"),
            Column("house", max_length=32),
            reserved("ao_id"),
            Column("parent_id_ao", required=True, max_length=128),
            reserved("ao_type_id"),
            reserved("ao_type"),
            reserved("ao_title"),
            Column("house_num", max_length=32),
            Column("building", max_length=32),
            Column("building_corpus", max_length=32),
            Column("full_description", max_length=1024),
            Column("actual_start_time", "datetime", required=True),
            Column("actual_end_time", "datetime"),
            Column("customer_id", required=True, max_length=64),
        ),
    ),
    FileType(
        code="jur",
        title=_("Legal entities"),
        base_name="jur_v5",
        directory=ABONENTS,
        stage=SUBSCRIBERS,
        key=("legal_id", "customer_id"),
        columns=(
            Column("legal_id", required=True, max_length=64),
            Column("legal_title", required=True, max_length=256),
            Column("inn", "digits", max_length=32),
            *_address_block("", required_street=True),
            Column("customer_bank", max_length=256),
            Column("customer_bank_num", max_length=30),
            Column("contact_telephones", max_length=128),
            *_address_block("post_", required_street=True),
            *_address_block("delivery_", required_street=True),
            Column("actual_start_time", "datetime", required=True),
            Column("actual_end_time", "datetime"),
            Column("customer_id", required=True, max_length=64),
        ),
    ),
    FileType(
        code="ap",
        title=_("Access points"),
        base_name="ap_region_v1",
        directory=ABONENTS,
        stage=SUBSCRIBERS,
        key=("ap_id", "customer_id"),
        columns=(
            Column("ap_id", required=True, max_length=128),
            Column("customer_id", required=True, max_length=64),
            Column("house", required=True, max_length=32),
            Column("full_address", max_length=512),
            reserved("internal_address"),
            reserved("id_ao"),
            Column("parent_id_ao", required=True, max_length=128),
            reserved("type_id"),
            reserved("type_ao"),
            reserved("title"),
            Column("house_num", max_length=32),
            Column("building", max_length=32),
            Column("building_corpus", max_length=32),
            Column("full_description", max_length=1024),
            Column("actual_start_time", "datetime", required=True),
            Column("actual_end_time", "datetime"),
        ),
    ),
    FileType(
        code="contacts",
        title=_("Contacts"),
        base_name="contact_phones_v1",
        directory=ABONENTS,
        stage=SUBSCRIBERS,
        key=("customer_id", "contact"),
        columns=(
            Column("customer_id", required=True, max_length=64),
            Column("contact", required=True, max_length=128),
            reserved("customer_status"),
            Column("actual_start_time", "datetime", required=True),
            Column("actual_end_time", "datetime"),
        ),
    ),
    FileType(
        code="ip_nets",
        title=_("Static IP addresses"),
        base_name="ip_nets_v1",
        directory=ABONENTS,
        stage=SUBSCRIBERS,
        key=("customer_id", "ip_addr"),
        columns=(
            reserved("ap_id"),
            Column("customer_id", required=True, max_length=64),
            Column("ip_addr", "ip", required=True),
            Column("ip_addr_type", "int", required=True),
            Column("assign_time", "datetime", required=True),
            Column("dead_time", "datetime"),
            Column("mac_addr", "mac"),
        ),
    ),
    FileType(
        code="lease_binds",
        title=_("Lease binds (login to addresses)"),
        base_name="customer_ip_binds",
        directory="",
        stage=SUBSCRIBERS,
        quoted=False,
        timestamped=False,
        key=("login",),
        columns=(
            Column("login", required=True, max_length=256),
            Column("ips", required=True),
        ),
    ),
    # ---- services -------------------------------------------------------------
    FileType(
        code="services",
        title=_("Customer services"),
        base_name="services",
        directory=ABONENTS,
        stage=SERVICES,
        key=("service_id", "idents", "begin_time"),
        columns=(
            Column("service_id", "int", required=True),
            Column("idents", required=True, max_length=128),
            reserved("personal_account_id"),
            Column("ap_id", max_length=128),
            Column("contract_id", max_length=64),
            Column("parameter", required=True, max_length=256),
            Column("begin_time", "datetime", required=True),
            Column("end_time", "datetime"),
        ),
    ),
    # ---- payments ---------------------------------------------------------------
    FileType(
        code="payments",
        title=_("Payments"),
        base_name="payments_v1",
        directory=ABONENTS,
        stage=PAYMENTS,
        key=("customer_id", "pay_time"),
        columns=(
            Column("customer_id", required=True, max_length=64),
            reserved("customer_code"),
            Column("pay_time", "datetime", required=True),
            Column("amount", "decimal6", required=True),
            Column("pay_description", required=True, max_length=256),
            Column("pay_params", max_length=512),
        ),
    ),
    # ---- AAA ----------------------------------------------------------------------
    FileType(
        code="aaa",
        title=_("AAA log"),
        base_name="aaa_v1",
        directory=AAA_DIR,
        stage=AAA_STAGE,
        transfer_mode="binary",
        key=("session_id", "event_type"),
        columns=(
            Column("event_time", "datetime_utc", required=True),
            Column("event_type", "int", required=True),
            Column("session_id", required=True, max_length=128),
            Column("customer_ip", "ip"),
            Column("customer_db_username", required=True, max_length=256),
            Column("connection_type", "int", required=True),
            reserved("input_telephone_number"),
            reserved("output_telephone_number"),
            Column("nas_ip_addr", "ip", required=True),
            Column("nas_port", "int", required=True),
            Column("input_octets", "int", required=True),
            Column("output_octets", "int", required=True),
            reserved("customer_password"),
            Column("customer_device_mac", "mac"),
            reserved("apn_string"),
            Column("device_point_id", "int", required=True),
        ),
    ),
)

REGISTRY: dict[str, FileType] = {ft.code: ft for ft in FILE_TYPES}


def ordered() -> list[FileType]:
    """File types in delivery order (stage, then the registry's order)."""
    return sorted(FILE_TYPES, key=lambda ft: ft.stage)
