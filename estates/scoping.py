"""Who may see what: the one place a user's scope is turned into a query.

Every scoped model's manager is built from ``ScopedQuerySet`` and names the lookups that
lead from a row to its street office and to its community. ``visible_to(user)`` is the only
filter the base views and viewsets apply; nothing else decides visibility.
"""

from django.db import models


class ScopedQuerySet(models.QuerySet):
    #: lookup from this model to the street office's id, e.g. "community__street_office"
    street_office_lookup: str = ""
    #: lookup from this model to the community's id; "" when rows are not per community
    community_lookup: str = ""

    def visible_to(self, user):
        if user is None or not user.is_authenticated or not user.is_active:
            return self.none()

        if user.is_hq:
            return self
        if user.is_street_staff and user.street_office_id:
            return self.filter(**{self.street_office_lookup: user.street_office_id})
        if user.is_company_staff:
            return self.for_company(user.company_id) if user.company_id else self.none()
        if user.is_community_lead and user.community_id:
            if self.community_lookup:
                return self.filter(**{self.community_lookup: user.community_id})
            # Rows kept per street office (the office itself, its schedule...): a community
            # lead sees those of the street office the community belongs to.
            return self.filter(**{self.street_office_lookup: user.community.street_office_id})
        return self.none()

    def for_company(self, company_id):
        """The rows a contractor's or supervision firm's people see: by default none.
        Querysets of rows that concern a compound's works override it (their company's
        contracts, the hazards notified to it), so nothing else reaches them."""
        return self.none()


def company_estate_ids(company_id):
    """The compounds a company works on (as contractor or supervisor), as a subquery of
    ids; answered by the app that holds the contracts through its ``company_scope`` module."""
    from estates.hooks import app_modules

    for module in app_modules("company_scope"):
        return module.estate_ids(company_id)
    raise LookupError("no app answers company_scope")
