from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.routers import DefaultRouter

import coverage.api
import estates.api
import inspections.api
import reports.api
import works.api
from estates.forms_auth import LoginForm
from estates.views import HealthView, HomeView

router = DefaultRouter()
for module in (estates.api, works.api, inspections.api, coverage.api, reports.api):
    module.register(router)

urlpatterns = [
    path("", HomeView.as_view(), name="home"),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(
            authentication_form=LoginForm, redirect_authenticated_user=True
        ),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("estates/", include("estates.urls")),
    path("works/", include("works.urls")),
    path("inspections/", include("inspections.urls")),
    path("coverage/", include("coverage.urls")),
    path("reports/", include("reports.urls")),
    path("api/auth/token/", ObtainAuthToken.as_view(), name="api-token"),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("api/", include(router.urls)),
    path("admin/", admin.site.urls),
    path("healthz", HealthView.as_view(), name="health"),
]
if settings.BENCH_FLOOR:
    from estates.bench import floor_view

    # The floor of the patrol-submission benchmark; never mounted outside `manage.py bench`.
    urlpatterns.append(path("bench/floor/", floor_view))
