from django.urls import path

from lastmile.notifications import views

app_name = "notifications"

urlpatterns = [
    path("", views.OutboxListView.as_view(), name="outbox_list"),
    path("<int:pk>/", views.outbox_detail, name="outbox_detail"),
    path("<int:pk>/resend/", views.outbox_resend, name="outbox_resend"),
    path("templates/", views.TemplateListView.as_view(), name="template_list"),
    path("templates/add/", views.template_edit, name="template_add"),
    path("templates/<int:pk>/", views.template_edit, name="template_edit"),
    path("templates/preview/", views.template_preview, name="template_preview"),
    path("channels/", views.channels_status, name="channels"),
]
