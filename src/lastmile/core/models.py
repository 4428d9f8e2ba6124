"""Building blocks every domain app uses: timestamps kept by the database and
querysets that know about object permissions."""

from __future__ import annotations

import pgtrigger
from django.db import models
from django.utils.translation import gettext_lazy as _

from lastmile.core.querysets import RestrictedQuerySet


def updated_at_trigger(name: str = "set_updated_at") -> pgtrigger.Trigger:
    """A BEFORE UPDATE trigger that stamps ``updated_at`` in the database, so
    bulk updates and raw SQL keep it true as well as ``save()``."""
    return pgtrigger.Trigger(
        name=name,
        when=pgtrigger.Before,
        operation=pgtrigger.Update,
        func="NEW.updated_at = statement_timestamp(); RETURN NEW;",
    )


class TimestampedModel(models.Model):
    created_at = models.DateTimeField(_("created"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        abstract = True


class RestrictedModel(models.Model):
    """A model whose default manager offers ``restrict(user, action)``."""

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        abstract = True
