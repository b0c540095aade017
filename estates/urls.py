from django.urls import path

from estates import views

app_name = "estates"

urlpatterns = [
    path("", views.EstateListView.as_view(), name="list"),
    path("new/", views.EstateCreateView.as_view(), name="create"),
    path("export.xlsx", views.EstateExportView.as_view(), name="export"),
    path("import/", views.EstateImportView.as_view(), name="import"),
    path("import/<int:pk>/", views.ImportJobDetailView.as_view(), name="import-job"),
    path("import/template.xlsx", views.ImportTemplateView.as_view(), name="import-template"),
    path("<int:pk>/", views.EstateDetailView.as_view(), name="detail"),
    path("<int:pk>/edit/", views.EstateUpdateView.as_view(), name="edit"),
    path("<int:pk>/archive/", views.EstateArchiveView.as_view(), name="archive"),
    path("<int:pk>/restore/", views.EstateArchiveView.as_view(), {"restore": True}, name="restore"),
]
