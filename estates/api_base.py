"""The base of every API endpoint: scoped querysets, role-gated writes, model validation.

Mirrors ``estates.mixins`` so the pages and the API answer alike: outside scope → 404,
a forbidden write on a visible row → 403, bad input → 400 with messages per field."""

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import permissions, serializers, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.views import exception_handler as drf_exception_handler


def django_errors_to_drf(exc: DjangoValidationError) -> ValidationError:
    if hasattr(exc, "error_dict"):
        return ValidationError(
            {
                ("non_field_errors" if field == "__all__" else field): messages
                for field, messages in exc.message_dict.items()
            }
        )
    return ValidationError({"non_field_errors": exc.messages})


def exception_handler(exc, context):
    # Services raise Django's ValidationError; the API answers it as a 400, never a 500.
    if isinstance(exc, DjangoValidationError):
        exc = django_errors_to_drf(exc)
    return drf_exception_handler(exc, context)


class ScopedWritePermission(permissions.BasePermission):
    """Reads need only a login (scope does the rest); writes ask the view's ``can_write``."""

    message = "您没有权限进行此操作"

    def has_permission(self, request, view):
        if not request.user or not request.user.is_authenticated:
            return False
        if request.method in permissions.SAFE_METHODS:
            return True
        if view.action == "create":
            return view.can_write(request.user, None)
        return True

    def has_object_permission(self, request, view, obj):
        if request.method in permissions.SAFE_METHODS:
            return True
        return view.can_write(request.user, obj)


class ScopedViewSetMixin:
    """Every viewset's ``queryset`` is narrowed by ``visible_to`` once, in ``initial()``
    (after authentication, before the handler), as NetBox does; a ``get_queryset``
    override starts from ``super().get_queryset()``. ``can_write`` gates writes."""

    permission_classes = [ScopedWritePermission]
    # Ids are positive 64-bit integers: anything else in the path is a 404 at the router,
    # before a lookup can overflow the database's integer type or fail to parse.
    lookup_value_regex = r"[1-9][0-9]{0,17}"

    #: Reference data every logged-in user reads alike (works items, campaigns): the
    #: only viewsets not narrowed; a scoped model's viewset never sets it.
    reference_data = False

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        if not self.reference_data:
            self.queryset = self.queryset.visible_to(request.user)

    def can_write(self, user, obj=None) -> bool:
        return False


class ScopedReadOnlyViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    pass


class ScopedModelViewSet(ScopedViewSetMixin, viewsets.ModelViewSet):
    pass


class ScopedPrimaryKeyRelatedField(serializers.PrimaryKeyRelatedField):
    """A foreign key the user may only point at rows inside their own scope; others read
    as "does not exist", so the API never confirms another street's rows."""

    default_error_messages = {
        "does_not_exist": "编号为 {pk_value} 的对象不存在或不在您的管辖范围内",
        "incorrect_type": "应为编号（整数），收到 {data_type}",
        "required": "此字段为必填项",
    }

    def get_queryset(self):
        request = self.context.get("request")
        return super().get_queryset().visible_to(request.user if request else None)
