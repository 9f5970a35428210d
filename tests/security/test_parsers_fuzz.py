"""hypothesis on the parsers that had no property test yet (issue 10 item 3).

Already covered elsewhere, so not repeated here: USCC (core/tests/test_uscc.py), the masker
(triage/tests/test_masking.py), draw records (inspections/tests/test_properties.py), merchant and credit import
rows (merchants|credit/tests/test_importing.py), phone and amount (complaints/tests/test_validation.py), badge
tokens (campaign/tests/test_badges.py), survey questions, Markdown, uploads, triage JSONL, workdays.

Added here: the resident-ID checksum, complaint import rows and dates, the triage extractor, the public tracking
lookup (tracking number + phone digits), API tokens and the reference-data CSV reader. Property: each answers
any input with its result or its documented error, never anything else; round trips where the format allows.
"""

import string
from datetime import date

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from fangxin.complaints import identity, importing
from fangxin.core.exceptions import NotFound, ValidationFailed
from fangxin.triage import extract

DB_SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
TEXT = st.text(alphabet=st.characters(codec="utf-8"), max_size=80)  # includes NUL and other control characters
ID_DATES = st.dates(min_value=date(1900, 1, 1), max_value=date(2025, 12, 31))


def resident_id(area: str, born: date, order: str) -> str:
    first17 = f"{area}{born:%Y%m%d}{order}"
    return first17 + identity.check_digit(first17)


# --- resident ID (居民身份证号码) --------------------------------------------------------------------------

@given(raw=st.one_of(TEXT, st.text(alphabet="0123456789Xx ｘ０１２３４５６７８９", max_size=22)))
def test_id_number_accepts_or_says_why_never_anything_else(raw):
    try:
        value = identity.normalise_id_number(raw)
    except ValidationFailed as exc:
        assert exc.details == {"field": identity.FIELD} and exc.message
        return
    assert value == "" or (len(value) == 18 and value[:17].isdigit())


@given(area=st.from_regex(r"[1-9][0-9]{5}", fullmatch=True), born=ID_DATES, order=st.from_regex(r"[0-9]{3}", fullmatch=True),
       spaced=st.booleans(), wide=st.booleans())
def test_a_valid_id_number_round_trips_whatever_its_spelling(area, born, order, spaced, wide):
    number = resident_id(area, born, order)
    spelled = number.lower()
    if wide:
        spelled = spelled.translate({ord(c): ord(c) + 0xFEE0 for c in "0123456789"})
    if spaced:
        spelled = f" {spelled[:6]} {spelled[6:14]} {spelled[14:]} "
    assert identity.normalise_id_number(spelled) == number


@given(area=st.from_regex(r"[1-9][0-9]{5}", fullmatch=True), born=ID_DATES, order=st.from_regex(r"[0-9]{3}", fullmatch=True),
       wrong=st.sampled_from(identity.CHECK))
def test_a_wrong_check_digit_is_refused(area, born, order, wrong):
    number = resident_id(area, born, order)
    if wrong == number[17]:
        return
    with pytest.raises(ValidationFailed):
        identity.normalise_id_number(number[:17] + wrong)


# --- complaint import: dates and whole rows ----------------------------------------------------------------

@given(value=st.one_of(TEXT, st.integers(), st.floats(allow_nan=True), st.none(), st.dates(), st.datetimes()))
def test_import_dates_are_a_date_none_or_value_error(value):
    try:
        result = importing.parse_date(value)
    except ValueError:
        return
    assert result is None or isinstance(result, date)


@given(day=st.dates(min_value=date(1000, 1, 1)), spelling=st.sampled_from(
    ["%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日", "%Y%m%d", "%Y-%m-%d 08:30", "%Y-%m-%dT08:30:00"]))
def test_import_dates_round_trip_in_every_documented_spelling(day, spelling):
    assert importing.parse_date(day.strftime(spelling)) == day


CELL = st.one_of(TEXT, st.integers(min_value=-10**12, max_value=10**12), st.floats(allow_nan=False), st.none(),
                 st.booleans(), st.dates())


@pytest.mark.django_db
@DB_SETTINGS
@given(cells=st.fixed_dictionaries({}, optional={c.field: CELL for c in importing.COLUMNS}))
def test_an_import_row_is_parsed_or_explained_never_raises(reference, cells):
    from fangxin.core.actors import Actor

    result = importing.parse_row(cells, importing.Counties(), number=2, actor=Actor.system("fuzz"),
                                 today=date(2026, 11, 27))
    assert isinstance(result, importing.ParsedRow | importing.RowError)
    if isinstance(result, importing.RowError):
        assert result.problems and all(p.message for p in result.problems)


# --- triage extractor ---------------------------------------------------------------------------------------

@given(text=st.one_of(TEXT, st.text(alphabet="0123456789元万块多,.年月日号订单编号：-¥￥ 电话", max_size=120)))
def test_the_extractor_never_raises_and_finds_only_what_is_in_the_text(text):
    found = extract.extract(text)
    for item in found.amounts:
        assert item["text"] in text
        assert float(item["yuan"]) >= 0
    for item in found.dates + found.phones:
        assert item["text"] in text
    assert all(number for number in found.order_numbers)
    assert all(len(getattr(found, kind)) <= extract.MAX_ITEMS
               for kind in ("amounts", "dates", "order_numbers", "phones", "business_names"))


# --- public tracking lookup and API tokens (database, both backends) ---------------------------------------

@pytest.mark.django_db
@DB_SETTINGS
@given(tracking_no=TEXT, last4=st.one_of(TEXT, st.from_regex(r"[0-9]{4}", fullmatch=True)))
@example(tracking_no="TS2026\x00", last4="1234")  # PostgreSQL refuses NUL in a string literal
def test_tracking_lookup_answers_not_found_for_anything_that_is_not_a_real_pair(reference, tracking_no, last4):
    from fangxin.complaints import selectors

    with pytest.raises(NotFound):
        selectors.track(tracking_no, last4)


@pytest.mark.django_db
@DB_SETTINGS
@given(raw=st.one_of(TEXT, st.builds(lambda a, b: f"fx_{a}_{b}", TEXT, TEXT)))
@example(raw="fx_\x00_secret")
def test_an_api_token_is_a_user_or_none_never_an_error(db, raw):
    from fangxin.accounts.services import api_token_authenticate

    assert api_token_authenticate(raw) is None


# --- reference data CSV ------------------------------------------------------------------------------------

@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(content=st.one_of(TEXT, st.binary(max_size=200), st.lists(
    st.lists(st.one_of(st.sampled_from(["150802", "150800", "临河区", "county", "city", "", "\"a,b\""]),
                       st.text(alphabet=string.ascii_letters + string.digits + ",\"\n 临河区", max_size=8)),
             max_size=5),
    max_size=5).map(lambda rows: "code,name,level,parent_code\n" + "\n".join(",".join(r) for r in rows))))
def test_reference_csv_is_read_or_refused_with_a_file_error(tmp_path, content):
    from fangxin.organisation import reference

    path = tmp_path / "regions.csv"
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8", errors="surrogatepass")
    try:
        rows = reference.parse_regions(path)
    except reference.ReferenceFileError as exc:
        assert exc.problem
        return
    assert all(row.code for row in rows)
