"""The intake parsers: any input gives a value or a Chinese ValidationFailed, never another error."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fangxin.complaints.validation import normalise_phone, parse_amount
from fangxin.core.exceptions import ValidationFailed


@given(st.text(max_size=40))
def test_any_phone_text_is_a_number_or_a_clear_message(raw):
    try:
        phone = normalise_phone(raw)
    except ValidationFailed as exc:
        assert exc.details["field"] == "complainant_phone" and exc.message
    else:
        assert phone.isdigit() and len(phone) in (10, 11, 12)


@given(st.one_of(st.text(max_size=30), st.floats(allow_nan=True), st.integers()))
def test_any_amount_text_is_a_decimal_or_a_clear_message(raw):
    try:
        value = parse_amount(raw)
    except ValidationFailed as exc:
        assert exc.details["field"] == "amount"
    else:
        assert value is None or (value >= 0 and value == value.quantize(Decimal("0.01")))


@given(st.decimals(min_value=0, max_value=Decimal("99999999.99"), places=2))
def test_a_written_amount_reads_back(amount):
    assert parse_amount(f"{amount}") == amount
    assert parse_amount(f"{amount}元") == amount


@pytest.mark.parametrize("raw", ["12元5", "1,2,3元元", "NaN", "-1", "1.234", "一百"])
def test_malformed_amounts_are_refused(raw):
    with pytest.raises(ValidationFailed):
        parse_amount(raw)


@pytest.mark.parametrize("raw, expected", [("+86 138-0000-1234", "13800001234"), ("0478-8123456", "04788123456"),
                                           ("(0478) 812 3456", "04788123456"), ("0086 13800001234", "13800001234")])
def test_phone_forms(raw, expected):
    assert normalise_phone(raw) == expected
