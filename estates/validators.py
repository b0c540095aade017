"""Limits every stored value obeys, checked in the model so the page, the API and the
import agree (they all reach ``full_clean``; DRF's ModelSerializer copies model field
validators into its fields).

The rule for every model of the project's apps (``install_model_limits``, run when the
apps are ready, so a field added later gets it without anyone remembering):

- every ``CharField`` / ``TextField`` refuses control characters (they crash Excel
  writers and confuse every reader) and lone surrogates (no database can store them);
- every ``TextField`` declares ``max_length`` (the check ``estates.E001`` fails
  otherwise) and it is enforced, not only shown on the widget as Django does;
- every ``DateField`` / ``DateTimeField`` a user can set lies in the window
  ``DATE_MIN``..``DATE_MAX`` (settings, default 2000-01-01..2100-12-31), so no page
  drawing a time axis meets year 9999.
"""

import re
from datetime import date, datetime

from django.conf import settings
from django.core import checks
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.db import models
from django.utils.deconstruct import deconstructible

from estates.hooks import project_apps

#: C0 controls but tab, newline and carriage return; DEL and C1; lone surrogates;
#: the two non-characters. openpyxl refuses the first group outright.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")


def strip_control_characters(value: str) -> str:
    return CONTROL_CHARACTERS.sub("", value)


@deconstructible
class NoControlCharacters:
    message = "含有不可见的控制字符（第 {position} 个字符，编码 U+{code:04X}），请删除后重新输入"
    code = "control_characters"

    def __call__(self, value):
        if not isinstance(value, str):
            return
        match = CONTROL_CHARACTERS.search(value)
        if match:
            raise ValidationError(
                self.message.format(position=match.start() + 1, code=ord(match.group())),
                code=self.code,
            )

    def __eq__(self, other):
        return isinstance(other, NoControlCharacters)


no_control_characters = NoControlCharacters()


def date_window() -> tuple[date, date]:
    return settings.DATE_MIN, settings.DATE_MAX


def clamp_date(day: date) -> date:
    """``day`` moved into the accepted window (for dates that come from a query string)."""
    low, high = date_window()
    return min(max(day, low), high)


@deconstructible
class DateInWindow:
    code = "date_out_of_window"

    def __call__(self, value):
        if value is None:
            return
        day = value.date() if isinstance(value, datetime) else value
        low, high = date_window()
        if not low <= day <= high:
            raise ValidationError(
                f"日期应在 {low:%Y-%m-%d} 至 {high:%Y-%m-%d} 之间，收到 {day:%Y-%m-%d}",
                code=self.code,
            )

    def __eq__(self, other):
        return isinstance(other, DateInWindow)


date_in_window = DateInWindow()


def project_models():
    for config in project_apps():
        yield from config.get_models()


def _add(field, validator):
    # ``validators`` is cached per field: extend the cached list, leaving the field's own
    # ``_validators`` (what migrations record) as declared.
    if not any(isinstance(v, type(validator)) for v in field.validators):
        field.validators.append(validator)


def install_model_limits():
    for model in project_models():
        for field in model._meta.concrete_fields:
            if isinstance(field, (models.CharField, models.TextField)) and not field.choices:
                _add(field, no_control_characters)
                if isinstance(field, models.TextField) and field.max_length:
                    _add(field, MaxLengthValidator(field.max_length))
            if isinstance(field, models.DateField) and field.editable:
                _add(field, date_in_window)


@checks.register(checks.Tags.models)
def text_fields_have_a_maximum(app_configs=None, **kwargs):
    errors = []
    for model in project_models():
        for field in model._meta.concrete_fields:
            if isinstance(field, models.TextField) and not field.max_length:
                errors.append(
                    checks.Error(
                        f"{model._meta.label}.{field.name} is a TextField without max_length",
                        hint="Every free-text field has a limit (see estates/validators.py).",
                        obj=field,
                        id="estates.E001",
                    )
                )
    return errors
