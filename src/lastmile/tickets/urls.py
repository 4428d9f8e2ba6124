from django.urls import path

from lastmile.tickets import views, views_kinds

app_name = "tickets"

urlpatterns = [
    path("", views.ticket_list, name="ticket_list"),
    path("my/", views.my_tickets, name="my_tickets"),
    path("add/", views.ticket_create, name="ticket_add"),
    path("<int:pk>/", views.ticket_detail, name="ticket_detail"),
    path("<int:pk>/edit/", views.ticket_edit, name="ticket_edit"),
    path("<int:pk>/state/", views.ticket_transition, name="ticket_transition"),
    path("<int:pk>/assign/", views.ticket_assign, name="ticket_assign"),
    path("<int:pk>/comment/", views.ticket_comment, name="ticket_comment"),
    path("attachments/<int:pk>/", views.attachment_download, name="attachment"),
    path("kinds/", views_kinds.TicketKindListView.as_view(), name="kind_list"),
    path("kinds/add/", views_kinds.TicketKindEditView.as_view(), name="kind_add"),
    path("kinds/<int:pk>/", views_kinds.TicketKindEditView.as_view(), name="kind_edit"),
]
