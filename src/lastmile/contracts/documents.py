"""Contract documents: staff-edited templates, preview, PDF with its SHA-256.

A template is Django template text (HTML).  ``document_context`` fills every
field the project knows; staff see the list of names on the editor page
(``CONTEXT_HELP``).  Passport fields are filled only for staff who may view
passports; for others they stay empty.
"""

from __future__ import annotations

import hashlib
from typing import Any

import structlog
from django.conf import settings
from django.db import transaction
from django.template import Context, Engine, TemplateSyntaxError
from django.utils import timezone
from django.utils.translation import gettext as _

from lastmile.contracts.models import Contract, ContractDocument, DocumentTemplate
from lastmile.parties.errors import InvalidValue, NotAllowed
from lastmile.parties.models import Branch, IndividualDetails

log = structlog.get_logger(__name__)

#: A separate engine: the built-in tags and filters, no template loaders (no
#: {% include %} of project templates) and no project tag libraries.
_ENGINE = Engine(autoescape=True, libraries={})

#: Variable names a template can use (shown on the editor page).
CONTEXT_HELP = (
    "contract.number, contract.title, contract.kind, contract.signed_on, "
    "contract.starts_on, contract.ends_on, contract.state",
    "customer.login, customer.full_name, customer.phones, customer.email, customer.address",
    "person.last_name, person.first_name, person.patronymic, person.full_name, "
    "person.registration_address",
    "passport.series, passport.number, passport.issued_by, passport.issued_on, "
    "passport.unit_code, passport.birth_date",
    "legal.full_name, legal.short_name, legal.inn, legal.kpp, legal.ogrn, legal.bank_name, "
    "legal.bik, legal.account, legal.correspondent_account, legal.legal_address, "
    "legal.actual_address, legal.postal_address, legal.responsible_name, "
    "legal.responsible_position, branch.name",
    "address.full, address.postcode",
    "tariff.name, tariff.price, tariff.speed",
    "isp.name, isp.full_name, isp.inn, isp.kpp, isp.ogrn, isp.address, isp.bank_name, "
    "isp.bik, isp.account, isp.correspondent_account, isp.phone, isp.email, isp.license, "
    "isp.signatory",
    "today",
)

DEFAULT_BODY = """<h1>{{ contract.title }} № {{ contract.number }}</h1>
<p>{{ isp.address }}, {{ contract.signed_on|date:"d.m.Y" }}</p>
<p>{{ isp.full_name|default:isp.name }} (ИНН {{ isp.inn }}), далее «Оператор», в лице
{{ isp.signatory }}, и
{% if legal %}{{ legal.full_name }} (ИНН {{ legal.inn }}, КПП {{ legal.kpp }},
ОГРН {{ legal.ogrn }}) в лице {{ legal.responsible_position }}
{{ legal.responsible_name }}{% else %}{{ person.full_name|default:customer.full_name }},
паспорт {{ passport.series }} {{ passport.number }}, выдан {{ passport.issued_by }}
{{ passport.issued_on|date:"d.m.Y" }}, код подразделения {{ passport.unit_code }}{% endif %},
далее «Абонент», заключили настоящий договор.</p>
<p>Адрес оказания услуг: {{ address.full }}.</p>
<p>Тариф: {{ tariff.name }}, {{ tariff.price }} руб.</p>
<p>Договор действует с {{ contract.starts_on|date:"d.m.Y" }}.</p>
<table><tr><td>Оператор: {{ isp.name }}<br>ИНН {{ isp.inn }} КПП {{ isp.kpp }}<br>
р/с {{ isp.account }} в {{ isp.bank_name }}<br>БИК {{ isp.bik }} к/с
{{ isp.correspondent_account }}</td>
<td>Абонент: {% if legal %}{{ legal.short_name }}<br>р/с {{ legal.account }}
БИК {{ legal.bik }}{% else %}{{ customer.full_name }}{% endif %}<br>
Логин: {{ customer.login }}</td></tr></table>
"""

PAGE = """<!doctype html><html lang="ru"><head><meta charset="utf-8">
<style>@page {{ size: A4; margin: 20mm; }} body {{ font-family: sans-serif; font-size: 11pt; }}
table {{ width: 100%; border-collapse: collapse; }} td {{ vertical-align: top; padding: 4pt; }}
</style></head><body>{body}</body></html>"""


def compile_template(body: str) -> Any:
    """The compiled template, or InvalidValue saying what is wrong."""
    try:
        return _ENGINE.from_string(body)
    except TemplateSyntaxError as exc:
        raise InvalidValue(
            _("The template has an error: %(error)s") % {"error": exc}, field="body"
        ) from exc


def _address_text(obj: Any, text: str = "") -> str:
    return obj.full_name() if obj is not None else text


def _isp() -> dict[str, str]:
    conf = settings.LASTMILE
    names = [
        "name",
        "full_name",
        "inn",
        "kpp",
        "ogrn",
        "address",
        "bank_name",
        "bik",
        "account",
        "correspondent_account",
        "phone",
        "email",
        "license",
        "signatory",
    ]
    return {name: str(getattr(conf, f"isp_{name}", "")) for name in names}


def _tariff(customer: Any) -> dict[str, Any]:
    from lastmile.subscriptions.models import Subscription, SubscriptionState

    sub = (
        Subscription.objects.filter(customer=customer, state=SubscriptionState.ACTIVE)
        .select_related("tariff")
        .order_by("-created_at")
        .first()
    )
    if sub is None:
        return {"name": "", "price": "", "speed": ""}
    tariff = sub.tariff
    return {"name": tariff.name, "price": sub.price, "speed": tariff.rate_down_kbps}


def _legal(entity: Any) -> dict[str, Any]:
    return {
        **{
            name: getattr(entity, name)
            for name in [
                "full_name",
                "short_name",
                "inn",
                "kpp",
                "ogrn",
                "bank_name",
                "bik",
                "account",
                "correspondent_account",
                "responsible_position",
                "responsible_name",
                "phone",
                "email",
            ]
        },
        "legal_address": _address_text(*entity.legal()),
        "actual_address": _address_text(*entity.actual()),
        "postal_address": _address_text(*entity.postal()),
    }


def document_context(contract: Contract, *, actor: Any = None) -> dict[str, Any]:
    """Every field a contract document can use (see ``CONTEXT_HELP``)."""
    customer = contract.customer
    context: dict[str, Any] = {
        "contract": {
            "number": contract.number,
            "title": contract.title,
            "kind": contract.get_kind_display(),
            "state": contract.get_state_display(),
            "signed_on": contract.signed_on,
            "starts_on": contract.starts_on,
            "ends_on": contract.ends_on,
        },
        "isp": _isp(),
        "today": timezone.localdate(),
        "customer": {},
        "person": {},
        "passport": {},
        "legal": None,
        "branch": None,
        "address": {"full": "", "postcode": ""},
        "tariff": {"name": "", "price": "", "speed": ""},
    }
    entity = contract.legal_entity
    if customer is not None:
        context["customer"] = {
            "login": customer.login,
            "full_name": customer.full_name,
            "phones": ", ".join(customer.phones),
            "email": customer.email,
            "address": customer.address,
        }
        point = contract.access_point()
        context["address"] = {
            "full": point.full_name() if point is not None else customer.address,
            "postcode": _postcode(point),
        }
        context["tariff"] = _tariff(customer)
        context.update(_person(customer, actor))
        branch = Branch.objects.filter(customer=customer).select_related("legal_entity").first()
        if branch is not None:
            entity = branch.legal_entity
            context["branch"] = {"name": branch.name}
    if entity is not None:
        context["legal"] = _legal(entity)
        if customer is None:
            context["address"] = {"full": context["legal"]["actual_address"], "postcode": ""}
    return context


def _postcode(point: Any) -> str:
    node = point
    while node is not None:
        if node.postcode:
            return str(node.postcode)
        node = node.parent
    return ""


def _person(customer: Any, actor: Any) -> dict[str, Any]:
    details = IndividualDetails.objects.filter(customer=customer).first()
    if details is None:
        return {}
    person = {
        "last_name": details.last_name,
        "first_name": details.first_name,
        "patronymic": details.patronymic,
        "full_name": str(details) or customer.full_name,
        "registration_address": _address_text(
            details.registration_address, details.registration_address_text
        ),
    }
    may_see = actor is None or (
        IndividualDetails.objects.restrict(actor, "view").filter(pk=details.pk).exists()
    )
    passport = details.passport.__dict__ if may_see else {}
    return {"person": person, "passport": passport}


def render_body(body: str, contract: Contract, *, actor: Any = None) -> str:
    """The filled template (the preview shows this inside the page)."""
    template = compile_template(body)
    return str(template.render(Context(document_context(contract, actor=actor))))


def render_html(body: str, contract: Contract, *, actor: Any = None) -> str:
    """The filled template as a whole HTML page (what becomes the PDF)."""
    return PAGE.format(body=render_body(body, contract, actor=actor))


def render_pdf(html: str) -> bytes:
    from weasyprint import HTML

    return bytes(HTML(string=html).write_pdf())


@transaction.atomic
def create_document(
    *, contract: Contract, template: DocumentTemplate, actor: Any = None
) -> ContractDocument:
    """Render the template for the contract to PDF and store it with its SHA-256."""
    if actor is not None and not (
        Contract.objects.restrict(actor, "change").filter(pk=contract.pk).exists()
    ):
        raise NotAllowed(_("You are not allowed to save this object with these values."))
    html = render_html(template.body, contract, actor=actor)
    pdf = render_pdf(html)
    document = ContractDocument.objects.create(
        contract=contract,
        template=template,
        title=f"{contract.title} № {contract.number}",
        html=html,
        pdf=pdf,
        sha256=hashlib.sha256(pdf).hexdigest(),
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    log.info("contract.document_created", contract_id=contract.pk, document_id=document.pk)
    return document


@transaction.atomic
def save_template(
    *,
    name: str,
    body: str,
    kind: str,
    is_active: bool = True,
    template: DocumentTemplate | None = None,
    actor: Any = None,
) -> DocumentTemplate:
    """Create or change a template; a syntax error is refused with its message."""
    compile_template(body)
    name = name.strip()
    if not name:
        raise InvalidValue(_("This field is required."), field="name")
    clash = DocumentTemplate.objects.filter(name=name)
    if template is not None:
        clash = clash.exclude(pk=template.pk)
    if clash.exists():
        raise InvalidValue(_("A template with this name already exists."), field="name")
    template = template or DocumentTemplate()
    template.name, template.body, template.kind, template.is_active = name, body, kind, is_active
    template.save()
    if actor is not None and not (
        DocumentTemplate.objects.restrict(actor, "change").filter(pk=template.pk).exists()
    ):
        raise NotAllowed(_("You are not allowed to save this object with these values."))
    return template
