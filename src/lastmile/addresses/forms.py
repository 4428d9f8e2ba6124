"""The staff form of a registry object; ``addresses.services`` writes it."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from lastmile.addresses import socrbase
from lastmile.addresses.models import AddressObject, Level
from lastmile.addresses.picker import RegistryPicker


def type_code_choices() -> list[Any]:
    """The SOCRBASE types grouped by the registry level they are valid for
    (a locality takes both FIAS city and settlement types)."""
    groups: list[Any] = [("", _("— choose a type —"))]
    for level in socrbase.LEVELS:
        groups.append((Level(level).label, socrbase.choices(level)))
    return groups


class AddressObjectForm(forms.Form):
    """Place in the tree, level, type, name, house parts, ids, postcode, coordinates."""

    parent = forms.ModelChoiceField(
        queryset=AddressObject.objects.none(),
        required=False,
        label=_("inside"),
        widget=RegistryPicker(scope="parent"),
        help_text=_("Type part of the name of the object this one is inside (none for a region)."),
    )
    level = forms.ChoiceField(label=_("level"), choices=Level.choices)
    type_code = forms.TypedChoiceField(
        label=_("SOCRBASE type"),
        coerce=int,
        empty_value=None,
        required=False,
        help_text=_(
            "Regions, districts, localities and streets: the type SORM receives; "
            "only the types of the object's level are accepted."
        ),
    )
    type_short = forms.CharField(
        label=_("type (short)"),
        max_length=20,
        required=False,
        help_text=_('Houses and apartments only: "д", "кв", "оф".'),
    )
    name = forms.CharField(
        label=_("name"),
        max_length=255,
        help_text=_("For a house its number, for an apartment or office its number."),
    )
    building = forms.CharField(label=_("building"), max_length=20, required=False)
    structure = forms.CharField(label=_("structure"), max_length=20, required=False)
    letter = forms.CharField(label=_("letter"), max_length=10, required=False)
    postcode = forms.CharField(label=_("postcode"), max_length=6, required=False)
    latitude = forms.DecimalField(
        label=_("latitude"), max_digits=9, decimal_places=6, required=False
    )
    longitude = forms.DecimalField(
        label=_("longitude"), max_digits=9, decimal_places=6, required=False
    )
    fias_guid = forms.UUIDField(label=_("FIAS/GAR GUID"), required=False)
    gar_object_id = forms.IntegerField(label=_("GAR object id"), required=False, min_value=1)
    is_active = forms.BooleanField(label=_("active"), required=False, initial=True)

    def __init__(self, *args: Any, instance: AddressObject, user: Any, **kwargs: Any) -> None:
        if instance.pk is not None or instance.parent_id is not None:
            kwargs.setdefault(
                "initial",
                {
                    "parent": instance.parent_id,
                    "level": instance.level,
                    "type_code": instance.type_code,
                    "type_short": instance.type_short,
                    "name": instance.name,
                    "building": instance.building,
                    "structure": instance.structure,
                    "letter": instance.letter,
                    "postcode": instance.postcode,
                    "latitude": instance.latitude,
                    "longitude": instance.longitude,
                    "fias_guid": instance.fias_guid,
                    "gar_object_id": instance.gar_object_id,
                    "is_active": instance.is_active if instance.pk else True,
                },
            )
        super().__init__(*args, **kwargs)
        parent = self.fields["parent"]
        assert isinstance(parent, forms.ModelChoiceField)
        parent.queryset = AddressObject.objects.restrict(user, "view").exclude(
            level=Level.APARTMENT
        )
        type_code = self.fields["type_code"]
        assert isinstance(type_code, forms.TypedChoiceField)
        type_code.choices = type_code_choices()
        if instance.parent_id and instance.pk is None:
            # A child of the preselected parent: the next level down.
            from lastmile.addresses.models import LEVEL_ORDER

            parent_level = instance.parent.level if instance.parent else ""
            if parent_level in LEVEL_ORDER[:-1]:
                self.initial["level"] = LEVEL_ORDER[LEVEL_ORDER.index(parent_level) + 1]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        from lastmile.addresses.services import needs_type_code

        if needs_type_code(cleaned.get("level", "")):
            cleaned.pop("type_short", None)  # it comes from the chosen code
        return cleaned
