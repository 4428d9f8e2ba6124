"""The base of every factory: a call typed as the model it builds."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypeVar

import factory
from django.db import models

_M = TypeVar("_M", bound=models.Model)


class ModelFactory(factory.django.DjangoModelFactory[_M]):
    """``CustomerFactory()`` is a ``Customer`` to mypy, as it is at run time."""

    class Meta:
        abstract = True

    if TYPE_CHECKING:

        def __new__(cls, *args: Any, **kwargs: Any) -> _M:  # type: ignore[misc]
            ...
