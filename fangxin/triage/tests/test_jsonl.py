import io
import json

from hypothesis import given
from hypothesis import strategies as st

from fangxin.triage.jsonl import MAX_TEXT, parse_line, read_lines


@given(raw=st.binary(max_size=300))
def test_any_bytes_give_a_line_or_a_clear_error(raw):
    line = parse_line(7, raw)
    if line is not None:
        assert line.number == 7
        assert line.error or isinstance(line.text, str)


@given(raw=st.text(max_size=300))
def test_any_text_gives_a_line_or_a_clear_error(raw):
    line = parse_line(3, raw)
    if line is not None and line.error:
        assert line.error_object()["line"] == 3


@given(lines=st.lists(st.one_of(st.binary(max_size=80).filter(lambda b: b"\n" not in b),
                                st.builds(lambda i, t: json.dumps({"id": i, "text": t}).encode(), st.integers(), st.text(max_size=40))),
                      max_size=30))
def test_reading_a_stream_never_raises_and_keeps_line_numbers(lines):
    stream = io.BytesIO(b"\n".join(lines) + b"\n")
    numbers = [line.number for line in read_lines(stream)]
    assert numbers == sorted(numbers)
    assert all(1 <= n <= len(lines) for n in numbers)


def test_errors_say_what_is_wrong():
    assert parse_line(1, b"{not json").error == "该行不是合法的 JSON"
    assert "JSON 对象" in parse_line(2, "[1, 2]").error
    assert "text" in parse_line(3, '{"id": 1}').error
    assert parse_line(3, '{"id": 1}').id == 1
    assert "UTF-8" in parse_line(4, b"\xff\xfe\x00").error
    assert "100,000" in parse_line(5, json.dumps({"id": 1, "text": "字" * (MAX_TEXT + 1)})).error
    assert parse_line(6, "   ") is None
    assert parse_line(7, json.dumps({"id": "a", "text": ""})).text == ""


def test_an_over_long_line_is_skipped_without_being_kept():
    stream = io.BytesIO(b"x" * 1_000_000 + b"\n" + json.dumps({"id": 2, "text": "ok"}).encode() + b"\n")
    lines = list(read_lines(stream))
    assert "超过" in lines[0].error and lines[0].number == 1
    assert lines[1].number == 2 and lines[1].text == "ok"
