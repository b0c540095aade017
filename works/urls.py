from django.urls import path
from django.views.generic import RedirectView

from works import acceptance_views, views

app_name = "works"

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="works:list"), name="index"),
    path("sheets/", views.WorksListView.as_view(), name="list"),
    path("sheets/export.xlsx", views.WorksExportView.as_view(), name="export"),
    path("sheets/<int:pk>/", views.EstateSheetView.as_view(), name="sheet"),
    path("sheets/<int:pk>/scope/", views.ScopeEditView.as_view(), name="scope-edit"),
    path(
        "sheets/<int:pk>/scope/<str:action>/",
        views.ScopeActionView.as_view(),
        name="scope-action",
    ),
    path("items/<int:pk>/<str:action>/", views.ItemTransitionView.as_view(), name="transition"),
    path("schedule/", views.ScheduleView.as_view(), name="schedule"),
    path("schedule/export.xlsx", views.ScheduleExportView.as_view(), name="schedule-export"),
    path("schedule/<int:office>/edit/", views.ScheduleEditView.as_view(), name="schedule-edit"),
    path("companies/", views.CompanyListView.as_view(), name="companies"),
    path("companies/new/", views.CompanyFormView.as_view(), name="company-create"),
    path("companies/<int:pk>/edit/", views.CompanyFormView.as_view(), name="company-edit"),
    path(
        "companies/<int:pk>/accounts/",
        views.CompanyAccountsView.as_view(),
        name="company-accounts",
    ),
    path(
        "estates/<int:estate_pk>/supervision-notes/new/",
        views.SupervisionNoteCreateView.as_view(),
        name="supervision-note-create",
    ),
    path("tenders/", views.TenderListView.as_view(), name="tenders"),
    path("tenders/new/", views.TenderCreateView.as_view(), name="tender-create"),
    path("tenders/<int:pk>/", views.TenderDetailView.as_view(), name="tender"),
    path("tenders/<int:pk>/<str:action>/", views.TenderActionView.as_view(), name="tender-action"),
    path("contracts/", views.ContractListView.as_view(), name="contracts"),
    path("campaigns/", views.CampaignListView.as_view(), name="campaigns"),
    path("acceptance/", acceptance_views.AcceptanceListView.as_view(), name="acceptances"),
    path(
        "acceptance/open/<int:pk>/",
        acceptance_views.AcceptanceOpenView.as_view(),
        name="acceptance-open",
    ),
    path(
        "acceptance/<int:pk>/", acceptance_views.AcceptanceDetailView.as_view(), name="acceptance"
    ),
    path(
        "acceptance/<int:pk>/pdf/",
        acceptance_views.AcceptancePdfView.as_view(),
        name="acceptance-pdf",
    ),
    path(
        "acceptance/<int:pk>/<str:action>/",
        acceptance_views.AcceptanceActionView.as_view(),
        name="acceptance-action",
    ),
    path(
        "acceptance/photos/<uuid:public_id>/",
        acceptance_views.AcceptancePhotoView.as_view(),
        name="acceptance-photo",
    ),
    path("campaigns/<int:pk>/edit/", views.CampaignEditView.as_view(), name="campaign-edit"),
]
