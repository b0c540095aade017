"""PDFs from templates with WeasyPrint, with the CJK font embedded.

Templates must not reference anything outside the document (no URLs): images are passed
as data URIs, so rendering never touches the network or the static root."""

from django.template.loader import render_to_string
from weasyprint import HTML

PDF_MIME = "application/pdf"


def render_pdf(template_name: str, context: dict) -> bytes:
    html = render_to_string(template_name, context)
    return HTML(string=html, base_url=None).write_pdf()
