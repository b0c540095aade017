"""The refusals every writing service uses, so that each is said one way everywhere.

- ``require(allowed, message)``: a forbidden action. Raises ``PermissionDenied``, which the
  pages and the API both answer with 403 (never a 400: that is for bad values).
- ``ensure_writable(*estate_ids)``: an archived compound is read-only. Raises a
  ``ValidationError`` on the ``estate`` field naming the compound; every service that
  writes anything of a compound calls it before writing.
- ``ensure_estate_writable(estate)``: the same refusal for a compound row the caller has
  just read (in the same request), without a query of its own."""

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
    _refuse_archived(list(archived[:3]))


def ensure_estate_writable(estate) -> None:
    """``ensure_writable`` for a compound the caller has just read (``archived_at`` as
    fresh as a query here would read it): the hot path of a filing saves the query."""
    _refuse_archived([estate.name] if estate.archived_at is not None else [])


def _refuse_archived(names) -> None:
    if names:
        listed = "、".join(f"「{name}」" for name in names)
        raise ValidationError({"estate": f"小区{listed}已归档，只能查看，不能修改"})
