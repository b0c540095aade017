"""PDFs from templates with WeasyPrint, with the CJK font embedded.

Templates must not reference anything outside the document (no URLs): images are passed
as data URIs, so rendering never touches the network or the static root."""

from django.template.loader import render_to_string
from PIL import ImageFile
from weasyprint import HTML
from weasyprint.urls import URLFetcher

# WeasyPrint turns on Pillow's LOAD_TRUNCATED_IMAGES for the whole process when imported;
# left on, a truncated upload would pass the photo checks (estates.photos) as a grey
# picture. Our PDFs embed only photos we re-encoded ourselves, so it stays off.
ImageFile.LOAD_TRUNCATED_IMAGES = False

PDF_MIME = "application/pdf"


def render_pdf(template_name: str, context: dict) -> bytes:
    html = render_to_string(template_name, context)
    # Only data: URIs: no file of the server and no network address is ever read.
    fetcher = URLFetcher(allowed_protocols={"data"})
    return HTML(string=html, url_fetcher=fetcher).write_pdf()
