"""Tickets for field staff: kinds, tickets, their log, comments and attachments."""

from __future__ import annotations

import pghistory
import pgtrigger
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lastmile.accounts.models import site_link
from lastmile.core.models import RestrictedModel, TimestampedModel, updated_at_trigger


@pghistory.track(
    pghistory.InsertEvent(),
    pghistory.UpdateEvent(),
    pghistory.DeleteEvent(),
    meta={"db_table": "tasks_ticketkindevent"},
)
class TicketKind(TimestampedModel, RestrictedModel):
    """What a ticket is about (repair, connection, dismantling …): staff-configurable."""

    code = models.SlugField(_("code"), max_length=50, unique=True)
    name = models.CharField(_("name"), max_length=100)
    is_active = models.BooleanField(_("active"), default=True)
    notify_customer_on_finish = models.BooleanField(
        _("notify the customer when finished"), default=False
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    # Routing of new tickets: who takes a new ticket of this kind that nobody is
    # assigned to (tickets.services.route_new_ticket).
    default_responsible = models.ForeignKey(
        "accounts.User",
        verbose_name=_("responsible by default"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_(
            "New tickets of this kind that nobody is assigned to go to this person, "
            "when their permissions cover the ticket's site. Otherwise the staff who "
            "may assign the ticket are told that it waits for someone."
        ),
    )

    class Meta:
        db_table = "tasks_ticketkind"  # the app was "tasks" (ADR 0008)
        verbose_name = _("ticket kind")
        verbose_name_plural = _("ticket kinds")
        ordering = ["position", "name"]
        triggers = [updated_at_trigger()]

    def __str__(self) -> str:
        return self.name


class TicketState(models.TextChoices):
    NEW = "new", _("new")
    IN_PROGRESS = "in_progress", _("in progress")
    DONE = "done", _("done")
    FAILED = "failed", _("failed")
    CANCELLED = "cancelled", _("cancelled")


OPEN_STATES = (TicketState.NEW, TicketState.IN_PROGRESS)

# The one table of allowed state changes: from -> allowed targets.
TRANSITIONS: dict[str, frozenset[str]] = {
    TicketState.NEW: frozenset({TicketState.IN_PROGRESS, TicketState.CANCELLED}),
    TicketState.IN_PROGRESS: frozenset(
        {TicketState.DONE, TicketState.FAILED, TicketState.CANCELLED, TicketState.NEW}
    ),
    TicketState.DONE: frozenset({TicketState.IN_PROGRESS}),  # reopen
    TicketState.FAILED: frozenset({TicketState.IN_PROGRESS}),  # reopen
    TicketState.CANCELLED: frozenset({TicketState.NEW}),  # reopen
}
# Changes that must carry a comment (it is written to the log).
COMMENT_REQUIRED = frozenset({TicketState.DONE, TicketState.FAILED})


class TicketPriority(models.TextChoices):
    LOW = "low", _("low")
    NORMAL = "normal", _("normal")
    HIGH = "high", _("high")
    URGENT = "urgent", _("urgent")


@pghistory.track(
    pghistory.InsertEvent(),
    pghistory.UpdateEvent(),
    pghistory.DeleteEvent(),
    meta={"db_table": "tasks_ticketevent"},
)
class Ticket(TimestampedModel, RestrictedModel):
    """A job for field staff.  State changes only through ``tickets.services``
    (and a subscriber's reply, ``tickets.subscriber``)."""

    kind = models.ForeignKey(
        TicketKind, verbose_name=_("kind"), on_delete=models.PROTECT, related_name="tickets"
    )
    priority = models.CharField(
        _("priority"), max_length=10, choices=TicketPriority.choices, default=TicketPriority.NORMAL
    )
    state = models.CharField(
        _("state"), max_length=12, choices=TicketState.choices, default=TicketState.NEW
    )
    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("customer"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="tickets",
    )
    site = site_link("tickets", help_text=_("Taken from the customer when empty."))
    # Placeholders until the devices app exists (then: foreign keys).
    device_id = models.BigIntegerField(_("device"), null=True, blank=True)
    port_id = models.BigIntegerField(_("port"), null=True, blank=True)
    description = models.TextField(_("description"))
    due_at = models.DateTimeField(_("due"), null=True, blank=True)
    author = models.ForeignKey(
        "accounts.User",
        verbose_name=_("author"),
        on_delete=models.PROTECT,
        related_name="authored_tickets",
    )
    responsible = models.ForeignKey(
        "accounts.User",
        verbose_name=_("responsible"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="responsible_tickets",
    )
    executors = models.ManyToManyField(
        "accounts.User", verbose_name=_("executors"), blank=True, related_name="tickets"
    )
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        db_table = "tasks_ticket"  # the app was "tasks" (ADR 0008)
        verbose_name = _("ticket")
        verbose_name_plural = _("tickets")
        ordering = ["-created_at", "-id"]
        triggers = [updated_at_trigger()]
        indexes = [
            models.Index(fields=["state", "due_at"], name="ticket_state_due"),
            models.Index(fields=["site", "state"], name="ticket_site_state"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(state__in=[s.value for s in TicketState]), name="ticket_state_valid"
            ),
            models.CheckConstraint(
                condition=Q(state__in=["done", "failed", "cancelled"], finished_at__isnull=False)
                | Q(state__in=["new", "in_progress"], finished_at__isnull=True),
                name="ticket_finished_at_matches_state",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.kind}"

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("tickets:ticket_detail", args=[self.pk])

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES

    @property
    def is_overdue(self) -> bool:
        return self.is_open and self.due_at is not None and self.due_at < timezone.now()

    def allowed_states(self) -> list[str]:
        return sorted(TRANSITIONS.get(self.state, frozenset()))


class TicketLog(models.Model):
    """The ticket's journal: creation, state changes, reassignments, edits.
    Append-only (a trigger refuses UPDATE and DELETE)."""

    class Action(models.TextChoices):
        CREATED = "created", _("created")
        STATE = "state", _("state changed")
        ASSIGNED = "assigned", _("reassigned")
        EDITED = "edited", _("edited")

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="log")
    action = models.CharField(_("action"), max_length=10, choices=Action.choices)
    actor = models.ForeignKey(
        "accounts.User",
        verbose_name=_("by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_constraint=False,
    )
    actor_name = models.CharField(_("by"), max_length=150, blank=True)
    from_state = models.CharField(_("from"), max_length=12, blank=True)
    to_state = models.CharField(_("to"), max_length=12, blank=True)
    before = models.JSONField(_("before"), default=dict, blank=True)
    after = models.JSONField(_("after"), default=dict, blank=True)
    comment = models.TextField(_("comment"), blank=True)
    created_at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)

    class Meta:
        db_table = "tasks_ticketlog"  # the app was "tasks" (ADR 0008)
        verbose_name = _("ticket log entry")
        verbose_name_plural = _("ticket log")
        ordering = ["created_at", "id"]
        triggers = [
            pgtrigger.Protect(name="append_only", operation=pgtrigger.Update | pgtrigger.Delete)
        ]

    def __str__(self) -> str:
        return f"#{self.ticket_id} {self.action}"


class TicketCommentQuerySet(models.QuerySet["TicketComment"]):
    def public(self) -> TicketCommentQuerySet:
        """What the subscriber may read: public comments only."""
        return self.filter(is_public=True)


class TicketComment(models.Model):
    """A note on a ticket.  Internal (staff only) unless ``is_public``; the
    subscriber sees public ones in the cabinet.  A subscriber's own reply has
    ``customer`` set (the author is then the inactive cabinet user) and is
    always public (a database constraint)."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(
        "accounts.User", verbose_name=_("author"), on_delete=models.PROTECT, related_name="+"
    )
    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("written by the subscriber"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    is_public = models.BooleanField(
        _("visible to the subscriber"),
        default=False,
        help_text=_("Internal comments are seen by staff only."),
    )
    text = models.TextField(_("comment"))
    created_at = models.DateTimeField(_("time"), default=timezone.now)

    objects = TicketCommentQuerySet.as_manager()

    class Meta:
        db_table = "tasks_ticketcomment"  # the app was "tasks" (ADR 0008)
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(customer__isnull=True) | Q(is_public=True),
                name="ticket_comment_customer_reply_public",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.ticket_id}: {self.text[:40]}"

    @property
    def is_by_customer(self) -> bool:
        return self.customer_id is not None


def _attachment_path(instance: TicketAttachment, filename: str) -> str:
    return f"tickets/{instance.comment.ticket_id}/{filename}"


class TicketAttachment(models.Model):
    """A file attached to a comment; served only through a permission-checked view."""

    comment = models.ForeignKey(TicketComment, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(_("file"), upload_to=_attachment_path, max_length=300)
    name = models.CharField(_("name"), max_length=255)
    size_bytes = models.PositiveIntegerField(_("size"))
    content_type = models.CharField(_("type"), max_length=100)

    class Meta:
        db_table = "tasks_ticketattachment"  # the app was "tasks" (ADR 0008)
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return self.name
