"""Staff pages of parties: legal entities with their branches, passports, the
address review list.  Views parse input and call ``parties.services``."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from lastmile.accounts.permissions import has_model_permission
from lastmile.core.views import ObjectListView
from lastmile.customers.models import Customer
from lastmile.parties import matching, services
from lastmile.parties.errors import PartiesError
from lastmile.parties.filtersets import AddressReviewFilter, LegalEntityFilter
from lastmile.parties.forms import BranchForm, IndividualForm, LegalEntityForm
from lastmile.parties.models import AddressReview, Branch, IndividualDetails, LegalEntity, Passport
from lastmile.parties.tables import AddressReviewTable, LegalEntityTable


def _form_error(form: Any, exc: PartiesError) -> None:
    form.add_error(exc.field if exc.field in form.fields else None, str(exc))


class LegalEntityListView(ObjectListView):
    queryset = LegalEntity.objects.annotate(branch_count=Count("branches"))
    table = LegalEntityTable
    filterset = LegalEntityFilter
    title = gettext_lazy("legal entities")
    add_url = "parties:legal_add"


@login_required
def legal_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    """Create or change a legal entity; wrong requisites are shown on their field."""
    if pk is None:
        if not has_model_permission(request.user, LegalEntity, "add"):
            raise PermissionDenied
        entity = LegalEntity()
    else:
        entity = get_object_or_404(LegalEntity.objects.restrict(request.user, "change"), pk=pk)
    form = LegalEntityForm(request.POST or None, instance=entity, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            if pk is None:
                entity = services.create_legal_entity(**form.changes(), actor=request.user)
            else:
                services.update_legal_entity(
                    legal_entity=entity, changes=form.changes(), actor=request.user
                )
        except PartiesError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("Saved: %(object)s") % {"object": entity})
            return HttpResponseRedirect(reverse("parties:legal_detail", args=[entity.pk]))
    if request.method == "POST":
        messages.error(request, _("Please correct the errors below."))
    title = _("New legal entity") if pk is None else _("Edit %(object)s") % {"object": entity}
    return render(request, "core/object_edit.html", {"form": form, "title": title})


@login_required
def legal_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A legal entity: requisites, contracts, branches; adding a branch by login."""
    from lastmile.contracts.models import Contract

    entity = get_object_or_404(LegalEntity.objects.restrict(request.user, "view"), pk=pk)
    form = BranchForm(request.POST or None)
    if request.method == "POST":
        if not has_model_permission(request.user, Branch, "add"):
            raise PermissionDenied
        if form.is_valid():
            customer = (
                Customer.objects.restrict(request.user, "change")
                .filter(login=form.cleaned_data["login"].strip())
                .first()
            )
            if customer is None:
                form.add_error("login", _("There is no customer with this login."))
            else:
                try:
                    services.attach_branch(
                        customer=customer,
                        legal_entity=entity,
                        name=form.cleaned_data["name"],
                        actor=request.user,
                    )
                except PartiesError as exc:
                    form.add_error("login", str(exc))  # next to the customer it is about
                else:
                    messages.success(request, _("Branch added: %(login)s") % {"login": customer})
                    return HttpResponseRedirect(request.path)
    branches = (
        Branch.objects.restrict(request.user, "view")
        .filter(legal_entity=entity)
        .select_related("customer")
    )
    context = {
        "entity": entity,
        "branches": branches,
        "contracts": Contract.objects.restrict(request.user, "view").filter(legal_entity=entity),
        "form": form,
        "can_edit": LegalEntity.objects.restrict(request.user, "change").filter(pk=pk).exists(),
        "can_add_branch": has_model_permission(request.user, Branch, "add"),
    }
    return render(request, "parties/legal_detail.html", context)


@login_required
def individual_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """A customer's name parts, passport and birth date (needs the passport permission)."""
    customer = get_object_or_404(Customer.objects.restrict(request.user, "view"), pk=pk)
    details = IndividualDetails.objects.filter(customer=customer).first()
    if details is not None and not (
        IndividualDetails.objects.restrict(request.user, "change").filter(pk=details.pk).exists()
    ):
        raise PermissionDenied
    if details is None and not has_model_permission(request.user, IndividualDetails, "change"):
        raise PermissionDenied
    initial: dict[str, Any] = {}
    if details is not None:
        initial = {
            "last_name": details.last_name,
            "first_name": details.first_name,
            "patronymic": details.patronymic,
            "registration_address_text": details.registration_address_text,
            "registration_address": details.registration_address_id,
            **details.passport.__dict__,
        }
    form = IndividualForm(request.POST or None, initial=initial, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        passport = Passport(
            series=data["series"],
            number=data["number"],
            issued_by=data["issued_by"],
            issued_on=data["issued_on"],
            unit_code=data["unit_code"],
            birth_date=data["birth_date"],
        )
        try:
            services.save_individual(
                customer=customer,
                last_name=data["last_name"],
                first_name=data["first_name"],
                patronymic=data["patronymic"],
                passport=passport,
                registration_address=data["registration_address"],
                registration_address_text=data["registration_address_text"],
                actor=request.user,
            )
        except PartiesError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("Saved: %(object)s") % {"object": customer})
            return HttpResponseRedirect(reverse("customers:customer_detail", args=[pk]))
    if request.method == "POST":
        messages.error(request, _("Please correct the errors below."))
    title = _("Passport details of %(customer)s") % {"customer": customer}
    return render(request, "core/object_edit.html", {"form": form, "title": title})


class AddressReviewListView(ObjectListView):
    # A customer whose address staff picked in the customer form is done with.
    queryset = (
        AddressReview.objects.select_related("customer")
        .exclude(is_resolved=False, customer__address_object__isnull=False)
        .order_by("is_resolved", "pk")
    )
    table = AddressReviewTable
    filterset = AddressReviewFilter
    title = gettext_lazy("addresses to review")
    template_name = "parties/review_list.html"


@login_required
@require_POST
def review_match(request: HttpRequest) -> HttpResponse:
    """Match the customers' (and devices') typed addresses against the registry again."""
    if not has_model_permission(request.user, AddressReview, "change"):
        raise PermissionDenied
    result = matching.match_all_addresses()
    messages.success(
        request,
        _("%(matched)s addresses matched, %(unmatched)s to review.")
        % {"matched": result.matched, "unmatched": result.unmatched},
    )
    return HttpResponseRedirect(reverse("parties:review_list"))


def _visible(queryset: Any, user: Any, **lookup: Any) -> Any:
    return queryset.restrict(user, "view").filter(**lookup).first()  # type: ignore[attr-defined]


def customer_party_context(customer: Customer, user: Any) -> dict[str, Any] | None:
    """The customer page's "who" section: kind, branch, person, passport (by permission)."""
    branch = _visible(Branch.objects.select_related("legal_entity"), user, customer=customer)
    details = IndividualDetails.objects.filter(customer=customer).first()
    may_see_passport = details is not None and bool(
        _visible(IndividualDetails.objects, user, pk=details.pk)
    )
    return {
        "party_branch": branch,
        "party_person": details,
        "party_passport": details.passport if may_see_passport and details else None,
        "party_can_edit_passport": has_model_permission(user, IndividualDetails, "change"),
        "party_address": customer.address_object,
    }
