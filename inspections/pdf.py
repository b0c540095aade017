"""Render a template to PDF bytes with WeasyPrint (generic; may move to ``reports``).

Images are embedded as data URIs by the template (``photo_data_uri``), so the renderer
never fetches a URL: nothing outside the given HTML is read."""

import base64

from django.template.loader import render_to_string


def render_pdf(template_name: str, context: dict) -> bytes:
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    html = render_to_string(template_name, context)
    # Only data: URIs: no file of the server and no network address is ever read.
    fetcher = URLFetcher(allowed_protocols={"data"})
    return HTML(string=html, url_fetcher=fetcher).write_pdf()


def photo_data_uri(photo) -> str:
    """A stored photo as a data URI for the PDF ("" when the file is missing)."""
    try:
        with photo.file.open("rb") as handle:
            data = handle.read()
    except FileNotFoundError:
        return ""
    return f"data:{photo.content_type};base64,{base64.b64encode(data).decode()}"
