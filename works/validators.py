"""The unified social credit code (统一社会信用代码, GB 32100-2015): 18 characters from a
31-character alphabet, the last a check character over the first 17."""

from django.core.exceptions import ValidationError

USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def uscc_check_character(first17: str) -> str:
    total = sum(USCC_ALPHABET.index(c) * w for c, w in zip(first17, USCC_WEIGHTS, strict=True))
    return USCC_ALPHABET[(31 - total % 31) % 31]


def validate_uscc(value: str) -> None:
    code = (value or "").strip().upper()
    if len(code) != 18:
        raise ValidationError("统一社会信用代码应为 18 位")
    bad = [c for c in code if c not in USCC_ALPHABET]
    if bad:
        raise ValidationError(f"统一社会信用代码含非法字符：{''.join(bad)}")
    if uscc_check_character(code[:17]) != code[17]:
        raise ValidationError("统一社会信用代码校验位不正确")
