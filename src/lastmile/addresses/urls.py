from django.urls import path

from lastmile.addresses import views

app_name = "addresses"

urlpatterns = [
    path("", views.AddressListView.as_view(), name="address_list"),
    path("pick/", views.address_pick, name="pick"),
    path("add/", views.address_edit, name="add"),
    path("<int:pk>/edit/", views.address_edit, name="edit"),
]
