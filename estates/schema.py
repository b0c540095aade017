"""The OpenAPI schema as the API really answers (drf-spectacular's AutoSchema, adjusted
once for every endpoint):

- a field in a response (read-only ones declared on a serializer included:
  ``PrimaryKeyRelatedField(read_only=True)``, ``StringRelatedField``) is nullable / may
  be blank when its model field is;
- every write documents its 400 (messages per field), every write its 403, every
  endpoint on one row its 404, with the bodies DRF sends;
- requests carrying a body document 413 (``REQUEST_BODY_MAX_MB``);
- fields a serializer leaves out for some callers (``optional_in_response``, e.g. the
  amounts a community lead or a company's people do not see) are not required in
  responses;
- times are ``HH:MM[:SS]`` by pattern, not ``format: time`` (which means RFC 3339 with
  an offset, which DRF does not write).
"""

from django.core.exceptions import FieldDoesNotExist
from drf_spectacular.openapi import AutoSchema as BaseAutoSchema
from rest_framework import serializers

_DETAIL = {
    "type": "object",
    "properties": {"detail": {"type": "string"}},
    "required": ["detail"],
}
_FIELD_ERRORS = {
    "type": "object",
    "description": "字段名 → 错误信息列表；与字段无关的错误在 non_field_errors 中",
    "additionalProperties": {
        "oneOf": [
            {"type": "array", "items": {"type": "string"}},
            {"type": "object", "additionalProperties": True},
            {"type": "string"},
        ]
    },
}


def _json(schema, description):
    return {"description": description, "content": {"application/json": {"schema": schema}}}


class AutoSchema(BaseAutoSchema):
    def _model_field(self, field):
        parent = getattr(field, "parent", None)
        meta = getattr(parent, "Meta", None)
        model = getattr(meta, "model", None)
        source = getattr(field, "source", "") or ""
        if model is None or not source or "." in source or source == "*":
            return None
        try:
            return model._meta.get_field(source)
        except FieldDoesNotExist:
            return None

    def _map_serializer_field(self, field, direction, bypass_extensions=False):
        schema = super()._map_serializer_field(field, direction, bypass_extensions)
        if isinstance(field, serializers.TimeField) and isinstance(schema, dict):
            # DRF writes "14:30:00"; OpenAPI's format "time" means RFC 3339 with an offset.
            schema.pop("format", None)
            schema["pattern"] = r"^([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9](\.[0-9]+)?)?$"
            schema.setdefault("example", "14:30:00")
        answered = getattr(field, "read_only", False) or direction == "response"
        if not answered or not isinstance(schema, dict):
            return schema
        model_field = self._model_field(field)
        if model_field is None:
            return schema
        if getattr(model_field, "null", False) and "$ref" not in schema:
            schema["nullable"] = True
        if getattr(model_field, "blank", False) and "enum" in schema and "" not in schema["enum"]:
            schema["enum"] = [*schema["enum"], ""]
        return schema

    def _map_basic_serializer(self, serializer, direction):
        schema = super()._map_basic_serializer(serializer, direction)
        optional = set(getattr(serializer, "optional_in_response", ()) or ())
        if direction == "response" and optional and "required" in schema:
            schema["required"] = [name for name in schema["required"] if name not in optional]
            if not schema["required"]:
                del schema["required"]
        return schema

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        writes = self.method in ("POST", "PUT", "PATCH", "DELETE")
        if writes:
            responses.setdefault("400", _json(_FIELD_ERRORS, "输入有误：按字段列出原因"))
            responses.setdefault("403", _json(_DETAIL, "无权进行此操作"))
        if self.method in ("POST", "PUT", "PATCH"):
            responses.setdefault("413", _json(_DETAIL, "请求内容过大"))
        if "{" in self.path:
            responses.setdefault("404", _json(_DETAIL, "不存在或不在管辖范围内"))
        return responses
