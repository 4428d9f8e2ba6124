"""Ticket kinds, staff-configurable: what a ticket is about and who takes the
new ones (``default_responsible``, see ``services.route_new_ticket``).  The
write goes through ``save_kind`` from the staff page (and any future API)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from lastmile.accounts.models import User
from lastmile.accounts.permissions import has_model_permission
from lastmile.tickets.errors import TicketError, TicketForbidden
from lastmile.tickets.forms import StaffChoiceField
from lastmile.tickets.models import TicketKind
from lastmile.tickets.queries import executor_candidates

FIELDS = (
    "code",
    "name",
    "is_active",
    "position",
    "notify_customer_on_finish",
    "default_responsible",
)


def save_kind(*, actor: Any, kind: TicketKind, changes: dict[str, Any]) -> TicketKind:
    """Create or change a kind.  The person who takes its new tickets must be
    active staff with some grant on tickets (whether it covers a given
    ticket's site is decided per ticket); the code is unique."""
    action = "change" if kind.pk else "add"
    if not has_model_permission(actor, TicketKind, action):
        raise TicketForbidden(_("You are not allowed to change ticket kinds."))
    unknown = set(changes) - set(FIELDS)
    if unknown:
        raise TicketError(_("Unknown fields: %(names)s.") % {"names": ", ".join(sorted(unknown))})
    chosen = changes.get("default_responsible", kind.default_responsible)
    if chosen is not None and not executor_candidates().filter(pk=chosen.pk).exists():
        raise TicketError(
            _("%(name)s cannot take tickets: only active staff with a permission on tickets can.")
            % {"name": chosen.get_username()},
            field="default_responsible",
        )
    for field, value in changes.items():
        setattr(kind, field, value)
    if not str(kind.code).strip() or not str(kind.name).strip():
        raise TicketError(_("A kind needs a code and a name."), field="code")
    try:
        with transaction.atomic():
            kind.save()
    except IntegrityError as exc:
        raise TicketError(_("Another kind has this code."), field="code") from exc
    return kind


class TicketKindForm(forms.ModelForm[TicketKind]):
    default_responsible = StaffChoiceField(
        queryset=User.objects.none(),
        required=False,
        label=gettext_lazy("Responsible by default"),
        help_text=TicketKind._meta.get_field("default_responsible").help_text,
    )

    class Meta:
        model = TicketKind
        fields = FIELDS

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["default_responsible"].queryset = executor_candidates()  # type: ignore[attr-defined]

    def changes(self) -> dict[str, Any]:
        return {field: self.cleaned_data[field] for field in FIELDS}
