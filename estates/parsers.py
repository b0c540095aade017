"""The API's body parsers, bounded like Django's own request parsing (a module of its
own: DRF imports it while loading its settings)."""

import io

from django.conf import settings
from rest_framework import parsers, status
from rest_framework.exceptions import APIException


class RequestTooLarge(APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_code = "request_too_large"


class _BoundedBodyMixin:
    """Reads at most ``DATA_UPLOAD_MAX_MEMORY_SIZE`` bytes of a JSON or form body.

    DRF reads the body from the raw stream, past Django's own limit (which guards only
    ``request.body`` and ``request.POST``); this brings the API under the same limit."""

    def parse(self, stream, media_type=None, parser_context=None):
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        request = (parser_context or {}).get("request")
        declared = request.META.get("CONTENT_LENGTH") if request is not None else None
        message = f"请求内容过大：不超过 {limit // (1024 * 1024)} MB（照片请作为文件上传）"
        try:
            if declared and int(declared) > limit:
                raise RequestTooLarge(message)
        except ValueError:
            pass
        if stream is not None and limit is not None:
            data = stream.read(limit + 1)
            if len(data) > limit:
                raise RequestTooLarge(message)
            stream = io.BytesIO(data)
        return super().parse(stream, media_type, parser_context)


class JSONParser(_BoundedBodyMixin, parsers.JSONParser):
    pass


class FormParser(_BoundedBodyMixin, parsers.FormParser):
    pass
