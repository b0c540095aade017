"""Pagination of lists too long to count on every request."""

from django.core.paginator import EmptyPage, InvalidPage, Page, PageNotAnInteger, Paginator
from rest_framework.exceptions import NotFound
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response


class UncountedPaginator(Paginator):
    """Pages a list without counting it: a page reads one row more than it shows to know
    whether a next page exists. For lists of millions of rows (the patrol records), where
    ``COUNT(*)`` over the filtered set would cost more than the page itself; the page
    shows "第 N 页" and previous/next links, without a total."""

    uncounted = True

    def validate_number(self, number):
        try:
            number = int(number)
        except (TypeError, ValueError):
            raise PageNotAnInteger("页码须为整数") from None
        if number < 1 or number > 100_000:
            raise EmptyPage("页码超出范围")
        return number

    def get_page(self, number):
        try:
            number = self.validate_number(number)
        except (PageNotAnInteger, EmptyPage):
            number = 1
        return self.page(number)

    def page(self, number):
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        rows = list(self.object_list[bottom : bottom + self.per_page + 1])
        return UncountedPage(rows[: self.per_page], number, self, len(rows) > self.per_page)


class UncountedPage(Page):
    def __init__(self, object_list, number, paginator, has_next):
        super().__init__(object_list, number, paginator)
        self._has_next = has_next

    def has_next(self):
        return self._has_next

    def next_page_number(self):
        return self.number + 1


class UncountedPageNumberPagination(PageNumberPagination):
    """An API list paged by ``?page=N`` (50 a page, as every list) without counting it:
    a page reads one row more than it returns to know whether a next page exists. For
    lists of millions of rows (patrol records, the missed-patrol register), where
    ``COUNT(*)`` over the filtered set costs more than the page; the answer has
    ``next``, ``previous`` and ``results`` but no ``count``."""

    def paginate_queryset(self, queryset, request, view=None):
        self.request = request
        paginator = UncountedPaginator(queryset, self.get_page_size(request))
        try:
            self.page = paginator.page(request.query_params.get(self.page_query_param) or 1)
        except InvalidPage:
            raise NotFound("页码无效") from None
        return list(self.page)

    def get_paginated_response(self, data):
        return Response(
            {"next": self.get_next_link(), "previous": self.get_previous_link(), "results": data}
        )

    def get_paginated_response_schema(self, schema):
        described = super().get_paginated_response_schema(schema)
        described["properties"].pop("count", None)
        described["required"] = ["results"]
        return described
