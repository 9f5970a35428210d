import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError


class LazyLines(io.RawIOBase):
    """A binary stdin that makes its lines on demand and counts how many were read."""

    def __init__(self, lines):
        self.lines, self.read_count, self.pending = iter(lines), 0, b""

    def readable(self):
        return True

    def readline(self, limit=-1):
        if not self.pending:
            try:
                self.pending = next(self.lines)
            except StopIteration:
                return b""
            self.read_count += 1
        size = len(self.pending) if limit is None or limit < 0 else limit
        chunk, self.pending = self.pending[:size], self.pending[size:]
        return chunk


class RecordingOut(io.StringIO):
    def __init__(self, source):
        super().__init__()
        self.source, self.read_at_first_write = source, None

    def write(self, text):
        if self.read_at_first_write is None:
            self.read_at_first_write = self.source.read_count
        return super().write(text)


def run(command, *args, stdin=None):
    out, err = io.StringIO(), io.StringIO()
    call_command(command, *args, stdin=stdin, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_triage_jsonl_keeps_order_and_reports_bad_lines(model_dir):
    stdin = io.BytesIO("\n".join([
        json.dumps({"id": "a", "text": "快递把包裹弄丢了"}, ensure_ascii=False),
        "{broken json",
        json.dumps({"id": "c"}),
        "",
        json.dumps({"id": 4, "text": "在饭店吃出了苍蝇"}, ensure_ascii=False),
    ]).encode() + b"\n\xff\xfe\n")
    out, err = run("triage", "--jsonl", stdin=stdin)
    lines = [json.loads(line) for line in out.splitlines()]
    assert [line.get("id") for line in lines] == ["a", None, "c", 4, None]
    assert set(lines[0]) == {"id", "sector", "problem_types", "department", "confidence", "evidence"}
    assert lines[0]["sector"] == "express" and lines[3]["sector"] == "food_drug"
    assert lines[1] == {"line": 2, "error": "该行不是合法的 JSON"}
    assert lines[2]["line"] == 3 and "text" in lines[2]["error"]
    assert lines[4]["line"] == 6 and "UTF-8" in lines[4]["error"]
    assert "第 2 行" in err and "第 3 行" in err and "第 6 行" in err


def test_triage_one_text_prints_readably(model_dir):
    out, _ = run("triage", "在驾校报名学车，教练每次都要红包，交了3000元的学费不给退")
    assert "行业：交通（transport）" in out and "牵头部门：" in out and "依据：" in out and "金额：3000元" in out


def test_ten_thousand_lines_stream_without_being_held(model_dir):
    texts = ["在网上买的鞋子开胶了，商家不给换", "健身房跑路了，卡里还有钱", "快递丢件"]
    source = LazyLines(json.dumps({"id": i, "text": texts[i % 3]}, ensure_ascii=False).encode() + b"\n"
                       for i in range(10_000))
    out, err = RecordingOut(source), io.StringIO()
    call_command("triage", "--jsonl", stdin=source, stdout=out, stderr=err)
    lines = out.getvalue().splitlines()
    assert len(lines) == 10_000 and json.loads(lines[-1])["id"] == 9_999
    assert out.read_at_first_write <= 2  # the first answer was written after reading one line, not all of them
    assert err.getvalue() == ""


def test_mask_jsonl_and_one_text():
    source = LazyLines([json.dumps({"id": i, "text": f"我叫王建国，电话1381234{i:04d}"}, ensure_ascii=False).encode() + b"\n"
                        for i in range(10_000)] + [b"[]\n"])
    out, err = RecordingOut(source), io.StringIO()
    call_command("mask", "--jsonl", stdin=source, stdout=out, stderr=err)
    lines = [json.loads(line) for line in out.getvalue().splitlines()]
    assert len(lines) == 10_001 and out.read_at_first_write <= 2
    assert lines[0] == {"id": 0, "text": "我叫王**，电话138****0000",
                        "spans": [{"start": 2, "end": 5, "type": "name"}, {"start": 8, "end": 19, "type": "mobile"}]}
    assert lines[-1]["line"] == 10_001 and "第 10001 行" in err.getvalue()
    out, err = run("mask", "身份证15082619420507909X")
    assert out.strip() == "身份证150826********909X" and "身份证号" in err


def test_commands_refuse_unclear_invocations():
    with pytest.raises(CommandError):
        run("mask")
    with pytest.raises(CommandError):
        run("triage", "文本", "--jsonl", stdin=io.BytesIO(b""))
    with pytest.raises(CommandError, match="100,000"):
        run("mask", "字" * 100_001)


@pytest.mark.django_db
def test_retrain_command_reports_the_outcome(private_model_dir):
    out, _ = run("triage", "retrain")
    assert "v" in out and ("已启用" in out or "保留原模型" in out)
