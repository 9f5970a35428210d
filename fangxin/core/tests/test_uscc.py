import pytest
from hypothesis import given
from hypothesis import strategies as st

from fangxin.core import uscc

VALID_BODY = st.text(alphabet=uscc.ALPHABET, min_size=17, max_size=17)


def test_a_completed_code_is_valid_and_normalised():
    code = uscc.complete("91150802MA0N1234X")
    assert uscc.validate(code.lower()) == code
    assert uscc.division_code(code) == "150802"


@pytest.mark.parametrize(
    ("code", "fragment"),
    [
        ("", "不能为空"),
        ("91150802MA0N1234", "应为 18 位"),
        ("91150802MA0N1234XYZ", "应为 18 位"),
        ("91150802MA0N1I34X6", "“I”"),
        ("91150802MA0N1O34X6", "“O”"),
        ("91150802MA0N1S34X6", "“S”"),
        ("91150802MA0N1V34X6", "“V”"),
        ("91150802MA0N1Z34X6", "“Z”"),
        ("91150802MA0N1234X1", "校验位错误：应为“6”"),
        ("9115A802MA0N1234X6", "行政区划代码"),
    ],
)
def test_invalid_codes_say_why(code, fragment):
    assert fragment in (uscc.problem(code) or "")


def test_the_check_character_follows_gb32100():
    # Σ value×weight over "91150802MA0N1234X" computed by hand: the check is (31 − Σ mod 31) mod 31.
    body = "91150802MA0N1234X"
    total = sum(uscc.VALUES[c] * w for c, w in zip(body, uscc.WEIGHTS, strict=True))
    assert uscc.check_character(body) == uscc.ALPHABET[(31 - total % 31) % 31] == "6"


@given(VALID_BODY.filter(lambda b: b[2:8].isdigit()))
def test_completed_codes_always_validate(body):
    assert uscc.is_valid(uscc.complete(body))


@given(VALID_BODY.filter(lambda b: b[2:8].isdigit()), st.integers(0, 17), st.sampled_from(uscc.ALPHABET))
def test_any_single_substitution_is_caught(body, position, replacement):
    code = uscc.complete(body)
    if code[position] == replacement:
        return
    forged = code[:position] + replacement + code[position + 1 :]
    # 31 is prime and every weight is non-zero mod 31, so one changed character always changes the check.
    assert not uscc.is_valid(forged)


@given(st.text(max_size=40))
def test_validate_never_crashes_on_junk(text):
    assert uscc.problem(text) is None or isinstance(uscc.problem(text), str)
