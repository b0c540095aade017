"""The refusals every writing service uses, so that each is said one way everywhere.

- ``require(allowed, message)``: a forbidden action. Raises ``PermissionDenied``, which the
  pages and the API both answer with 403 (never a 400: that is for bad values).
- ``ensure_writable(*estate_ids)``: an archived compound is read-only. Raises a
  ``ValidationError`` on the ``estate`` field naming the compound; every service that
  writes anything of a compound calls it before writing."""

from django.core.exceptions import PermissionDenied, ValidationError

DEFAULT_REFUSAL = "您没有权限进行此操作"


def require(allowed: bool, message: str = DEFAULT_REFUSAL) -> None:
    if not allowed:
        raise PermissionDenied(message)


def ensure_writable(*estate_ids: int) -> None:
    """Refuse a write to any archived compound among ``estate_ids`` (one query, read
    fresh: the caller's copy may be older than the archiving)."""
    from estates.models import Estate

    archived = (
        Estate.objects.filter(pk__in=estate_ids, archived_at__isnull=False)
        .order_by("name")
        .values_list("name", flat=True)
    )
    names = list(archived[:3])
    if names:
        listed = "、".join(f"「{name}」" for name in names)
        raise ValidationError({"estate": f"小区{listed}已归档，只能查看，不能修改"})
