"""Photos for the daily patrol PDF. Rendering is ``estates.pdf.render_pdf``, which reads
nothing but data: URIs, so images are embedded by the template (``photo_data_uri``)."""

import base64
import io
from functools import lru_cache

from django.core.files.storage import default_storage
from PIL import Image

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
