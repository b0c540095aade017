"""Render a template to PDF bytes with WeasyPrint (generic; may move to ``reports``).

Images are embedded as data URIs by the template (``photo_data_uri``), so the renderer
never fetches a URL: nothing outside the given HTML is read."""

import base64

from django.template.loader import render_to_string


def _no_fetch(url, *args, **kwargs):
    raise ValueError(f"PDF 渲染不读取外部资源：{url}")


def render_pdf(template_name: str, context: dict) -> bytes:
    from weasyprint import HTML

    html = render_to_string(template_name, context)
    return HTML(string=html, url_fetcher=_no_fetch).write_pdf()


def photo_data_uri(photo) -> str:
    """A stored photo as a data URI for the PDF ("" when the file is missing)."""
    try:
        with photo.file.open("rb") as handle:
            data = handle.read()
    except FileNotFoundError:
        return ""
    return f"data:{photo.content_type};base64,{base64.b64encode(data).decode()}"
