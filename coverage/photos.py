"""Evidence photos of service targets: checked and re-encoded by the shared
``estates.photos`` (content, not name, decides; EXIF dropped; bombs refused), stored under
MEDIA_ROOT with random names and served only by ``views.AssessmentPhotoView``, which
checks the viewer's scope."""

from django.core.files.base import ContentFile

from estates.photos import check_and_reencode


def clean_photo(upload) -> ContentFile:
    """A validated, re-encoded JPEG of ``upload``; ValidationError naming the field."""
    return ContentFile(check_and_reencode(upload, field="photo").content, name="evidence.jpg")
