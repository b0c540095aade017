"""Checking and storing uploaded photos, for every app that takes them (patrols,
hazards, quality inspections, evidence of service targets).

The content decides, never the name: Pillow must recognise a JPEG, PNG or WebP; the file
and its pixel count are bounded before decoding (a decompression bomb is refused, not
decoded); the image is re-encoded to JPEG at most ``MAX_SIDE`` pixels a side, which drops
EXIF (GPS positions, device) and anything smuggled after the image data; the stored name
is random."""

import io
import uuid
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone
from PIL import Image, ImageOps, UnidentifiedImageError

MAX_UPLOAD_BYTES = 10 * 1024 * 1024
MAX_PIXELS = 40_000_000
MAX_SIDE = 2560
MAX_PHOTOS_PER_UPLOAD = 6
ALLOWED_FORMATS = {"JPEG", "PNG", "WEBP"}


@dataclass
class CheckedPhoto:
    content: bytes
    width: int
    height: int


def check_and_reencode(upload, *, field="photos") -> CheckedPhoto:
    """Validate an uploaded file by content and return it re-encoded as JPEG."""
    name = getattr(upload, "name", "") or "照片"
    size = getattr(upload, "size", None)
    if size is not None and size > MAX_UPLOAD_BYTES:
        raise ValidationError(
            {field: f"{name}：文件过大（{size / 1024 / 1024:.1f} MB），每张照片不超过 10 MB"}
        )
    data = upload.read(MAX_UPLOAD_BYTES + 1)
    if len(data) > MAX_UPLOAD_BYTES:
        raise ValidationError({field: f"{name}：文件过大，每张照片不超过 10 MB"})
    try:
        with Image.open(io.BytesIO(data)) as probe:
            image_format = probe.format
            width, height = probe.size
    except Image.DecompressionBombError:
        raise ValidationError({field: f"{name}：图片像素过大，不超过 4000 万像素"}) from None
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError):
        raise ValidationError(
            {field: f"{name}：不是有效的图片，只接受 JPEG、PNG 或 WebP 照片"}
        ) from None
    if image_format not in ALLOWED_FORMATS:
        raise ValidationError(
            {field: f"{name}：不支持的图片格式（{image_format}），只接受 JPEG、PNG 或 WebP"}
        )
    if width * height > MAX_PIXELS:
        raise ValidationError(
            {field: f"{name}：图片像素过大（{width}×{height}），不超过 4000 万像素"}
        )
    try:
        with Image.open(io.BytesIO(data)) as image:
            image.load()
            image = ImageOps.exif_transpose(image)
            if image.mode not in ("RGB", "L"):
                background = Image.new("RGB", image.size, "white")
                rgba = image.convert("RGBA")
                background.paste(rgba, mask=rgba.getchannel("A"))
                image = background
            image.thumbnail((MAX_SIDE, MAX_SIDE))
            out = io.BytesIO()
            image.convert("RGB").save(out, "JPEG", quality=85, optimize=True)
            return CheckedPhoto(out.getvalue(), image.width, image.height)
    except (OSError, ValueError, Image.DecompressionBombError, SyntaxError):
        raise ValidationError({field: f"{name}：图片已损坏，无法读取"}) from None


def check_uploads(uploads, *, field="photos", required: str = "") -> list[CheckedPhoto]:
    """The one upload check of every app: at most ``MAX_PHOTOS_PER_UPLOAD`` files, each
    bounded in size and recognised by content (``check_and_reencode``). ``required``: the
    message when none is given (empty: photos are optional). Errors name ``field``."""
    uploads = list(uploads or ())
    if required and not uploads:
        raise ValidationError({field: required})
    if len(uploads) > MAX_PHOTOS_PER_UPLOAD:
        raise ValidationError({field: f"每次最多上传 {MAX_PHOTOS_PER_UPLOAD} 张照片"})
    return [check_and_reencode(upload, field=field) for upload in uploads]


def store(checked: CheckedPhoto, folder: str) -> str:
    """Save under a random name below MEDIA_ROOT/``folder``; returns the storage name."""
    stamp = timezone.localdate()
    name = f"{folder}/{stamp:%Y/%m}/{uuid.uuid4().hex}.jpg"
    return default_storage.save(name, ContentFile(checked.content))
