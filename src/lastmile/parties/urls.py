from django.urls import path

from lastmile.parties import views

app_name = "parties"

urlpatterns = [
    path("legal/", views.LegalEntityListView.as_view(), name="legal_list"),
    path("legal/add/", views.legal_edit, name="legal_add"),
    path("legal/<int:pk>/", views.legal_detail, name="legal_detail"),
    path("legal/<int:pk>/edit/", views.legal_edit, name="legal_edit"),
    path("customers/<int:pk>/individual/", views.individual_edit, name="individual_edit"),
    path("address-review/", views.AddressReviewListView.as_view(), name="review_list"),
    path("address-review/match/", views.review_match, name="review_match"),
]
