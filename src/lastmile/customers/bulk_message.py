"""Bulk action "send a message" on the staff customer list.

Three steps: the list posts the selected ids (or the list's filter, for every
customer it matches); this page asks for the text (a template of the event
"message from staff", or free text) and a channel; "Preview" shows the
message as the first customer will read it and how many customers it goes to;
"Send" defers one job, whose progress page the user then watches.

The job (``customers.jobs.send_bulk_message``) enqueues one outbox row per
customer and channel through ``notifications.services.notify`` (the outbox
worker delivers them, with its retries and quiet hours); its de-duplication
key names the batch, so a retried job sends nothing twice, and the progress
page counts the batch's rows by state.

Scope: the customers must all be ones the user may change.  Selected ids
outside that, or a filter that matches customers the user may see but not
change, refuse the batch: nothing is sent.
"""

from __future__ import annotations

import uuid
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, QueryDict
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from lastmile.customers.bulk import BulkError, selected_ids
from lastmile.customers.models import Customer

MAX_MESSAGE_BATCH = 100_000
DEDUP_PREFIX = "bulk-message"
TASK_NAME = "customers.send_bulk_message"


def _channel_choices() -> list[tuple[str, Any]]:
    from lastmile.notifications.models import SUBSCRIBER_CHANNELS, Channel

    labels = dict(Channel.choices)
    return [("", gettext_lazy("the customer's own channels"))] + [
        (str(channel), labels[channel]) for channel in SUBSCRIBER_CHANNELS
    ]


class BulkMessageForm(forms.Form):
    template: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        queryset=None,
        required=False,
        label=gettext_lazy("Template"),
        empty_label=gettext_lazy("— free text —"),
        help_text=gettext_lazy('Active templates of the event "message from staff".'),
    )
    channel = forms.ChoiceField(choices=(), required=False, label=gettext_lazy("Channel"))
    subject = forms.CharField(
        label=gettext_lazy("Subject"), max_length=200, required=False, strip=True
    )
    text = forms.CharField(
        label=gettext_lazy("Text"),
        max_length=2000,
        required=False,
        strip=True,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=gettext_lazy(
            "You may use {{ full_name }}, {{ login }} and {{ contract_number }}."
        ),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        from lastmile.notifications.events import STAFF_MESSAGE
        from lastmile.notifications.models import NotificationTemplate

        super().__init__(*args, **kwargs)
        self.fields["template"].queryset = NotificationTemplate.objects.filter(  # type: ignore[attr-defined]
            event=STAFF_MESSAGE, is_active=True
        ).order_by("language", "channel", "pk")
        self.fields["channel"].choices = _channel_choices()  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        from lastmile.notifications.errors import TemplateRenderError
        from lastmile.notifications.events import SAMPLE_CONTEXTS, STAFF_MESSAGE
        from lastmile.notifications.render import render_text

        data = super().clean() or {}
        template = data.get("template")
        if template is not None:
            data["subject"], data["text"] = template.subject, template.body
        elif not data.get("text"):
            self.add_error("text", _("Write the text, or choose a template."))
            return data
        sample = {k: v for k, v in SAMPLE_CONTEXTS[STAFF_MESSAGE].items() if k not in ("text",)}
        for name in ("subject", "text"):
            try:
                render_text(data.get(name) or "", sample, what=name)
            except TemplateRenderError as exc:
                self.add_error(None if template is not None else name, str(exc))
        return data


def personalise(source: str, customer: Customer, *, what: str) -> str:
    """``source`` with the customer's variables filled in."""
    from lastmile.notifications.render import render_text

    context = {
        "login": customer.login,
        "full_name": customer.full_name,
        "contract_number": customer.contract_number,
    }
    return render_text(source, context, what=what)


# -- who gets it ------------------------------------------------------------------------
def filtered_ids(request: HttpRequest, query: str) -> list[int]:
    """Every customer the list's filter ``query`` matches, all of them the user's to change."""
    from lastmile.core.views import filtered
    from lastmile.customers.filtersets import CustomerFilterSet

    params = QueryDict(query)
    seen = CustomerFilterSet(
        params,
        queryset=Customer.objects.restrict(request.user, "view"),  # type: ignore[attr-defined]
        request=request,
    )
    if seen.is_bound and not seen.is_valid():
        raise BulkError(_("The list's filter is not valid; correct it first."))
    ids = sorted(filtered(seen).order_by().values_list("pk", flat=True).distinct())
    if not ids:
        raise BulkError(_("The filter matches no customers."))
    if len(ids) > MAX_MESSAGE_BATCH:
        raise BulkError(
            _("The filter matches more than %(count)d customers; narrow it.")
            % {"count": MAX_MESSAGE_BATCH}
        )
    customers_in_scope_count(request.user, ids)
    return ids


def customers_in_scope_count(user: Any, ids: list[int]) -> None:
    found = Customer.objects.restrict(user, "change").filter(pk__in=ids).count()  # type: ignore[attr-defined]
    if found != len(ids):
        raise BulkError(
            _(
                "%(count)d of the selected customers are outside what you may change; "
                "nothing was sent."
            )
            % {"count": len(ids) - found}
        )


def recipients(request: HttpRequest) -> tuple[list[int], str]:
    """The customer ids of this batch and the filter query they came from ("" if picked)."""
    if request.POST.get("scope") == "filter":
        query = request.POST.get("query", "").lstrip("?")
        return filtered_ids(request, query), query
    ids = selected_ids(request)
    customers_in_scope_count(request.user, ids)
    return ids, ""


# -- the pages ----------------------------------------------------------------------------
@login_required
@require_POST
def bulk_message(request: HttpRequest) -> HttpResponse:
    """Compose (first post), preview ("preview") and send ("send") a message."""
    back = reverse("customers:customer_list")
    try:
        ids, query = recipients(request)
    except BulkError as exc:
        messages.error(request, str(exc))
        query = request.POST.get("query", "").lstrip("?")
        return HttpResponseRedirect(f"{back}?{query}" if query else back)
    step = request.POST.get("step", "")
    form = BulkMessageForm(request.POST if step in ("preview", "send") else None)
    preview = None
    if step in ("preview", "send") and form.is_valid():
        first = Customer.objects.get(pk=ids[0])
        data = form.cleaned_data
        preview = {
            "customer": first,
            "subject": personalise(data["subject"] or "", first, what="subject"),
            "text": personalise(data["text"], first, what="text"),
        }
        if step == "send":
            job_id = start_bulk_message(
                user=request.user,
                ids=ids,
                subject=data["subject"] or "",
                text=data["text"],
                channel=data["channel"] or "",
            )
            return HttpResponseRedirect(reverse("customers:bulk_message_progress", args=[job_id]))
    context = {
        "title": _("Send a message"),
        "form": form,
        "ids": ids if not query else [],
        "query": query,
        "count": len(ids),
        "sample": Customer.objects.filter(pk__in=ids[:20]).order_by("pk"),
        "preview": preview,
    }
    return render(request, "customers/bulk_message.html", context)


def start_bulk_message(*, user: Any, ids: list[int], subject: str, text: str, channel: str) -> int:
    """Defer the job that enqueues the messages; return the job's id."""
    from django.db import transaction

    from lastmile.core.jobs import defer_in_transaction
    from lastmile.customers.jobs import send_bulk_message

    batch = uuid.uuid4().hex[:16]
    with transaction.atomic():
        return defer_in_transaction(
            send_bulk_message,
            batch=batch,
            user_id=int(user.pk),
            customer_ids=[int(i) for i in ids],
            subject=subject,
            text=text,
            channel=channel,
        )


def progress(job: Any) -> dict[str, Any]:
    """How far the batch of ``job`` got: customers done, messages by state."""
    from lastmile.notifications.models import Outbox

    args = job.args or {}
    batch = args.get("batch", "")
    rows = Outbox.objects.filter(dedup_key__startswith=f"{DEDUP_PREFIX}:{batch}:")
    by_state = dict(rows.order_by().values_list("state").annotate(n=Count("id")))
    labels = dict(Outbox.State.choices)
    total = len(args.get("customer_ids", []))
    job_done = job.status in ("succeeded", "failed", "cancelled", "aborted")
    open_rows = by_state.get("queued", 0) + by_state.get("sending", 0)
    done = rows.values("customer_id").distinct().count()
    return {
        "job": job,
        "total": total,
        "queued_customers": done,
        "states": [(labels[s], by_state.get(s, 0)) for s in labels if by_state.get(s)],
        "job_failed": job.status == "failed",
        "job_done": job_done,
        "final": job_done and not open_rows,
        "percent": 100 if job_done else (100 * done // total if total else 0),
    }


@login_required
def bulk_message_progress(request: HttpRequest, job_id: int) -> HttpResponse:
    """The batch's progress; the fragment polls itself (htmx) until all is delivered."""
    from procrastinate.contrib.django.models import ProcrastinateJob

    job = ProcrastinateJob.objects.filter(pk=job_id, task_name=TASK_NAME).first()
    if job is None or (
        (job.args or {}).get("user_id") != request.user.pk and not request.user.is_superuser
    ):
        raise PermissionDenied
    context = {"title": _("Sending a message"), **progress(job)}
    template = (
        "customers/_bulk_message_progress.html"
        if request.headers.get("HX-Request")
        else "customers/bulk_message_progress.html"
    )
    response = render(request, template, context)
    response["Cache-Control"] = "no-store"
    return response
