"""Staff users, sites/branches, object permissions, API tokens and the auth log."""

from __future__ import annotations

from typing import Any, cast

import pghistory
import pgtrigger
from django.conf import settings
from django.contrib.auth.models import AbstractUser, Group, UserManager
from django.contrib.contenttypes.models import ContentType
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from lastmile.core.actor import Actor
from lastmile.core.models import RestrictedModel, TimestampedModel, updated_at_trigger
from lastmile.core.querysets import RestrictedQuerySet


def staff_user(request: Any) -> User:
    """The authenticated staff member of a request (views run behind login)."""
    return cast(User, request.user)


def actor_user(actor: Actor | None) -> User | None:
    """The staff member behind an actor, for a foreign key that records who did it
    (None for the system, an anonymous user or a subscriber)."""
    return actor if isinstance(actor, User) else None


def site_link(related_name: str | None = None, help_text: Any = "") -> models.ForeignKey[Any]:
    """The site an object belongs to: optional, and what site-scoped
    permissions (``{"site__slug": …}``) filter on.  A site in use is never deleted."""
    return models.ForeignKey(
        "accounts.Site",
        verbose_name=_("site"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name=related_name,
        help_text=help_text,
    )


def staff_link(verbose_name: Any, **options: Any) -> models.ForeignKey[Any]:
    """The staff member who did something (none for the system or a subscriber);
    a user who did anything is never deleted, only deactivated."""
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=verbose_name,
        **options,
    )


class StaffManager(UserManager.from_queryset(RestrictedQuerySet)):  # type: ignore[misc]
    pass


@pghistory.track(exclude=["password", "last_login"])
class User(AbstractUser):
    """A staff member (admin, cashier, engineer, support).  Subscribers are customers, not users."""

    site = site_link("staff")
    phone = models.CharField(_("phone"), max_length=32, blank=True)

    objects = StaffManager()  # type: ignore[misc]

    class Meta:
        verbose_name = _("staff member")
        verbose_name_plural = _("staff")
        ordering = ["username"]


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class Site(TimestampedModel, RestrictedModel):
    """A branch of the ISP.  Only meaningful when LASTMILE_SITES_ENABLED is on."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    slug = models.SlugField(_("slug"), max_length=100, unique=True)
    address = models.CharField(_("address"), max_length=255, blank=True)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        verbose_name = _("site")
        verbose_name_plural = _("sites")
        ordering = ["name"]
        triggers = [updated_at_trigger()]

    def __str__(self) -> str:
        return self.name


def _default_actions() -> list[str]:
    return ["view"]


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class ObjectPermission(TimestampedModel, RestrictedModel):
    """Grants actions on models, optionally only on objects matching constraints.

    ``constraints`` is a JSON object of queryset lookups (all must match), or a
    list of such objects (any may match).  ``{"site__slug": "north"}`` limits a
    permission to one branch; ``"$user"`` stands for the acting user's id and
    ``"$site"`` for the acting user's site id.  Empty means every object.
    """

    name = models.CharField(_("name"), max_length=100, unique=True)
    description = models.TextField(_("description"), blank=True)
    is_enabled = models.BooleanField(_("enabled"), default=True)
    object_types = models.ManyToManyField(
        ContentType, verbose_name=_("object types"), related_name="+"
    )
    actions = ArrayField(
        models.CharField(max_length=30),
        verbose_name=_("actions"),
        default=_default_actions,
        help_text=_("Any of: view, add, change, delete (or a custom action)."),
    )
    constraints = models.JSONField(
        _("constraints"),
        null=True,
        blank=True,
        help_text=_('Queryset filter, e.g. {"site__slug": "north"}; empty means all objects.'),
    )
    users = models.ManyToManyField(
        "accounts.User", verbose_name=_("users"), blank=True, related_name="object_permissions"
    )
    groups = models.ManyToManyField(
        Group, verbose_name=_("groups"), blank=True, related_name="object_permissions"
    )

    class Meta:
        verbose_name = _("permission")
        verbose_name_plural = _("permissions")
        ordering = ["name"]
        triggers = [updated_at_trigger()]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(actions__len__gt=0), name="objectpermission_has_actions"
            )
        ]

    def __str__(self) -> str:
        return self.name


class ApiTokenQuerySet(RestrictedQuerySet["ApiToken"]):
    def usable(self) -> ApiTokenQuerySet:
        now = timezone.now()
        return self.filter(revoked_at__isnull=True).filter(
            models.Q(expires_at__isnull=True) | models.Q(expires_at__gt=now)
        )


def _full_scope() -> list[str]:
    return ["*"]


class ApiToken(models.Model):
    """A staff REST API token.  Only a SHA-256 of the secret is stored; the
    secret is shown once, at creation.  ``scopes`` narrow what the token may
    do within its user's rights (lastmile.accounts.scopes)."""

    user = models.ForeignKey(
        "accounts.User", verbose_name=_("user"), on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(_("prefix"), max_length=12, db_index=True)
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    scopes = ArrayField(
        models.CharField(max_length=40),
        verbose_name=_("scopes"),
        default=_full_scope,
        help_text=_('"*" (full access), or per area "customers:read", "finance:write"…'),
    )

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(scopes__len__gt=0), name="apitoken_has_scopes"
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_usable(self) -> bool:
        if self.revoked_at is not None:
            return False
        return self.expires_at is None or self.expires_at > timezone.now()


class StaffSession(models.Model):
    """A staff member's browser session (one per login), so they can see where
    they are logged in and end a session.  The session itself is Django's."""

    user = models.ForeignKey(
        "accounts.User", verbose_name=_("user"), on_delete=models.CASCADE, related_name="+"
    )
    session_key = models.CharField(max_length=40, unique=True)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    user_agent = models.CharField(_("user agent"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("logged in"), default=timezone.now)

    class Meta:
        verbose_name = _("staff session")
        verbose_name_plural = _("staff sessions")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.user_id} {self.created_at:%Y-%m-%d %H:%M}"


class AuthEvent(models.Model):
    """Every staff login, logout and failed login (append-only)."""

    class Kind(models.TextChoices):
        LOGIN = "login", pgettext_lazy("login event", "login")
        LOGOUT = "logout", pgettext_lazy("login event", "logout")
        LOGIN_FAILED = "login_failed", pgettext_lazy("login event", "failed login")
        THROTTLED = "throttled", pgettext_lazy("login event", "throttled login")

    kind = models.CharField(_("event"), max_length=20, choices=Kind.choices)
    # No database constraint: the log outlives a deleted staff account, and
    # its rows are immutable, so the username is kept alongside the id.
    user = models.ForeignKey(
        "accounts.User",
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    username = models.CharField(_("username"), max_length=150, db_index=True)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    user_agent = models.CharField(_("user agent"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("login event")
        verbose_name_plural = _("login events")
        ordering = ["-created_at", "-id"]
        triggers = [
            pgtrigger.Protect(name="append_only", operation=pgtrigger.Update | pgtrigger.Delete)
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.username}"
