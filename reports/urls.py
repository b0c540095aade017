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
    # The Tuesday cycle
    path("weekly-reports/", views.ReportListView.as_view(), name="report-list"),
    path("weekly-reports/week/<str:week>/", views.ReportEditView.as_view(), name="report-edit"),
    path("weekly-reports/<int:pk>/", views.ReportDetailView.as_view(), name="report-detail"),
    path(
        "weekly-reports/<int:pk>/<slug:action>/",
        views.ReportActionView.as_view(),
        name="report-action",
    ),
    path("meetings/", views.MeetingListView.as_view(), name="meeting-list"),
    path("meetings/new/", views.MeetingFormView.as_view(), name="meeting-create"),
    path("meetings/<int:pk>/", views.MeetingDetailView.as_view(), name="meeting-detail"),
    path("meetings/<int:pk>/edit/", views.MeetingFormView.as_view(), name="meeting-edit"),
    path("meetings/<int:pk>/items/", views.ItemCreateView.as_view(), name="item-create"),
    path("meetings/<int:pk>/issue/", views.PackIssueView.as_view(), name="pack-issue"),
    path("packs/<int:pk>/", views.PackDetailView.as_view(), name="pack-detail"),
    path(
        "packs/<int:pk>/download/<slug:fmt>/",
        views.PackDownloadView.as_view(),
        name="pack-download",
    ),
    path("action-items/", views.ItemListView.as_view(), name="item-list"),
    path("action-items/<int:pk>/", views.ItemDetailView.as_view(), name="item-detail"),
    path(
        "action-items/<int:pk>/<slug:action>/", views.ItemActionView.as_view(), name="item-action"
    ),
    path("photos/<uuid:public_id>/", views.ReportPhotoView.as_view(), name="photo"),
]
