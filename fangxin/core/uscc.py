"""Unified social credit code (统一社会信用代码, GB 32100-2015), DESIGN 5.2."""

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
VALUES = {char: index for index, char in enumerate(ALPHABET)}
WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
LENGTH = 18


class InvalidUSCC(ValueError):
    """The message says, in Chinese, why the code is invalid."""


def check_character(first17: str) -> str:
    total = sum(VALUES[char] * weight for char, weight in zip(first17, WEIGHTS, strict=True))
    return ALPHABET[(31 - total % 31) % 31]


def normalize(code: str) -> str:
    return (code or "").strip().upper()


def validate(code: str) -> str:
    """Return the normalised code, or raise InvalidUSCC naming the first problem found."""
    code = normalize(code)
    if not code:
        raise InvalidUSCC("统一社会信用代码不能为空")
    if len(code) != LENGTH:
        raise InvalidUSCC(f"统一社会信用代码应为 18 位，实际为 {len(code)} 位")
    bad = [char for char in code if char not in VALUES]
    if bad:
        raise InvalidUSCC(f"统一社会信用代码含有不允许的字符“{bad[0]}”（不使用 I、O、S、V、Z）")
    if not code[2:8].isdigit():
        raise InvalidUSCC("统一社会信用代码第 3–8 位应为行政区划代码（6 位数字）")
    expected = check_character(code[:17])
    if code[17] != expected:
        raise InvalidUSCC(f"统一社会信用代码校验位错误：应为“{expected}”，实际为“{code[17]}”")
    return code


def problem(code: str) -> str | None:
    """None for a valid code, otherwise the reason."""
    try:
        validate(code)
    except InvalidUSCC as exc:
        return str(exc)
    return None


def is_valid(code: str) -> bool:
    return problem(code) is None


def complete(first17: str) -> str:
    """Append the check character to 17 characters (used by demo and synthetic data)."""
    first17 = normalize(first17)
    if len(first17) != LENGTH - 1 or any(char not in VALUES for char in first17):
        raise InvalidUSCC("需要 17 位有效字符才能计算校验位")
    return first17 + check_character(first17)


def division_code(code: str) -> str:
    """Characters 3–8: the administrative division where the entity was registered."""
    return normalize(code)[2:8]
