from django.urls import path

from lastmile.devices import views, views_links, views_monitoring, views_onus, views_ports

app_name = "devices"

urlpatterns = [
    path("", views.DeviceListView.as_view(), name="device_list"),
    path("add/", views.device_edit, name="device_add"),
    path("actions/", views.DeviceActionListView.as_view(), name="action_list"),
    path("ports/search/", views_ports.port_search, name="port_search"),
    path("onus/", views_onus.OnuListView.as_view(), name="onu_list"),
    path("onus/<int:pk>/", views_onus.onu_detail, name="onu_detail"),
    path("onus/<int:pk>/vlans/", views_onus.onu_vlan_change, name="onu_vlan_change"),
    path("templates/", views_onus.OnuTemplateListView.as_view(), name="template_list"),
    path("templates/add/", views_onus.template_edit, name="template_add"),
    path("templates/<int:pk>/", views_onus.template_edit, name="template_edit"),
    path("webhook/status", views_monitoring.status_webhook, name="status_webhook"),
    path("<int:pk>/", views.device_detail, name="device_detail"),
    path("<int:pk>/edit/", views.device_edit, name="device_edit"),
    path("<int:pk>/delete/", views.DeviceDeleteView.as_view(), name="device_delete"),
    path("<int:pk>/ports/", views_ports.ports_partial, name="ports"),
    path("<int:pk>/ports/add/", views_ports.port_add, name="port_add"),
    path("<int:pk>/ports/bulk/", views_ports.ports_bulk, name="ports_bulk"),
    path("<int:pk>/ports/<int:number>/toggle/", views_ports.port_toggle, name="port_toggle"),
    path("<int:pk>/ports/<int:number>/settings/", views_ports.port_settings, name="port_settings"),
    path("<int:pk>/ports/<int:number>/vlans/", views_ports.port_vlans, name="port_vlans"),
    path("<int:pk>/mac/", views_ports.mac_table_partial, name="mac_table"),
    path("<int:pk>/vlans/", views_ports.vlans_partial, name="vlans"),
    path("<int:pk>/vlans/create/", views_ports.vlan_create, name="vlan_create"),
    path("<int:pk>/vlans/<int:vid>/delete/", views_ports.vlan_delete, name="vlan_delete"),
    path("<int:pk>/onus/", views_onus.onus_partial, name="onus"),
    path("<int:pk>/onus/vlans/", views_onus.onu_vlans_partial, name="onu_vlans"),
    path("<int:pk>/onus/register/", views_onus.onu_register, name="onu_register"),
    path("<int:pk>/onus/rename/", views_onus.onu_rename, name="onu_rename"),
    path("<int:pk>/onus/remove/", views_onus.onu_remove, name="onu_remove"),
    path("<int:pk>/links/add/", views_links.link_add, name="link_add"),
    path("<int:pk>/links/<int:link_pk>/delete/", views_links.link_delete, name="link_delete"),
    path("<int:pk>/history/", views_monitoring.status_history, name="status_history"),
    path("<int:pk>/<str:operation>/", views.device_command, name="command"),
]
