"""This app's panels on the home page and sections on a compound's detail page.

``panels(user)`` returns a list of ``{"template": ..., **context}``; keep each panel's
query count constant (aggregates in SQL)."""


def panels(user):
    return []


def estate_sections(user, estate):
    return []
