from __future__ import annotations

from django import forms

from lastmile.notifications.models import NotificationTemplate


class TemplateForm(forms.ModelForm[NotificationTemplate]):
    class Meta:
        model = NotificationTemplate
        fields = ["event", "language", "channel", "subject", "body", "is_active"]
        widgets = {"body": forms.Textarea(attrs={"rows": 6})}
