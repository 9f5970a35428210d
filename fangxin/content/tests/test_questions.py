"""The survey question format: a round trip through parse and format, and line-numbered errors."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fangxin.content.questions import format_questions, parse_questions
from fangxin.core.exceptions import ValidationFailed


def test_parse_both_kinds_and_both_bars():
    questions = parse_questions("评分｜总体满意度\n\n单选 | 是否提前通知？ | 是 | 否 \n")
    assert questions == [{"kind": "rating", "text": "总体满意度", "options": []},
                         {"kind": "choice", "text": "是否提前通知？", "options": ["是", "否"]}]


@pytest.mark.parametrize(("text", "message"), [
    ("", "至少填写一道"),
    ("问答｜你好", "第 1 行"),
    ("评分｜好\n单选｜只有一个选项｜是", "第 2 行：单选题需要"),
    ("单选｜重复｜是｜是", "选项不能重复"),
    ("评分｜带选项｜是｜否", "评分题不需要选项"),
    ("评分｜", "第 1 行"),
    ("\n".join(["评分｜题"] * 21), "最多 20 道"),
])
def test_errors(text, message):
    with pytest.raises(ValidationFailed) as caught:
        parse_questions(text)
    assert message in caught.value.message


word = st.text(alphabet=st.characters(whitelist_categories=("Lo", "Nd"), max_codepoint=0x9FFF), min_size=1,
               max_size=12)


@given(st.lists(st.one_of(
    st.builds(lambda t: {"kind": "rating", "text": t, "options": []}, word),
    st.builds(lambda t, o: {"kind": "choice", "text": t, "options": o}, word,
              st.lists(word, min_size=2, max_size=8, unique=True))), min_size=1, max_size=20))
def test_round_trip(questions):
    assert parse_questions(format_questions(questions)) == questions
