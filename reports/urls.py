from django.urls import path

from reports import views

app_name = "reports"

urlpatterns = [
    path("exports/", views.ExportListView.as_view(), name="export-list"),
    path("exports/<int:pk>/", views.ExportDetailView.as_view(), name="export-detail"),
    path("exports/<int:pk>/download/", views.ExportDownloadView.as_view(), name="export-download"),
]
