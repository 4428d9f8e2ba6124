"""Guard rail: every generic list, edit and delete page starts from a queryset
that offers ``restrict(user, action)``; one without it answers 500."""

from __future__ import annotations

from django.urls import get_resolver

from lastmile.core.views import ObjectDeleteView, ObjectEditView, ObjectListView


def _subclasses(base: type) -> set[type]:
    found: set[type] = set(base.__subclasses__())
    return found | {deeper for cls in found for deeper in _subclasses(cls)}


def test_every_object_view_queryset_can_restrict():
    get_resolver().url_patterns  # imports every app's views
    views = set().union(
        *(_subclasses(b) for b in (ObjectListView, ObjectEditView, ObjectDeleteView))
    )
    assert len(views) > 10
    unrestricted = sorted(
        f"{view.__module__}.{view.__qualname__}"
        for view in views
        if hasattr(view, "queryset") and not hasattr(view.queryset, "restrict")
    )
    assert not unrestricted, unrestricted
