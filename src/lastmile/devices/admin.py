from django.contrib import admin

from lastmile.devices.models import OnuTemplate


@admin.register(OnuTemplate)
class OnuTemplateAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("name", "driver", "onu_type", "vlan")
