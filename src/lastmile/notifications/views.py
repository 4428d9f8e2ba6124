"""Staff pages: the delivery log (with resend) and the template editor (with preview)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from lastmile.accounts.models import staff_user
from lastmile.accounts.permissions import has_model_permission
from lastmile.core.errors import DomainError
from lastmile.core.views import ObjectListView, form_error, message_error
from lastmile.notifications import services
from lastmile.notifications.channels import CHANNELS
from lastmile.notifications.errors import NotificationError
from lastmile.notifications.events import SAMPLE_CONTEXTS
from lastmile.notifications.filtersets import OutboxFilterSet, TemplateFilterSet
from lastmile.notifications.forms import TemplateForm
from lastmile.notifications.models import NotificationTemplate, Outbox
from lastmile.notifications.tables import OutboxTable, TemplateTable


class OutboxListView(ObjectListView):
    queryset = Outbox.objects.all()
    table = OutboxTable
    filterset = OutboxFilterSet
    template_name = "notifications/outbox_list.html"


class TemplateListView(ObjectListView):
    queryset = NotificationTemplate.objects.all()
    table = TemplateTable
    filterset = TemplateFilterSet
    add_url = "notifications:template_add"


@login_required
def outbox_detail(request: HttpRequest, pk: int) -> HttpResponse:
    row = get_object_or_404(Outbox.objects.restrict(request.user, "view"), pk=pk)
    may_resend = Outbox.objects.restrict(request.user, "change").filter(pk=pk).exists()
    return render(
        request,
        "notifications/outbox_detail.html",
        {"row": row, "title": str(row), "may_resend": may_resend},
    )


@login_required
@require_POST
def outbox_resend(request: HttpRequest, pk: int) -> HttpResponse:
    row = get_object_or_404(Outbox.objects.restrict(request.user, "change"), pk=pk)
    try:
        services.resend(outbox=row, actor=staff_user(request))
    except DomainError as exc:
        message_error(request, exc)
    else:
        messages.success(request, _("The message is queued again."))
    return HttpResponseRedirect(reverse("notifications:outbox_detail", args=[pk]))


@login_required
def template_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    """Create or edit a template; it is saved only if it renders with the sample data."""
    if pk is None:
        if not has_model_permission(request.user, NotificationTemplate, "add"):
            raise PermissionDenied
        template = NotificationTemplate()
    else:
        template = get_object_or_404(
            NotificationTemplate.objects.restrict(request.user, "change"), pk=pk
        )
    form = TemplateForm(request.POST or None, instance=template)
    preview = None
    if request.method == "POST" and form.is_valid():
        try:
            services.save_template(template=form.save(commit=False), actor=staff_user(request))
        except DomainError as exc:
            form_error(form, exc, field="body")
        except IntegrityError:
            form.add_error(None, _("A template for this event, language and channel exists."))
        else:
            messages.success(request, _("Template saved."))
            return HttpResponseRedirect(reverse("notifications:template_list"))
    event = form["event"].value() or template.event
    return render(
        request,
        "notifications/template_form.html",
        {
            "form": form,
            "template": template,
            "title": _("Notification template"),
            "preview": preview,
            "variables": sorted(SAMPLE_CONTEXTS.get(str(event), {})),
        },
    )


@login_required
@require_POST
def template_preview(request: HttpRequest) -> HttpResponse:
    """htmx: the rendered subject and text with the event's sample data, or the error."""
    if not has_model_permission(request.user, NotificationTemplate, "view"):
        raise PermissionDenied
    try:
        subject, text = services.preview_template(
            event=request.POST.get("event", ""),
            subject=request.POST.get("subject", ""),
            body=request.POST.get("body", ""),
        )
        context = {"subject": subject, "text": text, "error": None}
    except NotificationError as exc:
        context = {"subject": "", "text": "", "error": str(exc)}
    return render(request, "notifications/_preview.html", context)


@login_required
def channels_status(request: HttpRequest) -> HttpResponse:
    if not request.user.is_superuser:
        raise PermissionDenied
    from django.conf import settings

    rows = [(name, plugin.is_configured(settings.LASTMILE)) for name, plugin in CHANNELS.items()]
    return render(request, "notifications/channels.html", {"rows": rows, "title": _("Channels")})
