"""core/table.html builds the rows in Python (``table_rows``): the same cells,
attributes and escaping as django-tables2's row loop."""

from __future__ import annotations

import django_tables2 as tables
from django.template import Context, Template
from django.test import RequestFactory


class _Table(tables.Table):
    name = tables.Column(attrs={"td": {"class": "who"}})
    amount = tables.Column(attrs={"td": {"data-sign": lambda value: "neg" if value < 0 else "pos"}})
    note = tables.Column(default="—")

    class Meta:
        row_attrs = {"data-name": lambda record: record["name"]}
        empty_text = "Nothing here."


def _render(data: list[dict[str, object]]) -> str:
    table = _Table(data)
    request = RequestFactory().get("/")
    template = Template("{% load django_tables2 %}{% render_table table %}")
    return template.render(Context({"table": table, "request": request}))


def test_cells_are_escaped_and_carry_the_columns_attributes():
    html = _render([{"name": "<b>Ann</b>", "amount": -5, "note": None}])
    assert "&lt;b&gt;Ann&lt;/b&gt;" in html and "<b>Ann</b>" not in html
    assert 'class="who"' in html
    assert 'data-sign="neg"' in html  # a callable attribute sees the row's value
    assert 'data-name="&lt;b&gt;Ann&lt;/b&gt;"' in html  # row attributes, escaped
    assert ">—</td>" in html  # the column's default for an empty value


def test_each_row_gets_its_own_callable_attributes_and_even_odd_class():
    html = _render(
        [{"name": "a", "amount": 1, "note": "x"}, {"name": "b", "amount": -1, "note": "y"}]
    )
    assert html.index('data-sign="pos"') < html.index('data-sign="neg"')
    assert 'class="even"' in html and 'class="odd"' in html


def test_an_empty_table_shows_its_empty_text():
    assert "Nothing here." in _render([])
