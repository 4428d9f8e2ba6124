"""Generic staff views (NetBox-style): every list and form starts from
``restrict(user, action)``, so permission checks are written once, here."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, cast

import django_tables2 as tables
from django.apps import apps
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import EmptyPage, PageNotAnInteger
from django.db import models, transaction
from django.db.models.deletion import ProtectedError
from django.forms import BaseForm
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseRedirect,
    StreamingHttpResponse,
)
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.text import capfirst, slugify
from django.utils.translation import gettext as _
from django.views import View
from django_filters import FilterSet
from django_tables2.export import TableExport
from django_tables2.rows import BoundRows

from lastmile.core.errors import DomainError, Forbidden
from lastmile.core.history import history_for
from lastmile.core.permissions import has_model_permission


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    from lastmile.core.dashboard import dashboard_context

    return render(request, "core/dashboard.html", dashboard_context(request.user))


def healthz(request: HttpRequest) -> HttpResponse:
    """Liveness + database check for load balancers."""
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("SELECT 1")
    return HttpResponse("ok", content_type="text/plain")


def filtered(filterset: FilterSet) -> models.QuerySet[Any]:
    """The filter set's rows; none when a filter value is malformed.

    django-filter drops an invalid value and filters by the rest, which
    would show (or export) more than asked; the page shows the form's
    errors instead (core/filter_errors.html) over an empty table."""
    if filterset.is_bound and not filterset.is_valid():
        return cast("models.QuerySet[Any]", filterset.queryset.none())
    return cast("models.QuerySet[Any]", filterset.qs)


class ObjectListView(LoginRequiredMixin, View):
    """A filtered, server-paginated table of the objects the user may view."""

    queryset: models.QuerySet[Any]
    table: type[tables.Table]
    filterset: type[FilterSet] | None = None
    template_name = "core/object_list.html"
    title: str | Promise = ""  # gettext_lazy: class attributes outlive a request's language
    add_url: str | None = None
    per_page = 50
    per_page_choices = (25, 50, 100, 200)
    export_formats = ("csv", "xlsx")
    export_chunk_rows = 2000

    def get_per_page(self, request: HttpRequest) -> int:
        try:
            chosen = int(request.GET.get("per_page", ""))
        except ValueError:
            return self.per_page
        return chosen if chosen in self.per_page_choices else self.per_page

    def get(self, request: HttpRequest) -> HttpResponse:
        model = self.queryset.model
        queryset = self.queryset.restrict(request.user, "view")  # type: ignore[attr-defined]
        if not has_model_permission(request.user, model, "view"):
            raise PermissionDenied
        filterset = self.filterset(request.GET, queryset=queryset) if self.filterset else None
        if filterset is not None:
            queryset = filtered(filterset)
        table = self.table(queryset)
        export_format = request.GET.get("_export")
        if export_format in self.export_formats and (filterset is None or filterset.is_valid()):
            tables.RequestConfig(request, paginate=False).configure(table)
            return self.export(table, export_format)
        per_page = self.get_per_page(request)
        # Paged here, not by RequestConfig: it would take any ?per_page= as given.
        tables.RequestConfig(request, paginate=False).configure(table)
        self.paginate(table, request.GET.get(table.prefixed_page_field, 1), per_page)
        self._fill_page(table)
        # render_table gives its template only the table: hang the paging
        # and export choices on it (core/table.html reads them).
        table.per_page = per_page
        table.per_page_choices = self.per_page_choices
        table.export_formats = self.export_formats
        table.page_range = (
            table.paginator.get_elided_page_range(table.page.number, on_each_side=2, on_ends=1)
            if table.page
            else []
        )
        context = {
            "title": capfirst(str(self.title or model._meta.verbose_name_plural)),
            "table": table,
            "filter": filterset,
            "add_url": reverse(self.add_url)
            if self.add_url and has_model_permission(request.user, model, "add")
            else None,
        }
        template = (
            "core/table_partial.html" if request.headers.get("HX-Request") else self.template_name
        )
        return render(request, template, context)

    @staticmethod
    def paginate(table: tables.Table, page: Any, per_page: int) -> None:
        """Page ``page`` (a number that is out of range shows the last page)."""
        try:
            table.paginate(page=page, per_page=per_page)
        except PageNotAnInteger:
            table.paginate(page=1, per_page=per_page)
        except EmptyPage:
            table.paginate(page=table.paginator.num_pages, per_page=per_page)

    def fill_rows(self, objects: list[Any]) -> list[Any]:
        """The objects of one page (or export chunk) with what their row shows.

        A list whose columns are expensive pages on a light queryset (aliases
        to sort and filter by) and overrides this to compute the columns for
        the page's rows only, keeping their order.
        """
        return objects

    def _fills_rows(self) -> bool:
        return type(self).fill_rows is not ObjectListView.fill_rows

    def _fill_page(self, table: tables.Table) -> None:
        if not self._fills_rows() or not getattr(table, "page", None):
            return
        rows = self.fill_rows(list(table.page.object_list.data))
        table.page.object_list = BoundRows(data=rows, table=table)

    def export_filename(self, table: tables.Table, extension: str) -> str:
        name = slugify(str(self.queryset.model._meta.verbose_name_plural)) or "export"
        return f"{name}-{timezone.localdate():%Y-%m-%d}.{extension}"

    def export(self, table: tables.Table, export_format: str) -> HttpResponse:
        """The filtered, ordered rows the user may view, as a file.

        XLSX is built by django-tables2's TableExport (tablib) in one piece.
        CSV is streamed: the same ordered queryset is cut into chunks, each
        rendered by a table of the same class and encoded by tablib, so a
        100,000-row list never sits in memory at once.
        """
        if export_format != "csv":
            if self._fills_rows():
                ordered = table.data.data
                table = self.table(
                    [row for chunk in self._chunks(ordered) for row in chunk], order_by=()
                )
            exporter = TableExport(export_format, table)
            exported: HttpResponse = exporter.response(
                filename=self.export_filename(table, export_format)
            )
            return exported
        response = StreamingHttpResponse(
            self._csv_chunks(table), content_type="text/csv; charset=utf-8"
        )
        filename = self.export_filename(table, "csv")
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        # Typed as HttpResponse so list views keep their signature; callers
        # only pass it on.
        return cast(HttpResponse, response)

    def _csv_chunks(self, table: tables.Table) -> Any:
        import tablib

        queryset = table.data.data  # the ordered queryset (RequestConfig applied the sort)
        yield "\ufeff"  # BOM: spreadsheet programs then read the file as UTF-8
        first = True
        for objects in self._chunks(queryset):
            rows = list(self.table(objects, order_by=()).as_values())
            dataset = tablib.Dataset(*rows[1:], headers=rows[0])
            if first:
                yield dataset.export("csv")
                first = False
            elif len(dataset):
                yield dataset.export("csv").split("\r\n", 1)[1]
        if first:  # no rows at all: still the header line
            rows = list(self.table([], order_by=()).as_values())
            yield tablib.Dataset(headers=rows[0]).export("csv")

    def _chunks(self, queryset: models.QuerySet[Any]) -> Iterator[list[Any]]:
        """The ordered rows in chunks of ``export_chunk_rows``, each filled."""
        step = self.export_chunk_rows
        offset = 0
        while True:
            objects = list(queryset[offset : offset + step])
            if objects:
                yield self.fill_rows(objects)
            if len(objects) < step:
                return
            offset += step


def form_error(form: BaseForm, exc: DomainError, *, field: str | None = None) -> None:
    """Show a domain error on a form: next to the field the error names when the form
    has it, else next to ``field`` (the view's guess), else on top of the form.

    The staff pages' and the cabinet's one translation of a caught domain error; the
    input stays in the form."""
    name = exc.field if exc.field in form.fields else field
    form.add_error(name if name in form.fields else None, str(exc))


def message_error(request: HttpRequest, exc: DomainError) -> None:
    """Show a domain error as a message on the next page (for buttons without a form)."""
    messages.error(request, str(exc))


class ObjectEditView(LoginRequiredMixin, View):
    """Create (no pk) or change an object: the one generic edit view.

    ``save`` is where the write happens; override it to call the app's service
    (the API calls the same function). The default saves the model form, for
    plain catalogue objects whose only rules are the form's. A domain error from
    the service is shown on the form (``form_error``) and the transaction is rolled
    back; so is a save that would leave the object outside what the user may change.
    """

    queryset: models.QuerySet[Any]
    form: type[BaseForm]
    template_name = "core/object_edit.html"
    #: URL name to go to after saving (or override ``get_success_url``).
    success_url: str = ""
    #: Permission action needed on an existing object.
    lookup_action = "change"

    def get_object(self, request: HttpRequest, pk: int | None) -> Any:
        model = self.queryset.model
        if pk is None:
            if not has_model_permission(request.user, model, "add"):
                raise PermissionDenied
            return model()
        return get_object_or_404(self.queryset.restrict(request.user, self.lookup_action), pk=pk)  # type: ignore[attr-defined]

    def get_form(self, request: HttpRequest, obj: Any, data: Any = None) -> BaseForm:
        return self.form(data=data, instance=obj)  # type: ignore[call-arg]

    def save(self, request: HttpRequest, obj: Any, form: Any) -> Any:
        """Write the object; return it. Override to call a service."""
        return form.save()

    def get_success_url(self, obj: Any) -> str:
        return reverse(self.success_url)

    def title(self, obj: Any) -> str:
        return _edit_title(obj)

    def render_form(self, request: HttpRequest, obj: Any, form: BaseForm) -> HttpResponse:
        return render(
            request, self.template_name, {"form": form, "object": obj, "title": self.title(obj)}
        )

    def get(self, request: HttpRequest, pk: int | None = None) -> HttpResponse:
        obj = self.get_object(request, pk)
        return self.render_form(request, obj, self.get_form(request, obj))

    def post(self, request: HttpRequest, pk: int | None = None) -> HttpResponse:
        obj = self.get_object(request, pk)
        form = self.get_form(request, obj, request.POST)
        if not form.is_valid():
            messages.error(request, _("Please correct the errors below."))
            return self.render_form(request, obj, form)
        try:
            with transaction.atomic():
                saved = self.save(request, obj, form)
                # The object must still be within what the user may change: a
                # user limited to site A cannot move an object to site B.
                if not self.queryset.restrict(request.user, "change").filter(pk=saved.pk).exists():  # type: ignore[attr-defined]
                    raise Forbidden(_("You are not allowed to save this object with these values."))
        except DomainError as exc:
            # Rolled back; the form keeps the input and shows why.
            form_error(form, exc)
            messages.error(request, _("Please correct the errors below."))
            return self.render_form(request, obj, form)
        messages.success(request, _("Saved: %(object)s") % {"object": saved})
        return HttpResponseRedirect(self.get_success_url(saved))


class ObjectDeleteView(LoginRequiredMixin, View):
    queryset: models.QuerySet[Any]
    template_name = "core/object_delete.html"
    success_url: str = ""

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        obj = get_object_or_404(self.queryset.restrict(request.user, "delete"), pk=pk)  # type: ignore[attr-defined]
        return render(request, self.template_name, {"object": obj})

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        obj = get_object_or_404(self.queryset.restrict(request.user, "delete"), pk=pk)  # type: ignore[attr-defined]
        try:
            self.perform_delete(request, obj)
        except ProtectedError:
            messages.error(
                request, _("%(object)s is still in use and cannot be deleted.") % {"object": obj}
            )
            return render(request, self.template_name, {"object": obj})
        messages.success(request, _("Deleted: %(object)s") % {"object": obj})
        return HttpResponseRedirect(reverse(self.success_url))

    def perform_delete(self, request: HttpRequest, obj: Any) -> None:
        """The delete itself; an app whose deletes go through a service overrides it."""
        obj.delete()


def _edit_title(obj: models.Model) -> str:
    name = obj._meta.verbose_name
    if obj.pk is None:
        return _("New %(model)s") % {"model": name}
    return _("Edit %(model)s: %(object)s") % {"model": name, "object": obj}


@login_required
def object_history(request: HttpRequest, app_label: str, model_name: str, pk: str) -> HttpResponse:
    """Who changed what and when, before → after, for any tracked object."""
    try:
        model = apps.get_model(app_label, model_name)
    except LookupError as exc:
        raise Http404 from exc
    queryset = getattr(model._default_manager, "restrict", None)
    if queryset is None:
        raise Http404
    try:
        # The URL takes any text so every model fits; a key its model cannot hold is unknown.
        key = model._meta.pk.to_python(pk)  # type: ignore[union-attr]
    except ValidationError as exc:
        raise Http404 from exc
    obj = get_object_or_404(model._default_manager.restrict(request.user, "view"), pk=key)  # type: ignore[attr-defined]
    return render(
        request,
        "core/history.html",
        {"object": obj, "entries": history_for(obj), "model_name": model._meta.verbose_name},
    )
