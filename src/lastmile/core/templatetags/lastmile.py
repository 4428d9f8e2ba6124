from __future__ import annotations

from typing import Any

from django import template
from django.db import models
from django.urls import reverse

from lastmile.core.formatting import format_money

register = template.Library()


@register.filter
def money(value: Any) -> str:
    """An amount as money: grouped, localized, with the currency symbol."""
    return format_money(value)


@register.simple_tag
def history_url(obj: models.Model) -> str:
    """Link to the history page of any tracked object."""
    meta = obj._meta
    return reverse("object_history", args=[meta.app_label, meta.model_name, obj.pk])


@register.simple_tag(takes_context=True)
def access_outcomes(context: Any) -> str:
    """What the user's last actions became (``core.notices``: e.g. the NAS's answer)."""
    from django.utils.safestring import mark_safe

    from lastmile.core import notices

    request = context.get("request")
    user = getattr(request, "user", None)
    if request is None or not getattr(user, "is_authenticated", False):
        return ""
    return mark_safe(notices.render(request))  # noqa: S308 - rendered templates


@register.simple_tag(takes_context=True)
def menu_links(context: Any, group: str) -> list[tuple[Any, str]]:
    """The links of one menu group this user may open (for an area's sub-menu)."""
    from lastmile.core.menu import menu_for

    request = context.get("request")
    user = getattr(request, "user", None)
    for shown in menu_for(user):
        if shown.group.key == group:
            return shown.links
    return []


def _has_callable(attrs: Any) -> bool:
    if callable(attrs):
        return True
    if isinstance(attrs, dict):
        return any(_has_callable(value) for value in attrs.values())
    return False


def _call_with_signature(fn: Any, wanted: tuple[tuple[str, ...], str | None], kwargs: Any) -> Any:
    """django-tables2's ``call_with_appropriate`` with the signature looked up once."""
    names, catch_all = wanted
    if catch_all:
        return fn(**kwargs)
    if any(name not in kwargs for name in names):
        return None
    return fn(**{name: kwargs[name] for name in names})


def _cell_renderer(column: Any) -> Any:
    """A function ``(row) -> cell`` doing what ``BoundRow.get_cell`` does.

    ``get_cell`` asks ``inspect.signature`` which arguments the column's render
    method takes for every cell (a fifth of a 200-row page's server time);
    the method is the same for the whole column, so this asks once.  The
    value lookup (``get_FOO_display``, empty values, the default) is still
    django-tables2's own ``_get_and_render_with``.
    """
    from django_tables2.rows import BoundRow
    from django_tables2.utils import signature

    render, link = column.render, column.link
    wanted = signature(render)

    def cell(row: Any) -> Any:
        if type(row) is not BoundRow:  # pinned rows render their own way
            return row.get_cell(column.name)

        def call_render(bound_column: Any, value: Any = None) -> Any:
            kwargs = row._optional_cell_arguments(bound_column, value)
            content = _call_with_signature(render, wanted, kwargs)
            return link(content, **kwargs) if link else content

        return row._get_and_render_with(column, render_func=call_render, default=column.default)

    return cell


@register.simple_tag(takes_context=True)
def table_rows(context: Any, table: Any) -> str:
    """The ``<tr>`` rows of a django-tables2 table's page, built in Python.

    The same markup as django-tables2's row loop (the row's attributes, each
    column's ``td`` attributes, the cell rendered by the column, localized
    and escaped as ``{{ cell }}`` would be), without the template engine's
    lookups for every cell; a column's ``td`` attributes are computed once
    per page unless a callable makes them depend on the row.  On a page of
    200 customers that per-cell work was most of the server time.
    """
    from django.template.base import render_value_in_context
    from django.utils import formats
    from django.utils.html import escape
    from django.utils.safestring import SafeData, mark_safe

    columns = list(table.columns)
    per_row = _has_callable(dict(table.attrs)) or any(
        _has_callable(c.column.attrs) for c in columns
    )
    fixed_td = {} if per_row else {c.name: c.attrs["td"].as_html() for c in columns}
    renderers = [(c, _cell_renderer(c)) for c in columns]

    def cell_html(row: Any, column: Any, render: Any) -> str:
        cell = render(row)
        if per_row:
            column.current_value, column.current_record = cell, row.record
        td = fixed_td[column.name] if not per_row else column.attrs["td"].as_html()
        if column.localize is not None:
            cell = formats.localize(cell, use_l10n=bool(column.localize))
        text = render_value_in_context(cell, context)
        # Escaped here (not by format_html, whose lazy-string checks cost
        # as much as the cell itself): AttributeDict.as_html is escaped, and
        # render_value_in_context escapes unless autoescape is off.
        return f"<td {td}>{text if isinstance(text, SafeData) else escape(text)}</td>"

    rows = [
        f"<tr {row.attrs.as_html()}>{''.join(cell_html(row, c, r) for c, r in renderers)}</tr>"
        for row in table.paginated_rows
    ]
    return mark_safe("\n".join(rows))  # noqa: S308 - every part is escaped above
