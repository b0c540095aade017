"""Which compounds a company works on: asked by the foundation's scoping
(``estates.scoping.company_estate_ids``) for contractors' and supervision firms' people."""

from works.models import EstateWorksItem, company_items_q


def estate_ids(company_id):
    return EstateWorksItem.objects.filter(company_items_q(company_id)).values("estate_id")
