from django.urls import path

from lastmile.customers import bulk, bulk_message, views

app_name = "customers"

urlpatterns = [
    path("", views.CustomerListView.as_view(), name="customer_list"),
    path("add/", views.CustomerEditView.as_view(), name="customer_add"),
    path("bulk/", bulk.customer_bulk, name="customer_bulk"),
    path("bulk/message/", bulk_message.bulk_message, name="bulk_message"),
    path(
        "bulk/message/<int:job_id>/",
        bulk_message.bulk_message_progress,
        name="bulk_message_progress",
    ),
    path("<int:pk>/", views.customer_detail, name="customer_detail"),
    path("<int:pk>/timeline/", views.customer_timeline_view, name="customer_timeline"),
    path("<int:pk>/edit/", views.CustomerEditView.as_view(), name="customer_edit"),
    path("<int:pk>/passwords/", views.CustomerPasswordsView.as_view(), name="customer_passwords"),
    path("<int:pk>/extra/", views.CustomerExtraValuesView.as_view(), name="customer_extra"),
    path("<int:pk>/reveal-secret/", views.customer_reveal_secret, name="customer_reveal_secret"),
    path(
        "<int:pk>/activate/",
        views.customer_set_active,
        {"active": True},
        name="customer_activate",
    ),
    path(
        "<int:pk>/deactivate/",
        views.customer_set_active,
        {"active": False},
        name="customer_deactivate",
    ),
    path("groups/", views.GroupListView.as_view(), name="group_list"),
    path("groups/add/", views.GroupEditView.as_view(), name="group_add"),
    path("groups/<int:pk>/", views.GroupEditView.as_view(), name="group_edit"),
    path("groups/<int:pk>/delete/", views.GroupDeleteView.as_view(), name="group_delete"),
    path("extra-fields/", views.ExtraFieldListView.as_view(), name="extra_field_list"),
    path("extra-fields/add/", views.ExtraFieldEditView.as_view(), name="extra_field_add"),
    path("extra-fields/<int:pk>/", views.ExtraFieldEditView.as_view(), name="extra_field_edit"),
    path(
        "extra-fields/<int:pk>/delete/",
        views.ExtraFieldDeleteView.as_view(),
        name="extra_field_delete",
    ),
]
