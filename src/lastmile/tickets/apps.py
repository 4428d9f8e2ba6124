from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TasksConfig(AppConfig):
    name = "lastmile.tickets"
    label = "tickets"
    verbose_name = _("Tickets")

    def ready(self) -> None:
        from lastmile.customers.timeline import register_timeline_source
        from lastmile.tickets.timeline import ticket_events

        register_timeline_source("tickets", _("Tickets"), ticket_events)

        from lastmile.core.menu import MenuItem, register_menu

        register_menu(
            "work",
            [
                MenuItem(_("Tickets"), "tickets:ticket_list", model="tickets.Ticket", order=10),
                MenuItem(_("My tickets"), "tickets:my_tickets", model="tickets.Ticket", order=20),
                MenuItem(
                    _("Ticket kinds"), "tickets:kind_list", model="tickets.TicketKind", order=30
                ),
            ],
        )

        from lastmile.customers.queries import register_customer_section

        register_customer_section("tickets/_customer_tickets.html", order=40)
