"""Evidence photos: checked by their content (never by name or declared type), then
re-encoded, so what we store and serve is a plain JPEG we wrote ourselves (no EXIF with
GPS positions, no polyglot payloads). Stored under MEDIA_ROOT with random names and
served only by ``views.AssessmentPhotoView``, which checks the viewer's scope."""

import warnings
from io import BytesIO

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from PIL import Image, ImageOps, UnidentifiedImageError

ALLOWED_FORMATS = {"JPEG", "PNG", "WEBP"}
MAX_UPLOAD_BYTES = 10 * 1024 * 1024
MAX_PIXELS = 40_000_000  # about a 48-megapixel phone photo's worth, well short of a bomb
MAX_EDGE = 2560  # stored photos are scaled down to this longest edge


def clean_photo(upload) -> ContentFile:
    """A validated, re-encoded JPEG of ``upload``; ValidationError naming the field."""
    size = getattr(upload, "size", None)
    if size is not None and size > MAX_UPLOAD_BYTES:
        raise ValidationError({"photo": "照片不能超过 10 MB"})
    data = upload.read()
    if len(data) > MAX_UPLOAD_BYTES:
        raise ValidationError({"photo": "照片不能超过 10 MB"})
    if not data:
        raise ValidationError({"photo": "照片文件为空"})
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(BytesIO(data)) as probe:
                if probe.format not in ALLOWED_FORMATS:
                    raise ValidationError({"photo": "照片只能是 JPEG、PNG 或 WebP 格式"})
                width, height = probe.size
                if width * height > MAX_PIXELS:
                    raise ValidationError({"photo": "照片像素过大（不超过 4000 万像素）"})
                probe.verify()
            # verify() leaves the image unusable: open again to decode it fully.
            with Image.open(BytesIO(data)) as image:
                image.load()
                image = ImageOps.exif_transpose(image)
                if image.mode not in ("RGB", "L"):
                    background = Image.new("RGB", image.size, "white")
                    rgba = image.convert("RGBA")
                    background.paste(rgba, mask=rgba.getchannel("A"))
                    image = background
                image.thumbnail((MAX_EDGE, MAX_EDGE))
                out = BytesIO()
                image.convert("RGB").save(out, "JPEG", quality=85, optimize=True)
    except ValidationError:
        raise
    except (UnidentifiedImageError, Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ValidationError({"photo": "无法识别的图片，或图片像素过大"}) from None
    except (OSError, SyntaxError, ValueError):
        raise ValidationError({"photo": "图片文件已损坏，无法读取"}) from None
    return ContentFile(out.getvalue(), name="evidence.jpg")
