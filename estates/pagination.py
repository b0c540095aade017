"""Pagination of lists too long to count on every request."""

from django.core.paginator import EmptyPage, Page, PageNotAnInteger, Paginator


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
