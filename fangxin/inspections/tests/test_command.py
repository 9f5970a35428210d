"""`fangxin draw verify RECORD.json`: exit 0 verified, 1 a difference, 2 unreadable; never the database."""

import json
import os
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from fangxin.inspections import draw

REPO = Path(__file__).resolve().parents[3]


@pytest.fixture
def record():
    usccs = [f"9115080{i % 2 + 1}MA0{i:06d}X" for i in range(40)]
    return draw.build_record(
        plan={"id": "7", "name": "2026 年第四季度双随机抽查", "ratios": {"all": "0.1"}, "team_size": 2},
        strata={"all": usccs},
        entities={u: {"county": "15080" + u[7]} for u in usccs},
        inspectors=[{"code": f"I{i}", "department": "amr", "regions": ["150800"], "active": True, "conflicts": []}
                    for i in range(4)],
        exclusions=[],
        public_entropy="见证人甲 3-1-4；见证人乙 1-5-9",
        server_secret=draw.new_server_secret(),
        frozen_at="2026-11-27T09:00:00+08:00",
        published_at="2026-11-27T09:00:00+08:00",
    )


def run(path):
    out, err = StringIO(), StringIO()
    try:
        call_command("draw", "verify", str(path), stdout=out, stderr=err)
        code = 0
    except SystemExit as exit_:
        code = exit_.code
    return code, out.getvalue(), err.getvalue()


def write(path: Path, record) -> Path:
    path.write_text(json.dumps(record, ensure_ascii=False), encoding="utf-8")
    return path


def test_an_honest_record_prints_verified_and_exits_0(tmp_path, record):
    assert run(write(tmp_path / "record.json", record)) == (0, "verified\n", "")


def test_a_tampered_record_prints_the_first_difference_and_the_count_and_exits_1(tmp_path, record):
    record["server_secret"] = draw.new_server_secret()
    code, out, _ = run(write(tmp_path / "record.json", record))
    first, rest = out.splitlines()
    assert code == 1
    assert first.startswith("commitment.sha256 不符")
    assert rest.startswith("（另有 ") and "--all" in rest


def test_all_lists_every_difference(tmp_path, record):
    record["seed"] = "0" * 64
    record["selected"].pop()
    out = StringIO()
    with pytest.raises(SystemExit) as exit_:
        call_command("draw", "verify", str(write(tmp_path / "r.json", record)), "--all", stdout=out)
    assert exit_.value.code == 1
    lines = out.getvalue().splitlines()
    assert lines[0].startswith("seed 不符") and lines[1] == "selected 共 3 项，按输入重新计算应为 4 项"
    assert lines[-1].startswith("selected[3] 缺失，按输入重新计算应为 {")
    assert len(lines) == len(draw.verify(record)) and not any("另有" in line for line in lines)


def test_a_malformed_record_is_a_difference_exit_1(tmp_path):
    code, out, _ = run(write(tmp_path / "record.json", {"algorithm": "something-else"}))
    assert code == 1 and out.startswith("不支持的抽签算法")


@pytest.mark.parametrize("content", [b"{not json", b"", b"\xff\xfe{}", b"{\"a\": 1"])
def test_invalid_json_is_one_chinese_line_and_exit_2(tmp_path, content):
    path = tmp_path / "record.json"
    path.write_bytes(content)
    code, out, err = run(path)
    assert (code, out) == (2, "")
    assert err.startswith("抽签记录") and "不是有效的 UTF-8 JSON" in err and err.count("\n") == 1


def test_a_missing_file_is_exit_2(tmp_path):
    code, out, err = run(tmp_path / "missing.json")
    assert (code, out) == (2, "")
    assert err.startswith("找不到抽签记录文件") and "No such file" not in err and err.count("\n") == 1


def test_the_real_command_needs_no_database(tmp_path, record):
    """As a process, with a database URL nobody listens on: exit codes 0, 1 and 2 all the same."""
    env = {**os.environ, "DATABASE_URL": "postgres://nobody@127.0.0.1:9/nowhere", "PYTHONPATH": str(REPO)}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    good = write(tmp_path / "good.json", record)
    record["assignments"].reverse()
    bad = write(tmp_path / "bad.json", record)
    broken = tmp_path / "broken.json"
    broken.write_text("[", encoding="utf-8")
    results = [subprocess.run([sys.executable, "-m", "config.manage", "draw", "verify", str(path)], cwd=REPO, env=env,
                              capture_output=True, text=True, timeout=120) for path in (good, bad, broken)]
    assert [result.returncode for result in results] == [0, 1, 2], [result.stderr for result in results]
    assert results[0].stdout == "verified\n"
    assert results[1].stdout.startswith("assignments[0] 不符")
    assert results[2].stderr.startswith("抽签记录") and results[2].stdout == ""
