"""Support requests: the subscriber's list, a new request, one request and replies."""

from __future__ import annotations

from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from lastmile.cabinet import support as support_service
from lastmile.cabinet.forms import SupportReplyForm, SupportRequestForm
from lastmile.cabinet.session import cabinet_view
from lastmile.cabinet.views.common import customer_of, paginate
from lastmile.core.errors import DomainError
from lastmile.core.views import form_error
from lastmile.tickets.downloads import file_response


@cabinet_view
def support(request: HttpRequest) -> HttpResponse:
    """The subscriber's requests, and a form to write a new one."""
    customer = customer_of(request)
    form = SupportRequestForm(
        *((request.POST, request.FILES) if request.method == "POST" else ()),
        categories=support_service.categories(),
    )
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                ticket = support_service.open_request(
                    customer=customer,
                    subject=form.cleaned_data["subject"],
                    message=form.cleaned_data["message"],
                    kind=form.cleaned_data["category"],
                    files=form.cleaned_data["attachments"],
                )
            except DomainError as exc:  # the text stays in the form
                form_error(form, exc)
                status = exc.status if exc.status == 429 else 400
            else:
                messages.success(
                    request,
                    _("Request №%(id)s is sent. We will answer here.") % {"id": ticket.pk},
                )
                return HttpResponseRedirect(reverse("cabinet:support_detail", args=[ticket.pk]))
    page = paginate(request, support_service.requests(customer))
    for ticket in page:
        ticket.cab_subject = support_service.subject_and_body(ticket)[0]  # type: ignore[attr-defined]
    context = {"form": form, "page": page, "title": _("Support")}
    return render(request, "cabinet/support.html", context, status=status)


@cabinet_view
def support_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One request with the public replies, and a form to reply (POST).  A reply
    to a closed request reopens it; the page says so."""
    customer = customer_of(request)
    ticket = support_service.request_of(customer, pk)
    if ticket is None:
        raise Http404
    form = SupportReplyForm(*((request.POST, request.FILES) if request.method == "POST" else ()))
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            was_open = ticket.is_open
            try:
                support_service.reply(
                    customer=customer,
                    ticket=ticket,
                    text=form.cleaned_data["text"],
                    files=form.cleaned_data["attachments"],
                )
            except DomainError as exc:  # the text stays in the form
                form_error(form, exc)
                status = exc.status if exc.status == 429 else 400
            else:
                messages.success(
                    request,
                    _("Your reply is sent.")
                    if was_open
                    else _("Your reply is sent and the request is open again."),
                )
                url = reverse("cabinet:support_detail", args=[ticket.pk])
                return HttpResponseRedirect(f"{url}#replies")
    subject, body = support_service.subject_and_body(ticket)
    context = {
        "ticket": ticket,
        "subject": subject,
        "body": body,
        "comments": support_service.public_comments(ticket),
        "form": form,
        "title": _("Request №%(id)s") % {"id": ticket.pk},
    }
    return render(request, "cabinet/support_detail.html", context, status=status)


@cabinet_view
def support_attachment(request: HttpRequest, pk: int) -> FileResponse:
    """A file on one of the subscriber's own requests; any other answers 404."""
    attachment = support_service.attachment_of(customer_of(request), pk)
    if attachment is None:
        raise Http404
    return file_response(attachment)
