"""Upload rejections by content, and serving photos only inside the viewer's scope."""

import io
import struct
import zlib

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from estates import photos
from inspections import services
from inspections.models import PatrolRecord, Photo
from tests.inspections.factories import image_bytes

pytestmark = pytest.mark.django_db


def _upload(name, data, content_type="image/jpeg"):
    return SimpleUploadedFile(name, data, content_type=content_type)


def _reject(upload):
    with pytest.raises(ValidationError) as exc:
        photos.check_and_reencode(upload)
    return exc.value.message_dict["photos"][0]


def test_html_renamed_jpg_is_refused():
    message = _reject(_upload("site.jpg", b"<!doctype html><script>alert(1)</script>"))
    assert "不是有效的图片" in message and "site.jpg" in message


def test_svg_is_refused():
    svg = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
    assert "不是有效的图片" in _reject(_upload("a.svg", svg, "image/svg+xml"))


def test_gif_is_refused_by_content():
    out = io.BytesIO()
    Image.new("RGB", (8, 8)).save(out, "GIF")
    assert "不支持的图片格式" in _reject(_upload("a.jpg", out.getvalue()))


def test_oversized_file_is_refused():
    big = _upload("big.jpg", b"\xff\xd8" + b"0" * (photos.MAX_UPLOAD_BYTES + 10))
    assert "文件过大" in _reject(big)


def _png_header_only(width, height) -> bytes:
    """A tiny PNG claiming huge dimensions: a decompression bomb's header."""

    def chunk(kind, data):
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    idat = zlib.compress(b"\x00" * 64)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


def test_decompression_bomb_is_refused_without_decoding():
    assert "像素过大" in _reject(_upload("bomb.png", _png_header_only(20000, 20000), "image/png"))


def test_image_over_the_pixel_limit_is_refused():
    assert "像素过大" in _reject(_upload("wide.png", _png_header_only(8000, 6000), "image/png"))


def test_photo_is_reencoded_downscaled_and_stripped():
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    out = io.BytesIO()
    Image.new("RGB", (3000, 1000), (10, 120, 10)).save(out, "PNG")
    source = io.BytesIO()
    Image.new("RGB", (3000, 1000), (10, 120, 10)).save(source, "JPEG", exif=exif)
    checked = photos.check_and_reencode(_upload("p.jpg", source.getvalue()))
    assert (checked.width, checked.height) == (2560, 853)
    with Image.open(io.BytesIO(checked.content)) as image:
        assert image.format == "JPEG"
        assert not image.getexif()


def test_stored_under_a_random_name(clerk_a, site_a, patrol_values, jpeg, media_root):
    record = services.file_patrol(
        actor=clerk_a, estate=site_a, values=patrol_values, photos=[jpeg("我的照片.jpg")]
    )
    photo = record.photos.get()
    assert "我的照片" not in photo.file.name
    assert photo.file.name.startswith("inspections/") and photo.file.name.endswith(".jpg")
    assert (media_root / photo.file.name).exists()


@pytest.fixture
def photo(clerk_a, site_a, patrol_values, jpeg):
    record = services.file_patrol(
        actor=clerk_a, estate=site_a, values=patrol_values, photos=[jpeg()]
    )
    return record.photos.get()


def test_photo_served_to_its_street_and_hq(photo, clerk_a, hq_leader, community_lead_a, login):
    for user in (clerk_a, hq_leader, community_lead_a):
        response = login(user).get(f"/inspections/photos/{photo.public_id}/")
        assert response.status_code == 200
        assert response["Content-Type"] == "image/jpeg"
        assert b"".join(response.streaming_content)[:2] == b"\xff\xd8"


def test_photo_is_404_outside_scope(photo, clerk_b, outsider, login):
    for user in (clerk_b, outsider):
        assert login(user).get(f"/inspections/photos/{photo.public_id}/").status_code == 404


def test_photo_needs_login(photo, client):
    response = client.get(f"/inspections/photos/{photo.public_id}/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_photo_files_are_not_under_the_static_root(settings, photo):
    assert not str(settings.MEDIA_ROOT).startswith(str(settings.STATIC_ROOT))
    assert Photo.objects.count() == 1 and PatrolRecord.objects.count() == 1


def test_upload_limits_in_form_error(clerk_a, site_a, login):
    client = login(clerk_a)
    response = client.post(
        f"/inspections/patrols/new/{site_a.pk}/",
        {
            "time": "09:00",
            "patrollers": "王建国",
            "photos": [_upload("evil.jpg", b"<html></html>")],
            **{
                f: "ok"
                for f in (
                    "fencing_signs",
                    "temporary_power",
                    "fire_safety",
                    "work_at_height",
                    "material_stacking",
                    "trenches_openings",
                    "protective_equipment",
                    "resident_passage",
                )
            },
        },
    )
    assert response.status_code == 400
    assert "evil.jpg：不是有效的图片" in response.content.decode()
    assert not PatrolRecord.objects.exists()


def test_valid_image_bytes_helper():
    assert image_bytes()[:2] == b"\xff\xd8"


# --- the one upload check every app calls (estates.photos.check_uploads) ---------------
def test_check_uploads_refuses_more_than_the_limit_naming_the_field():
    uploads = [_upload(f"{n}.jpg", image_bytes()) for n in range(photos.MAX_PHOTOS_PER_UPLOAD + 1)]
    with pytest.raises(ValidationError) as exc:
        photos.check_uploads(uploads, field="hazard_photos")
    assert "每次最多上传 6 张照片" in exc.value.message_dict["hazard_photos"][0]


def test_check_uploads_refuses_none_when_required():
    with pytest.raises(ValidationError) as exc:
        photos.check_uploads([], required="请上传整改后的照片")
    assert exc.value.message_dict["photos"] == ["请上传整改后的照片"]


def test_check_uploads_checks_every_file_by_content():
    good = _upload("a.jpg", image_bytes())
    bad = _upload("b.jpg", b"<html>not an image</html>")
    with pytest.raises(ValidationError) as exc:
        photos.check_uploads([good, bad], field="photo")
    assert "b.jpg" in exc.value.message_dict["photo"][0]


def test_check_uploads_returns_the_reencoded_photos():
    checked = photos.check_uploads([_upload("a.png", image_bytes("PNG"), "image/png")])
    assert len(checked) == 1 and checked[0].content.startswith(b"\xff\xd8")
