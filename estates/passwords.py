"""Password rules beyond Django's own: no keyboard-free runs like ``abcdefghijkl``."""

from itertools import pairwise

from django.core.exceptions import ValidationError


def _step(a: str, b: str) -> int | None:
    """+1/-1 when ``b`` follows/precedes ``a`` (digits wrap 9→0), 0 when equal, else None."""
    a, b = a.lower(), b.lower()
    if a == b:
        return 0
    if a.isdigit() and b.isdigit():
        diff = (int(b) - int(a)) % 10
        return {1: 1, 9: -1}.get(diff)
    if a.isascii() and b.isascii() and a.isalpha() and b.isalpha():
        return {1: 1, -1: -1}.get(ord(b) - ord(a))
    return None


def longest_run(password: str) -> int:
    """The longest stretch of characters that repeat or count up or down by one."""
    if not password:
        return 0
    best = run = 1
    direction = None
    for previous, current in pairwise(password):
        step = _step(previous, current)
        if step is not None and (direction is None or step == direction):
            run += 1
            direction = step
        elif step is not None:
            run, direction = 2, step
        else:
            run, direction = 1, None
        best = max(best, run)
    return best


class SequenceValidator:
    """Refuses passwords that are mostly one run (``abcdefghijkl``, ``123456789012``,
    ``aaaaaaaaaaaa``, ``987654321098``) or that use very few different characters."""

    def __init__(self, max_run: int = 5, min_distinct: int = 5):
        self.max_run = max_run
        self.min_distinct = min_distinct

    def validate(self, password, user=None):
        if longest_run(password) > self.max_run:
            raise ValidationError(
                f"密码中不能有超过 {self.max_run} 个连续或重复的字符（如 abcdef、123456、aaaaaa）",
                code="password_sequence",
            )
        if len(set(password.lower())) < self.min_distinct:
            raise ValidationError(
                f"密码至少要包含 {self.min_distinct} 个不同的字符", code="password_too_uniform"
            )

    def get_help_text(self):
        return (
            f"不能有超过 {self.max_run} 个连续或重复的字符，至少 {self.min_distinct} 个不同字符。"
        )
