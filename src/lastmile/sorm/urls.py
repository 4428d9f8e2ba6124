from django.urls import path

from lastmile.sorm import views

app_name = "sorm"

urlpatterns = [
    path("", views.ExportRunListView.as_view(), name="run_list"),
    path("start/", views.run_start, name="run_start"),
    path("<int:pk>/", views.run_detail, name="run_detail"),
    path("files/<int:pk>/download/", views.file_download, name="file_download"),
    path("gaps/", views.DataGapListView.as_view(), name="gap_list"),
    path("gaps/refresh/", views.gaps_refresh, name="gaps_refresh"),
    path("settings/", views.settings_view, name="settings"),
]
