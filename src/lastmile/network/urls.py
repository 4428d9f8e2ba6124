from django.urls import path

from lastmile.network import views

app_name = "network"

urlpatterns = [
    path("pools/", views.PoolListView.as_view(), name="pool_list"),
    path("pools/add/", views.PoolEditView.as_view(), name="pool_add"),
    path("pools/<int:pk>/", views.PoolEditView.as_view(), name="pool_edit"),
    path("pools/<int:pk>/delete/", views.PoolDeleteView.as_view(), name="pool_delete"),
    path("nases/", views.NasListView.as_view(), name="nas_list"),
    path("nases/add/", views.NasEditView.as_view(), name="nas_add"),
    path("nases/<int:pk>/", views.NasEditView.as_view(), name="nas_edit"),
    path("nases/<int:pk>/delete/", views.NasDeleteView.as_view(), name="nas_delete"),
    path("vlans/", views.VlanListView.as_view(), name="vlan_list"),
    path("vlans/add/", views.VlanEditView.as_view(), name="vlan_add"),
    path("vlans/<int:pk>/", views.VlanEditView.as_view(), name="vlan_edit"),
    path("vlans/<int:pk>/delete/", views.VlanDeleteView.as_view(), name="vlan_delete"),
    path("leases/", views.LeaseListView.as_view(), name="lease_list"),
    path("leases/static/", views.static_lease_add, name="static_lease_add"),
    path("leases/<int:pk>/end/", views.lease_end, name="lease_end"),
    path("bindings/", views.BindingListView.as_view(), name="binding_list"),
    path("bindings/add/", views.binding_edit, name="binding_add"),
    path("bindings/<int:pk>/", views.binding_edit, name="binding_edit"),
    path("bindings/<int:pk>/delete/", views.binding_delete, name="binding_delete"),
    path("sessions/", views.SessionListView.as_view(), name="session_list"),
    path("sessions/<int:pk>/disconnect/", views.session_disconnect, name="session_disconnect"),
]
