from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from lastmile.accounts.models import User
from lastmile.tickets.models import Ticket, TicketKind, TicketPriority, TicketState


class StaffChoiceField(forms.ModelChoiceField[User]):
    def label_from_instance(self, obj: Any) -> str:
        full = obj.get_full_name()
        return f"{obj.get_username()} ({full})" if full else obj.get_username()


class StaffMultipleChoiceField(forms.ModelMultipleChoiceField[User]):
    def label_from_instance(self, obj: Any) -> str:
        return StaffChoiceField.label_from_instance(self, obj)  # type: ignore[arg-type]


def _staff_queryset(users: list[User]) -> Any:
    return User.objects.filter(pk__in=[u.pk for u in users]).order_by("username")


class TicketCreateForm(forms.Form):
    kind = forms.ModelChoiceField(
        queryset=TicketKind.objects.filter(is_active=True), label=_("Kind")
    )
    priority = forms.ChoiceField(
        choices=TicketPriority.choices, initial=TicketPriority.NORMAL, label=_("Priority")
    )
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), label=_("Description"))
    due_at = forms.DateTimeField(
        required=False,
        label=_("Due"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    responsible = StaffChoiceField(
        queryset=User.objects.none(), required=False, label=_("Responsible")
    )
    executors = StaffMultipleChoiceField(
        queryset=User.objects.none(),
        required=False,
        label=_("Executors"),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Only active staff whose permissions cover this ticket's site are listed."),
    )

    def __init__(self, *args: Any, candidates: list[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        queryset = _staff_queryset(candidates)
        self.fields["responsible"].queryset = queryset  # type: ignore[attr-defined]
        self.fields["executors"].queryset = queryset  # type: ignore[attr-defined]


class TicketEditForm(forms.ModelForm[Ticket]):
    class Meta:
        model = Ticket
        fields = ["kind", "priority", "description", "due_at"]
        widgets = {
            "due_at": forms.DateTimeInput(
                attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"
            ),
            "description": forms.Textarea(attrs={"rows": 4}),
        }


class AssignForm(forms.Form):
    responsible = StaffChoiceField(
        queryset=User.objects.none(), required=False, label=_("Responsible")
    )
    executors = StaffMultipleChoiceField(
        queryset=User.objects.none(),
        required=False,
        label=_("Executors"),
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, candidates: list[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        queryset = _staff_queryset(candidates)
        self.fields["responsible"].queryset = queryset  # type: ignore[attr-defined]
        self.fields["executors"].queryset = queryset  # type: ignore[attr-defined]


class TransitionForm(forms.Form):
    to_state = forms.ChoiceField(choices=TicketState.choices, widget=forms.HiddenInput)
    comment = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 2}), label=_("Comment")
    )


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> Any:
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(d, initial) for d in data]
        return [single(data, initial)] if data else []


class CommentForm(forms.Form):
    text = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 3}), label=_("Comment")
    )
    attachments = MultipleFileField(required=False, label=_("Attachments"))
    is_public = forms.BooleanField(
        required=False,
        initial=False,
        label=_("Visible to the subscriber"),
        help_text=_("Unticked, the comment is internal: staff only."),
    )

    def __init__(self, *args: Any, has_customer: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not has_customer:  # no cabinet to show it in: every comment is internal
            del self.fields["is_public"]
