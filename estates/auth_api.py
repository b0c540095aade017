"""API log-in with expiring, revocable tokens (django-rest-knox).

``POST /api/auth/token/`` with ``username`` and ``password`` answers a token that expires
after ``API_TOKEN_HOURS``; ``POST /api/auth/logout/`` revokes the token sent, and
``/api/auth/logout-all/`` every token of the user. Failed attempts count towards the same
account-and-address lockout as the log-in page (django-axes), and each address is
throttled, so one password cannot be tried across every account."""

from django.contrib.auth import authenticate
from drf_spectacular.utils import extend_schema, inline_serializer
from knox import views as knox_views
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.throttling import ScopedRateThrottle


class TokenLoginSerializer(serializers.Serializer):
    username = serializers.CharField(label="用户名", max_length=150)
    password = serializers.CharField(
        label="密码", max_length=128, trim_whitespace=False, style={"input_type": "password"}
    )

    def validate(self, attrs):
        user = authenticate(
            request=self.context.get("request"),
            username=attrs["username"],
            password=attrs["password"],
        )
        if user is None or not user.is_active:
            raise serializers.ValidationError(
                "用户名或密码不正确；连续输错多次账号将被暂时锁定。", code="authorization"
            )
        attrs["user"] = user
        return attrs


TokenResponse = inline_serializer(
    "TokenResponse",
    {
        "token": serializers.CharField(),
        "expiry": serializers.DateTimeField(allow_null=True),
    },
)


class TokenLoginView(knox_views.LoginView):
    authentication_classes = []
    permission_classes = [AllowAny]
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "token-login"
    serializer_class = TokenLoginSerializer

    @extend_schema(request=TokenLoginSerializer, responses={200: TokenResponse}, auth=[])
    def post(self, request, format=None):
        serializer = TokenLoginSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        request.user = serializer.validated_data["user"]
        return super().post(request, format=format)


class TokenLogoutView(knox_views.LogoutView):
    """Revokes the token this request was made with."""

    @extend_schema(request=None, responses={204: None})
    def post(self, request, format=None):
        return super().post(request, format=format)


class TokenLogoutAllView(knox_views.LogoutAllView):
    """Revokes every token of the user (a lost phone)."""

    @extend_schema(request=None, responses={204: None})
    def post(self, request, format=None):
        return super().post(request, format=format)
