"""Write-time guard: what SORM needs is never hard-deleted.

With the export on (``LASTMILE_SORM_ENABLED``) a customer cannot be
deleted: disable it instead (its contacts and services then end, and the
journal carries the end to SORM).  Leases are never deleted anyway (a
database trigger in the network app); pools and NASes may be deleted, and
their journal delete event gives the numbering plan and gateways files
their end date.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db.models.deletion import ProtectedError
from django.db.models.signals import pre_delete
from django.dispatch import receiver
from django.utils.translation import gettext as _


class KeptForSorm(ProtectedError):
    """Deleting this would lose history that SORM must receive."""


@receiver(pre_delete, sender="customers.Customer", dispatch_uid="sorm_keep_customers")
def refuse_customer_delete(sender: Any, instance: Any, **kwargs: Any) -> None:
    if settings.LASTMILE.sorm_enabled:
        raise KeptForSorm(
            _(
                "Customer %(login)s is kept for the SORM export and cannot be deleted; "
                "disable the customer instead."
            )
            % {"login": instance.login},
            {instance},
        )
