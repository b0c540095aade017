from django.urls import path

from reports import views

app_name = "reports"

urlpatterns = [
    path("dashboard/", views.DashboardView.as_view(), name="dashboard"),
    path("league/", views.LeagueView.as_view(), name="league"),
    path("league.xlsx", views.LeagueExcelView.as_view(), name="league-xlsx"),
    path("league/weights/", views.LeagueWeightsView.as_view(), name="league-weights"),
    path("map/", views.MapView.as_view(), name="map"),
    path("weekly/", views.WeeklyPackView.as_view(), name="weekly"),
    path("weekly.xlsx", views.WeeklyPackExcelView.as_view(), name="weekly-xlsx"),
    path("weekly.pdf", views.WeeklyPackPdfView.as_view(), name="weekly-pdf"),
    path("todo/", views.TodoView.as_view(), name="todo"),
    path("exports/", views.ExportListView.as_view(), name="export-list"),
    path("exports/<int:pk>/", views.ExportDetailView.as_view(), name="export-detail"),
    path("exports/<int:pk>/download/", views.ExportDownloadView.as_view(), name="export-download"),
]
