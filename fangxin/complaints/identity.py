"""The complainant's resident ID number (居民身份证号码, GB 11643-1999): 18 characters, the last a check digit.

Optional everywhere; when given it must be valid, so a typo is caught while the complainant is still there.
"""

from datetime import date

from fangxin.core.exceptions import ValidationFailed

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK = "10X98765432"
FIELD = "complainant_id_number"


def check_digit(first17: str) -> str:
    return CHECK[sum(int(d) * w for d, w in zip(first17, WEIGHTS, strict=True)) % 11]


def _fail(message: str):
    raise ValidationFailed(message, details={"field": FIELD})


def normalise_id_number(raw: str | None) -> str:
    """'' stays ''; otherwise the upper-case 18-character number, or a Chinese message saying what is wrong."""
    text = "".join((raw or "").split()).upper().replace("ｘ", "X")
    text = text.translate({ord(c): ord(c) - 0xFEE0 for c in "０１２３４５６７８９Ｘ"})  # full-width digits
    if not text:
        return ""
    if len(text) != 18:
        _fail(f"证件号码应为 18 位（现为 {len(text)} 位），请核对居民身份证。")
    if not text[:17].isdigit() or not (text[17].isdigit() or text[17] == "X"):
        _fail("证件号码格式不正确：前 17 位应为数字，最后一位为数字或 X。")
    try:
        born = date(int(text[6:10]), int(text[10:12]), int(text[12:14]))
    except ValueError:
        _fail("证件号码中的出生日期不存在，请核对。")
    if born.year < 1900 or born > date.today():
        _fail("证件号码中的出生日期不合理，请核对。")
    if check_digit(text[:17]) != text[17]:
        _fail("证件号码校验位不正确，请核对是否抄错。")
    return text


def clean_id_number(raw: str | None) -> str:
    """For Django forms: the same check, as a form error on the field."""
    from django import forms

    try:
        return normalise_id_number(raw)
    except ValidationFailed as exc:
        raise forms.ValidationError(exc.message) from None
