from django.urls import path

from lastmile.contracts import views

app_name = "contracts"

urlpatterns = [
    path("", views.ContractListView.as_view(), name="contract_list"),
    path("add/", views.contract_add, name="contract_add"),
    path("<int:pk>/", views.contract_detail, name="contract_detail"),
    path("<int:pk>/state/", views.contract_state, name="contract_state"),
    path("<int:pk>/documents/", views.document_create, name="document_create"),
    path("documents/<int:pk>/pdf/", views.document_pdf, name="document_pdf"),
    path("templates/", views.TemplateListView.as_view(), name="template_list"),
    path("templates/add/", views.template_edit, name="template_add"),
    path("templates/<int:pk>/", views.template_edit, name="template_edit"),
]
