from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NetworkConfig(AppConfig):
    name = "lastmile.network"
    label = "network"
    verbose_name = _("Network")

    def ready(self) -> None:
        from lastmile.customers.timeline import register_timeline_source
        from lastmile.network.timeline import network_events

        register_timeline_source("network", _("Network"), network_events)

        from lastmile.core.menu import MenuItem, register_menu

        register_menu(
            "network",
            [
                MenuItem(_("Address pools"), "network:pool_list", model="network.Pool", order=10),
                MenuItem(_("Leases"), "network:lease_list", model="network.Lease", order=20),
                MenuItem(_("Sessions"), "network:session_list", model="network.Session", order=30),
                MenuItem(
                    _("Assign a static address"),
                    "network:static_lease_add",
                    model="network.Lease",
                    action="add",
                    order=35,
                ),
                MenuItem(
                    _("IPoE bindings"),
                    "network:binding_list",
                    model="network.AccessBinding",
                    order=40,
                ),
                MenuItem(
                    _("Access servers (NAS)"), "network:nas_list", model="network.Nas", order=50
                ),
                MenuItem(_("VLANs"), "network:vlan_list", model="network.Vlan", order=60),
            ],
        )

        from lastmile.customers.queries import register_customer_section
        from lastmile.network.views import bindings_section_context

        register_customer_section("network/_customer_leases.html", order=30)
        register_customer_section(
            "network/_customer_bindings.html", context=bindings_section_context, order=31
        )
