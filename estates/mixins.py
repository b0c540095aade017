"""The base of every page: log-in required, rows scoped by ``visible_to``, writes gated.

A row outside the user's scope is a 404 (its existence is not confirmed); a write the
user's role does not allow on a row they can see is a 403."""

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.paginator import Paginator

from estates.guards import require


class ScopedMixin(LoginRequiredMixin):
    """``queryset`` is narrowed to the user's scope once, in ``setup()``, before any
    handler (or ``dispatch``) runs, the way NetBox restricts in ``initial()``. A view that
    overrides ``get_queryset`` starts from ``super().get_queryset()``; it never starts
    again from ``Model.objects``."""

    queryset = None

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.queryset = self.queryset.visible_to(request.user)

    def get_queryset(self):
        return self.queryset.all()


class WriteAllowedMixin:
    """Subclasses answer ``can_write(user, obj)``; ``obj`` is None on create."""

    def can_write(self, user, obj=None) -> bool:  # pragma: no cover - always overridden
        raise NotImplementedError

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            obj = self.get_object() if "pk" in kwargs else None
            require(self.can_write(request.user, obj), "您没有权限进行此操作")
        return super().dispatch(request, *args, **kwargs)


class FilteredListMixin(ScopedMixin):
    """A scoped list with a FilterSet (the same one the API uses) and pagination."""

    filterset_class = None
    paginate_by = 50

    def get_filterset(self):
        return self.filterset_class(
            self.request.GET, queryset=self.get_queryset(), request=self.request
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        query = self.request.GET.copy()
        query.pop("page", None)
        context["querystring"] = query.urlencode()
        return context

    #: The paginator; ``estates.pagination.UncountedPaginator`` for lists too long to count.
    paginator_class = Paginator

    def paginate(self, queryset):
        paginator = self.paginator_class(queryset, self.paginate_by)
        return paginator.get_page(self.request.GET.get("page"))
