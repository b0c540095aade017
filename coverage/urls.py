from django.urls import path

from coverage import views

app_name = "coverage"

urlpatterns = [
    path("", views.CoverageOverviewView.as_view(), name="overview"),
    path("ledger/", views.CoverageLedgerView.as_view(), name="ledger"),
    path("ledger/export.xlsx", views.CoverageLedgerExportView.as_view(), name="export"),
    path("reinspections/", views.ReinspectionListView.as_view(), name="reinspections"),
    path("compounds/<int:pk>/", views.EstateCoverageView.as_view(), name="estate"),
    path(
        "compounds/<int:pk>/arrangements/new/",
        views.ArrangementCreateView.as_view(),
        name="arrangement-create",
    ),
    path("compounds/<int:pk>/assess/", views.AssessView.as_view(), name="assess"),
    path("compounds/<int:pk>/reinspect/", views.ReinspectionRecordView.as_view(), name="reinspect"),
    path("arrangements/<int:pk>/end/", views.EndArrangementView.as_view(), name="arrangement-end"),
    path("assessments/<int:pk>/verify/", views.VerifyView.as_view(), name="verify"),
    path("assessments/<int:pk>/photo/", views.AssessmentPhotoView.as_view(), name="photo"),
    path("reinspections/<int:pk>/follow-up/", views.FollowUpView.as_view(), name="follow-up"),
]
