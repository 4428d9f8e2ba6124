from django.urls import path

from lastmile.devices import views

app_name = "devices"

urlpatterns = [
    path("", views.DeviceListView.as_view(), name="device_list"),
    path("add/", views.device_edit, name="device_add"),
    path("actions/", views.DeviceActionListView.as_view(), name="action_list"),
    path("webhook/status", views.status_webhook, name="status_webhook"),
    path("<int:pk>/", views.device_detail, name="device_detail"),
    path("<int:pk>/edit/", views.device_edit, name="device_edit"),
    path("<int:pk>/delete/", views.DeviceDeleteView.as_view(), name="device_delete"),
    path("<int:pk>/ports/", views.ports_partial, name="ports"),
    path("<int:pk>/ports/add/", views.port_add, name="port_add"),
    path("<int:pk>/ports/bulk/", views.ports_bulk, name="ports_bulk"),
    path("<int:pk>/ports/<int:number>/toggle/", views.port_toggle, name="port_toggle"),
    path("<int:pk>/ports/<int:number>/vlans/", views.port_vlans, name="port_vlans"),
    path("<int:pk>/mac/", views.mac_table_partial, name="mac_table"),
    path("<int:pk>/vlans/", views.vlans_partial, name="vlans"),
    path("<int:pk>/onus/", views.onus_partial, name="onus"),
    path("<int:pk>/onus/vlans/", views.onu_vlans_partial, name="onu_vlans"),
    path("<int:pk>/onus/register/", views.onu_register, name="onu_register"),
    path("<int:pk>/onus/rename/", views.onu_rename, name="onu_rename"),
    path("<int:pk>/onus/remove/", views.onu_remove, name="onu_remove"),
    path("<int:pk>/links/add/", views.link_add, name="link_add"),
    path("<int:pk>/links/<int:link_pk>/delete/", views.link_delete, name="link_delete"),
    path("<int:pk>/history/", views.status_history, name="status_history"),
    path("<int:pk>/<str:operation>/", views.device_command, name="command"),
]
