from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TasksConfig(AppConfig):
    name = "lastmile.tasks"
    label = "tasks"
    verbose_name = _("Tickets")

    def ready(self) -> None:
        from lastmile.customers.queries import register_customer_section

        register_customer_section("tasks/_customer_tickets.html", order=40)
