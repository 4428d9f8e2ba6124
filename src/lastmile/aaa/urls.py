from django.urls import path

from lastmile.aaa import views

app_name = "aaa"

urlpatterns = [
    path("", views.AccessChangeListView.as_view(), name="change_list"),
    path("requests/", views.NasAttemptListView.as_view(), name="attempt_list"),
]
