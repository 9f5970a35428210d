"""Checks on what a complainant types: phone numbers, amounts, dates. Messages are what the user reads."""

import re
from datetime import date
from decimal import Decimal, InvalidOperation

from fangxin.core.exceptions import ValidationFailed

MOBILE = re.compile(r"^1[3-9]\d{9}$")
LANDLINE = re.compile(r"^0\d{2,3}\d{7,8}$")


def normalise_phone(raw: str) -> str:
    """'+86 138-0000-1234' → '13800001234'; raises with a Chinese message when it is not a phone number."""
    digits = re.sub(r"[\s\-()（）]", "", raw or "")
    if digits.startswith("+86"):
        digits = digits[3:]
    elif digits.startswith("0086"):
        digits = digits[4:]
    if not digits:
        raise ValidationFailed("请填写联系电话。", details={"field": "complainant_phone"})
    if not (MOBILE.match(digits) or LANDLINE.match(digits)):
        raise ValidationFailed("联系电话格式不正确：请填写 11 位手机号码，或带区号的固定电话。",
                               details={"field": "complainant_phone"})
    return digits


def parse_amount(raw) -> Decimal | None:
    if raw in (None, ""):
        return None
    try:
        text = str(raw).replace(",", "").strip()
        value = Decimal(text.removesuffix("元").strip())
    except InvalidOperation:
        raise ValidationFailed("金额请填写数字，如 199.00。", details={"field": "amount"}) from None
    if not value.is_finite():
        raise ValidationFailed("金额请填写数字，如 199.00。", details={"field": "amount"})
    if value < 0 or value >= Decimal("10000000000") or value.as_tuple().exponent < -2:
        raise ValidationFailed("金额应为不小于 0 的数，最多两位小数。", details={"field": "amount"})
    return value.quantize(Decimal("0.01"))


def check_purchase_date(value: date | None, today: date) -> None:
    if value and value > today:
        raise ValidationFailed("消费日期不能晚于今天。", details={"field": "purchased_on"})


def required(value: str, label: str, field: str, max_length: int) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationFailed(f"请填写{label}。", details={"field": field})
    if len(value) > max_length:
        raise ValidationFailed(f"{label}最多 {max_length} 个字。", details={"field": field})
    return value
