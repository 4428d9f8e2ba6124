from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "lastmile.notifications"
    label = "notifications"
    verbose_name = _("Notifications")

    def ready(self) -> None:
        from lastmile.core.menu import MenuItem, register_menu

        register_menu(
            "work",
            [
                MenuItem(
                    _("Delivery log"),
                    "notifications:outbox_list",
                    model="notifications.Outbox",
                    order=30,
                ),
                MenuItem(
                    _("Message templates"),
                    "notifications:template_list",
                    model="notifications.NotificationTemplate",
                    order=40,
                ),
            ],
        )
