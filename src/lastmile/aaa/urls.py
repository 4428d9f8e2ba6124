from django.urls import path

from lastmile.aaa import outcome, views, views_tokens

app_name = "aaa"

urlpatterns = [
    path("", views.AccessChangeListView.as_view(), name="change_list"),
    path("requests/", views.NasAttemptListView.as_view(), name="attempt_list"),
    path("<int:pk>/outcome/", outcome.change_outcome, name="change_outcome"),
    path("nas/<int:pk>/token/", views_tokens.nas_token, name="nas_token"),
]
