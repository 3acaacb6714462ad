"""The unified social credit code (统一社会信用代码, GB 32100-2015): 18 characters from a
31-character set without I, O, S, V, Z; the 18th is a check character computed from the
first 17 with weights 3^(i-1) mod 31. Checked on the public exhibitor application and on
fapiao requests alike."""

from __future__ import annotations

import unicodedata

CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
VALUES = {char: value for value, char in enumerate(CHARSET)}
WEIGHTS = [pow(3, i, 31) for i in range(17)]


def normalize(text: str | None) -> str:
    """Full-width characters and lowercase typed by a person, spaces around and inside removed."""
    return "".join(unicodedata.normalize("NFKC", text or "").upper().split())


def check_character(first17: str) -> str:
    total = sum(VALUES[char] * weight for char, weight in zip(first17, WEIGHTS, strict=True))
    return CHARSET[(31 - total % 31) % 31]


def is_valid(code: str) -> bool:
    return problem_with(code) is None


def problem_with(code: str) -> str | None:
    """None for a valid code; else which rule it breaks: length, characters, check."""
    if len(code) != 18:
        return "length"
    if any(char not in VALUES for char in code):
        return "characters"
    if not code[:2].isalnum() or not code[2:8].isdigit():
        return "characters"
    if check_character(code[:17]) != code[17]:
        return "check"
    return None
