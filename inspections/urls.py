from django.urls import path

from inspections import views

app_name = "inspections"

urlpatterns = [
    path("", views.TodayView.as_view(), name="today"),
    path("patrols/", views.PatrolListView.as_view(), name="patrol-list"),
    path("patrols/new/<int:estate_pk>/", views.PatrolCreateView.as_view(), name="patrol-create"),
    path("patrols/daily.pdf", views.PatrolPdfView.as_view(), name="patrol-pdf"),
    path("patrols/<int:pk>/", views.PatrolDetailView.as_view(), name="patrol-detail"),
    path("patrols/<int:pk>/amend/", views.PatrolAmendView.as_view(), name="patrol-amend"),
    path("patrols/<int:pk>/hazards/new/", views.HazardCreateView.as_view(), name="hazard-create"),
    path("hazards/", views.HazardListView.as_view(), name="hazard-list"),
    path("hazards/<int:pk>/", views.HazardDetailView.as_view(), name="hazard-detail"),
    path("hazards/<int:pk>/<slug:action>/", views.HazardActionView.as_view(), name="hazard-action"),
    path("compliance/", views.ComplianceView.as_view(), name="compliance"),
    path("missed/", views.MissedPatrolListView.as_view(), name="missed-list"),
    path("quality/", views.QualityListView.as_view(), name="quality-list"),
    path("quality/new/", views.QualityCreateView.as_view(), name="quality-create-pick"),
    path("quality/new/<int:estate_pk>/", views.QualityCreateView.as_view(), name="quality-create"),
    path("quality/<int:pk>/", views.QualityDetailView.as_view(), name="quality-detail"),
    path(
        "quality/<int:pk>/<slug:action>/",
        views.QualityActionView.as_view(),
        name="quality-action",
    ),
    path("photos/<uuid:public_id>/", views.PhotoView.as_view(), name="photo"),
]
