from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from lastmile.accounts.forms import AdminLoginForm
from lastmile.accounts.models import ApiToken, AuthEvent, ObjectPermission, Site, User

# The admin site's login is throttled like /login/ (the axes backend refuses a
# locked-out account anyway; this form also says why).
admin.site.login_form = AdminLoginForm


@admin.register(User)
class StaffAdmin(UserAdmin[User]):
    fieldsets = (*UserAdmin.fieldsets, ("lastmile", {"fields": ("site", "phone")}))  # type: ignore[operator,misc]
    list_display = ("username", "first_name", "last_name", "site", "is_active", "is_superuser")
    list_filter = ("is_active", "is_superuser", "site", "groups")


@admin.register(Site)
class SiteAdmin(admin.ModelAdmin[Site]):
    list_display = ("name", "slug", "address")
    search_fields = ("name", "slug")


@admin.register(ObjectPermission)
class ObjectPermissionAdmin(admin.ModelAdmin[ObjectPermission]):
    list_display = ("name", "is_enabled", "actions", "constraints")
    filter_horizontal = ("object_types", "users", "groups")


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin[ApiToken]):
    list_display = (
        "name",
        "user",
        "prefix",
        "scopes",
        "created_at",
        "last_used_at",
        "expires_at",
        "revoked_at",
    )
    readonly_fields = ("prefix", "digest", "created_at", "last_used_at")


@admin.register(AuthEvent)
class AuthEventAdmin(admin.ModelAdmin[AuthEvent]):
    list_display = ("created_at", "kind", "username", "ip_address")
    list_filter = ("kind",)
    search_fields = ("username",)

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False
