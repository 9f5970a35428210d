"""The survey questions as staff type them, one per line:

    评分｜您对供水服务的总体满意度
    单选｜停水前是否提前得到通知？｜每次都有｜有时有｜从来没有

A rating question is answered 1–5 (很不满意 … 很满意); a single-choice question has 2–8 options. The half-width
bar "|" works as well. `format_questions(parse_questions(text))` gives back the normalised text."""

import re

from fangxin.core.exceptions import ValidationFailed

from .choices import QuestionKind

KIND_WORDS = {"评分": QuestionKind.RATING, "单选": QuestionKind.CHOICE}
WORD_OF_KIND = {kind: word for word, kind in KIND_WORDS.items()}
MAX_QUESTIONS = 20
MAX_OPTIONS = 8
TEXT_LIMIT = 200
OPTION_LIMIT = 60
_BAR = re.compile(r"[|｜]")


def parse_questions(text: str) -> list[dict]:
    """[{"kind", "text", "options"}]; ValidationFailed (naming the line) for anything malformed."""
    out = []
    for number, raw in enumerate((text or "").splitlines(), 1):
        line = raw.strip()
        if not line:
            continue
        parts = [part.strip() for part in _BAR.split(line)]
        kind = KIND_WORDS.get(parts[0])
        if kind is None or len(parts) < 2 or not parts[1]:
            raise ValidationFailed(f"第 {number} 行：请以“评分｜题目”或“单选｜题目｜选项一｜选项二”的格式填写。",
                                   details={"field": "questions", "line": number})
        question, options = parts[1], [option for option in parts[2:] if option]
        if len(question) > TEXT_LIMIT:
            raise ValidationFailed(f"第 {number} 行：题目最多 {TEXT_LIMIT} 个字。", details={"field": "questions"})
        if kind == QuestionKind.RATING and options:
            raise ValidationFailed(f"第 {number} 行：评分题不需要选项（固定为 1–5 分）。",
                                   details={"field": "questions", "line": number})
        if kind == QuestionKind.CHOICE:
            if not 2 <= len(options) <= MAX_OPTIONS:
                raise ValidationFailed(f"第 {number} 行：单选题需要 2–{MAX_OPTIONS} 个选项。",
                                       details={"field": "questions", "line": number})
            if len(set(options)) != len(options):
                raise ValidationFailed(f"第 {number} 行：选项不能重复。", details={"field": "questions", "line": number})
            if any(len(option) > OPTION_LIMIT for option in options):
                raise ValidationFailed(f"第 {number} 行：每个选项最多 {OPTION_LIMIT} 个字。",
                                       details={"field": "questions", "line": number})
        out.append({"kind": str(kind), "text": question, "options": options})
    if not out:
        raise ValidationFailed("请至少填写一道题目。", details={"field": "questions"})
    if len(out) > MAX_QUESTIONS:
        raise ValidationFailed(f"最多 {MAX_QUESTIONS} 道题目。", details={"field": "questions"})
    return out


def format_questions(questions) -> str:
    lines = []
    for q in questions:
        kind, text, options = (q["kind"], q["text"], q["options"]) if isinstance(q, dict) else \
            (q.kind, q.text, q.options)
        lines.append("｜".join([WORD_OF_KIND[kind], text, *options]))
    return "\n".join(lines)
