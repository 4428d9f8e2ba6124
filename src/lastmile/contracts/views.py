"""Staff pages of contracts: list, detail with history and state changes,
documents (PDF download), the template editor with a preview."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from lastmile.accounts.permissions import has_model_permission
from lastmile.contracts import documents, services
from lastmile.contracts.filtersets import ContractFilter
from lastmile.contracts.forms import ContractForm, DocumentForm, StateForm, TemplateForm
from lastmile.contracts.models import (
    STATE_ACTIONS,
    Contract,
    ContractDocument,
    DocumentTemplate,
)
from lastmile.contracts.tables import ContractTable, TemplateTable
from lastmile.core.views import ObjectListView
from lastmile.customers.models import Customer
from lastmile.parties.errors import PartiesError
from lastmile.parties.models import LegalEntity


def _form_error(form: Any, exc: PartiesError) -> None:
    form.add_error(exc.field if exc.field in form.fields else None, str(exc))


class ContractListView(ObjectListView):
    queryset = Contract.objects.select_related("customer", "legal_entity")
    table = ContractTable
    filterset = ContractFilter
    title = gettext_lazy("contracts")


@login_required
def contract_add(request: HttpRequest) -> HttpResponse:
    """A new contract of ``?customer=<pk>`` or ``?legal=<pk>``."""
    if not has_model_permission(request.user, Contract, "add"):
        raise PermissionDenied
    customer = legal = None
    if request.GET.get("customer", "").isdigit():
        customer = get_object_or_404(
            Customer.objects.restrict(request.user, "change"), pk=request.GET["customer"]
        )
    elif request.GET.get("legal", "").isdigit():
        legal = get_object_or_404(
            LegalEntity.objects.restrict(request.user, "change"), pk=request.GET["legal"]
        )
    else:
        messages.error(request, _("Open “Add contract” from a customer or a legal entity."))
        return HttpResponseRedirect(reverse("contracts:contract_list"))
    form = ContractForm(
        request.POST or None, initial={"starts_on": timezone.localdate()}, user=request.user
    )
    if request.method == "POST" and form.is_valid():
        try:
            contract = services.create_contract(
                customer=customer, legal_entity=legal, actor=request.user, **form.cleaned_data
            )
        except PartiesError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("Saved: %(object)s") % {"object": contract})
            return HttpResponseRedirect(reverse("contracts:contract_detail", args=[contract.pk]))
    if request.method == "POST":
        messages.error(request, _("Please correct the errors below."))
    title = _("New contract of %(owner)s") % {"owner": customer or legal}
    return render(request, "core/object_edit.html", {"form": form, "title": title})


@login_required
def contract_detail(request: HttpRequest, pk: int) -> HttpResponse:
    contract = get_object_or_404(
        Contract.objects.restrict(request.user, "view").select_related("customer", "legal_entity"),
        pk=pk,
    )
    can_change = Contract.objects.restrict(request.user, "change").filter(pk=pk).exists()
    context = {
        "contract": contract,
        "events": contract.events.select_related("actor"),
        "documents": contract.documents.restrict(request.user, "view").defer("pdf", "html"),  # type: ignore[attr-defined]
        "next_states": [
            (state, STATE_ACTIONS[state])
            for state in ("active", "suspended", "terminated")
            if state in contract.allowed_states()
        ],
        "today": timezone.localdate(),
        "document_form": DocumentForm(),
        "can_change": can_change,
    }
    return render(request, "contracts/contract_detail.html", context)


@login_required
@require_POST
def contract_state(request: HttpRequest, pk: int) -> HttpResponse:
    contract = get_object_or_404(Contract.objects.restrict(request.user, "change"), pk=pk)
    form = StateForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Please correct the errors below."))
        return HttpResponseRedirect(reverse("contracts:contract_detail", args=[pk]))
    try:
        changed = services.change_state(actor=request.user, contract=contract, **form.cleaned_data)
    except PartiesError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("%(count)s contracts changed.") % {"count": len(changed)})
    return HttpResponseRedirect(reverse("contracts:contract_detail", args=[pk]))


@login_required
@require_POST
def document_create(request: HttpRequest, pk: int) -> HttpResponse:
    contract = get_object_or_404(Contract.objects.restrict(request.user, "change"), pk=pk)
    form = DocumentForm(request.POST)
    if form.is_valid():
        try:
            documents.create_document(
                contract=contract, template=form.cleaned_data["template"], actor=request.user
            )
        except PartiesError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("The document is ready."))
    else:
        messages.error(request, _("Choose a template."))
    return HttpResponseRedirect(reverse("contracts:contract_detail", args=[pk]))


@login_required
def document_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    visible = Contract.objects.restrict(request.user, "view")
    document = get_object_or_404(
        ContractDocument.objects.restrict(request.user, "view").filter(contract__in=visible), pk=pk
    )
    response = HttpResponse(bytes(document.pdf), content_type="application/pdf")
    response["Content-Disposition"] = (
        f'attachment; filename="contract-{document.contract_id}-{document.pk}.pdf"'
    )
    response["X-Content-SHA256"] = document.sha256
    return response


class TemplateListView(ObjectListView):
    queryset = DocumentTemplate.objects.all()
    table = TemplateTable
    title = gettext_lazy("document templates")
    add_url = "contracts:template_add"


def _preview_contract(request: HttpRequest, contract_id: int | None) -> Contract:
    visible = Contract.objects.restrict(request.user, "view")
    found = (
        visible.filter(pk=contract_id).first() if contract_id else visible.order_by("-pk").first()
    )
    return found or Contract(
        number="0000", starts_on=timezone.localdate(), title=services.DEFAULT_TITLE
    )


@login_required
def template_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    """Edit a template; "Preview" fills it with a contract's data without saving."""
    template = None
    if pk is not None:
        template = get_object_or_404(
            DocumentTemplate.objects.restrict(request.user, "change"), pk=pk
        )
    elif not has_model_permission(request.user, DocumentTemplate, "add"):
        raise PermissionDenied
    initial = (
        {
            "name": template.name,
            "kind": template.kind,
            "body": template.body,
            "is_active": template.is_active,
        }
        if template
        else {"body": documents.DEFAULT_BODY, "is_active": True}
    )
    form = TemplateForm(request.POST or None, initial=initial)
    preview = ""
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if "preview_pdf" in request.POST:
                contract = _preview_contract(request, data["contract"])
                html = documents.render_html(data["body"], contract, actor=request.user)
                response = HttpResponse(documents.render_pdf(html), content_type="application/pdf")
                response["Content-Disposition"] = 'inline; filename="preview.pdf"'
                return response
            if "preview" in request.POST:
                contract = _preview_contract(request, data["contract"])
                preview = documents.render_body(data["body"], contract, actor=request.user)
            else:
                template = documents.save_template(
                    name=data["name"],
                    body=data["body"],
                    kind=data["kind"],
                    is_active=data["is_active"],
                    template=template,
                    actor=request.user,
                )
                messages.success(request, _("Saved: %(object)s") % {"object": template})
                return HttpResponseRedirect(reverse("contracts:template_edit", args=[template.pk]))
        except PartiesError as exc:
            _form_error(form, exc)
    if request.method == "POST" and form.errors:
        messages.error(request, _("Please correct the errors below."))
    context = {
        "form": form,
        "template_obj": template,
        "preview": preview,
        "fields_help": documents.CONTEXT_HELP,
        "title": _("Document template") if template is None else template.name,
    }
    return render(request, "contracts/template_edit.html", context)


def customer_contracts_context(customer: Customer, user: Any) -> dict[str, Any] | None:
    """The customer page's contracts section."""
    if not has_model_permission(user, Contract, "view"):
        return None
    return {
        "contracts_list": Contract.objects.restrict(user, "view").filter(customer=customer),
        "contracts_can_add": has_model_permission(user, Contract, "add"),
    }
