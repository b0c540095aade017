from csp.constants import UNSAFE_INLINE
from csp.decorators import csp_update
from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.permissions import IsAuthenticated
from rest_framework.routers import DefaultRouter

from estates.auth_api import TokenLoginView, TokenLogoutAllView, TokenLogoutView
from estates.forms_auth import LoginForm
from estates.hooks import app_modules
from estates.views import (
    HealthView,
    HomeView,
    MessageListView,
    MessageOpenView,
    MessageReadAllView,
    NotificationPreferencesView,
)

router = DefaultRouter()
for module in app_modules("api"):
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
    path("messages/", MessageListView.as_view(), name="messages"),
    path("messages/<int:pk>/open/", MessageOpenView.as_view(), name="message-open"),
    path("messages/read-all/", MessageReadAllView.as_view(), name="messages-read-all"),
    path(
        "account/notifications/",
        NotificationPreferencesView.as_view(),
        name="notification-preferences",
    ),
    path(
        "accounts/password/",
        auth_views.PasswordChangeView.as_view(),
        name="password_change",
    ),
    path(
        "accounts/password/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path("estates/", include("estates.urls")),
    path("works/", include("works.urls")),
    path("inspections/", include("inspections.urls")),
    path("coverage/", include("coverage.urls")),
    path("reports/", include("reports.urls")),
    path("api/auth/token/", TokenLoginView.as_view(), name="api-token"),
    path("api/auth/logout/", TokenLogoutView.as_view(), name="api-logout"),
    path("api/auth/logout-all/", TokenLogoutAllView.as_view(), name="api-logout-all"),
    # The schema and its docs describe every endpoint: for logged-in users only.
    path(
        "api/schema/",
        SpectacularAPIView.as_view(permission_classes=[IsAuthenticated]),
        name="api-schema",
    ),
    path(
        "api/docs/",
        # Swagger UI injects its own <style>: allowed on this page alone.
        csp_update({"style-src": [UNSAFE_INLINE]})(
            login_required(SpectacularSwaggerSplitView.as_view(url_name="api-schema"))
        ),
        name="api-docs",
    ),
    path("api/", include(router.urls)),
    path("admin/", admin.site.urls),
    path("healthz", HealthView.as_view(), name="health"),
]
if settings.BENCH_FLOOR:
    from estates.bench import floor_view

    # The floor of the patrol-submission benchmark; never mounted outside `manage.py bench`.
    urlpatterns.append(path("bench/floor/", floor_view))
