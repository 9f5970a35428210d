"""Bad configuration stops the `fangxin` command with one clear line, never a traceback."""

import base64
import os
import subprocess
import sys

import pytest


def fangxin(*args, **env_extra):
    # DJANGO_ALLOW_ASYNC_UNSAFE is set by the browser tests in the same process; a deployment never has it.
    dropped = {"DJANGO_SETTINGS_MODULE", "DATABASE_URL", "FANGXIN_ENV", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env = {k: v for k, v in os.environ.items() if k not in dropped}
    env.update(env_extra)
    return subprocess.run([sys.executable, "-m", "config.manage", *args], capture_output=True, text=True, env=env,
                          timeout=120)


@pytest.mark.parametrize(
    ("url", "fragment"),
    [
        ("mysql://root@127.0.0.1/fangxin", "不受支持的数据库"),
        ("not a url at all", "DATABASE_URL"),
        ("postgres://postgres@127.0.0.1:5432/", "缺少数据库名"),
    ],
)
def test_an_invalid_database_url_is_one_line(url, fragment):
    result = fangxin("check", DATABASE_URL=url)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert result.stderr.strip().startswith("配置错误：")
    assert fragment in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_an_unreachable_database_is_one_line():
    result = fangxin("migrate", "--check", DATABASE_URL="postgres://postgres@127.0.0.1:1/nothing")
    assert result.returncode == 2
    assert result.stderr.startswith("数据库连接失败：")
    assert len(result.stderr.strip().splitlines()) == 1


def test_production_without_a_secret_key_is_one_line():
    result = fangxin("check", FANGXIN_ENV="production", FANGXIN_SECRET_KEY="")
    assert result.returncode == 2
    assert result.stderr.strip() == "配置错误：生产模式缺少 FANGXIN_SECRET_KEY：请设置至少 40 个字符的随机字符串。"


def test_production_with_a_secret_key_passes_the_deploy_checks():
    result = fangxin("check", "--deploy", "--fail-level", "ERROR", FANGXIN_ENV="production",
                     FANGXIN_SECRET_KEY="k" * 20 + "9Q!x" * 10, FANGXIN_ALLOWED_HOSTS="fangxin.example.cn",
                     FANGXIN_DATA_KEYS=base64.b64encode(b"d" * 32).decode(),
                     FANGXIN_DATA_HASH_KEY=base64.b64encode(b"h" * 32).decode())
    assert result.returncode == 0, result.stderr


def test_a_bad_boolean_is_named():
    result = fangxin("check", FANGXIN_DEBUG="perhaps")
    assert result.returncode == 2
    assert "FANGXIN_DEBUG" in result.stderr


def test_a_key_file_is_made_once_private_and_then_reused(tmp_path, monkeypatch):
    from config.settings import env

    monkeypatch.setattr(env, "VAR_DIR", tmp_path / "var")
    made = []

    def make():
        made.append(1)
        return f"key-{len(made)}"

    first = env.key_file("some_key", make)
    assert first == "key-1"
    assert (tmp_path / "var" / "some_key").stat().st_mode & 0o777 == 0o600
    assert env.key_file("some_key", make) == first  # kept, not remade
    assert made == [1]


def test_the_data_keys_made_outside_production_are_32_byte_keys(tmp_path, monkeypatch):
    from config.settings import env, privacy

    monkeypatch.setattr(env, "VAR_DIR", tmp_path)
    monkeypatch.delenv("FANGXIN_DATA_KEYS", raising=False)
    [key] = privacy.data_keys(production=False)
    assert len(base64.urlsafe_b64decode(key)) == 32
    assert privacy.data_keys(production=False) == [key]


def test_a_key_file_made_by_another_process_at_the_same_moment_wins(tmp_path, monkeypatch):
    from config.settings import env

    monkeypatch.setattr(env, "VAR_DIR", tmp_path)
    real_link = env.os.link

    def other_process_first(source, target):
        (tmp_path / "raced_key").write_text("theirs")
        real_link(source, target)  # raises FileExistsError, as the losing process sees it

    monkeypatch.setattr(env.os, "link", other_process_first)
    assert env.key_file("raced_key", lambda: "ours") == "theirs"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["raced_key"]  # no temporary file left behind
