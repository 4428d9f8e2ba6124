"""Staff pages of tickets: list, my tickets, create, ticket page with actions."""

from __future__ import annotations

from typing import Any

import django_tables2 as tables
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from lastmile.accounts.models import staff_user
from lastmile.accounts.permissions import has_model_permission
from lastmile.core.errors import DomainError
from lastmile.core.views import filtered, form_error, message_error
from lastmile.customers.models import Customer
from lastmile.tickets import services
from lastmile.tickets.downloads import attachment_response
from lastmile.tickets.filtersets import TicketFilterSet
from lastmile.tickets.forms import (
    AssignForm,
    CommentForm,
    TicketCreateForm,
    TicketEditForm,
    TransitionForm,
)
from lastmile.tickets.models import Ticket, TicketKind, TicketState
from lastmile.tickets.queries import eligible_executors, visible_tickets
from lastmile.tickets.tables import TicketTable


def _list(request: HttpRequest, *, mine: bool) -> HttpResponse:
    if not has_model_permission(request.user, Ticket, "view"):
        raise PermissionDenied
    data = request.GET.copy()
    if mine:
        data["mine"] = "true"
    filterset = TicketFilterSet(data, queryset=visible_tickets(request.user), request=request)
    table = TicketTable(filtered(filterset))
    tables.RequestConfig(request, paginate={"per_page": 50}).configure(table)
    context = {
        "title": _("My tickets") if mine else _("Tickets"),
        "table": table,
        "filter": filterset,
        "add_url": reverse("tickets:ticket_add")
        if has_model_permission(request.user, Ticket, "add")
        else None,
    }
    template = (
        "core/table_partial.html" if request.headers.get("HX-Request") else "core/object_list.html"
    )
    return render(request, template, context)


@login_required
def ticket_list(request: HttpRequest) -> HttpResponse:
    return _list(request, mine=False)


@login_required
def my_tickets(request: HttpRequest) -> HttpResponse:
    return _list(request, mine=True)


@login_required
def ticket_create(request: HttpRequest) -> HttpResponse:
    """New ticket; ``?customer=<id>`` prefills the customer (from the customer page)."""
    if not has_model_permission(request.user, Ticket, "add"):
        raise PermissionDenied
    actor = staff_user(request)
    customer_id = request.POST.get("customer") or request.GET.get("customer")
    customer = None
    if customer_id:
        customer = get_object_or_404(
            Customer.objects.restrict(request.user, "view"), pk=str(customer_id)
        )
    kind = TicketKind.objects.filter(pk=request.POST.get("kind") or 0).first()
    candidates = services.executor_choices(actor=actor, kind=kind, customer=customer, site=None)
    form = TicketCreateForm(request.POST or None, candidates=candidates)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            ticket = services.create_ticket(
                actor=actor,
                kind=data["kind"],
                description=data["description"],
                priority=data["priority"],
                customer=customer,
                due_at=data["due_at"],
                responsible=data["responsible"],
                executors=list(data["executors"]),
            )
        except DomainError as exc:
            form_error(form, exc)
        else:
            messages.success(request, _("Ticket #%(id)s created.") % {"id": ticket.pk})
            return HttpResponseRedirect(reverse("tickets:ticket_detail", args=[ticket.pk]))
    return render(
        request,
        "tickets/ticket_form.html",
        {"form": form, "customer": customer, "title": _("New ticket")},
    )


def _visible(request: HttpRequest, pk: int) -> Ticket:
    return get_object_or_404(
        Ticket.objects.restrict(request.user, "view").select_related(
            "kind", "customer", "site", "author", "responsible"
        ),
        pk=pk,
    )


@login_required
def ticket_detail(request: HttpRequest, pk: int) -> HttpResponse:
    ticket = _visible(request, pk)
    return _render_detail(request, ticket)


def _render_detail(request: HttpRequest, ticket: Ticket, **forms: Any) -> HttpResponse:
    user = staff_user(request)
    can_change = services.can_change(user, ticket)
    can_work = services.can_work(user, ticket)
    assign_form = forms.get("assign_form")
    if assign_form is None and can_change:
        assign_form = AssignForm(
            candidates=eligible_executors(ticket=ticket),
            initial={"responsible": ticket.responsible, "executors": list(ticket.executors.all())},
        )
    labels = dict(TicketState.choices)
    context = {
        "ticket": ticket,
        "title": _("Ticket #%(id)s") % {"id": ticket.pk},
        "can_change": can_change,
        "can_work": can_work,
        "transitions": [(state, labels[state]) for state in ticket.allowed_states()],
        "transition_form": forms.get("transition_form") or TransitionForm(),
        "assign_form": assign_form,
        "comment_form": forms.get("comment_form")
        or CommentForm(has_customer=ticket.customer_id is not None),
        "edit_form": TicketEditForm(instance=ticket) if can_change else None,
        "log": ticket.log.select_related("actor"),
        "comments": ticket.comments.select_related("author", "customer").prefetch_related(
            "attachments"
        ),
        "executors": list(ticket.executors.all()),
    }
    status = 400 if any(f is not None and f.errors for f in forms.values()) else 200
    return render(request, "tickets/ticket_detail.html", context, status=status)


def _done(request: HttpRequest, ticket: Ticket, message: str) -> HttpResponse:
    messages.success(request, message)
    return HttpResponseRedirect(reverse("tickets:ticket_detail", args=[ticket.pk]))


@login_required
@require_POST
def ticket_transition(request: HttpRequest, pk: int) -> HttpResponse:
    ticket = _visible(request, pk)
    form = TransitionForm(request.POST)
    if form.is_valid():
        try:
            services.change_state(
                ticket=ticket,
                actor=staff_user(request),
                to_state=form.cleaned_data["to_state"],
                comment=form.cleaned_data["comment"],
            )
        except DomainError as exc:
            form_error(form, exc)
        else:
            return _done(request, ticket, _("State changed."))
    return _render_detail(request, ticket, transition_form=form)


@login_required
@require_POST
def ticket_assign(request: HttpRequest, pk: int) -> HttpResponse:
    ticket = _visible(request, pk)
    if not services.can_change(staff_user(request), ticket):
        raise PermissionDenied
    form = AssignForm(request.POST, candidates=eligible_executors(ticket=ticket))
    if form.is_valid():
        try:
            services.assign_ticket(
                ticket=ticket,
                actor=staff_user(request),
                responsible=form.cleaned_data["responsible"],
                executors=list(form.cleaned_data["executors"]),
            )
        except DomainError as exc:
            form_error(form, exc)
        else:
            return _done(request, ticket, _("Assignment saved."))
    return _render_detail(request, ticket, assign_form=form)


@login_required
@require_POST
def ticket_edit(request: HttpRequest, pk: int) -> HttpResponse:
    ticket = _visible(request, pk)
    form = TicketEditForm(request.POST, instance=Ticket.objects.get(pk=ticket.pk))
    if form.is_valid():
        try:
            services.update_ticket(
                ticket=ticket,
                actor=staff_user(request),
                **{name: form.cleaned_data[name] for name in form.Meta.fields},
            )
        except DomainError as exc:
            message_error(request, exc)
        else:
            return _done(request, ticket, _("Saved."))
    else:
        messages.error(request, _("Please correct the errors below."))
    return HttpResponseRedirect(reverse("tickets:ticket_detail", args=[ticket.pk]))


@login_required
@require_POST
def ticket_comment(request: HttpRequest, pk: int) -> HttpResponse:
    ticket = _visible(request, pk)
    form = CommentForm(request.POST, request.FILES, has_customer=ticket.customer_id is not None)
    if form.is_valid():
        is_public = bool(form.cleaned_data.get("is_public"))
        try:
            services.add_comment(
                ticket=ticket,
                actor=staff_user(request),
                text=form.cleaned_data["text"],
                files=form.cleaned_data["attachments"],
                is_public=is_public,
            )
        except DomainError as exc:
            form_error(form, exc)
        else:
            done = _("Reply sent to the subscriber.") if is_public else _("Internal comment added.")
            return _done(request, ticket, done)
    return _render_detail(request, ticket, comment_form=form)


@login_required
def attachment_download(request: HttpRequest, pk: int) -> FileResponse:
    return attachment_response(request.user, pk)
