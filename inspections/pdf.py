"""Render a template to PDF bytes with WeasyPrint (generic; may move to ``reports``).

Images are embedded as data URIs by the template (``photo_data_uri``), so the renderer
never fetches a URL: nothing outside the given HTML is read."""

import base64
import io
from functools import lru_cache

from django.core.files.storage import default_storage
from django.template.loader import render_to_string
from PIL import Image


def render_pdf(template_name: str, context: dict) -> bytes:
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    html = render_to_string(template_name, context)
    # Only data: URIs: no file of the server and no network address is ever read.
    fetcher = URLFetcher(allowed_protocols={"data"})
    return HTML(string=html, url_fetcher=fetcher).write_pdf()


PDF_PHOTO_SIDE = 480


def photo_data_uri(photo) -> str:
    """A stored photo as a small JPEG data URI for the PDF ("" when the file is missing).

    Photos are stored up to 2560 px; printed at about 4 cm they need far less, and
    embedding the originals made a day's PDF several times slower."""
    return _thumbnail_uri(photo.file.name)


@lru_cache(maxsize=512)
def _thumbnail_uri(name: str) -> str:
    # Stored photos are never rewritten (random names), so caching by name is safe.
    try:
        with default_storage.open(name, "rb") as handle, Image.open(handle) as image:
            image.draft("RGB", (PDF_PHOTO_SIDE, PDF_PHOTO_SIDE))  # decode at reduced size
            image = image.convert("RGB")
            image.thumbnail((PDF_PHOTO_SIDE, PDF_PHOTO_SIDE))
            out = io.BytesIO()
            image.save(out, "JPEG", quality=70)
    except (FileNotFoundError, OSError):
        return ""
    return f"data:image/jpeg;base64,{base64.b64encode(out.getvalue()).decode()}"
