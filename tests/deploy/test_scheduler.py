"""The scheduler node's jobs (deploy/scheduler/run-job) name commands that exist with those subcommands, and the
systemd timers and the crontab schedule exactly the jobs run-job knows."""

import re
import shlex
from pathlib import Path

from django.core.management import get_commands, load_command_class

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
RUN_JOB = (DEPLOY / "scheduler" / "run-job").read_text()


def jobs() -> dict[str, list[list[str]]]:
    """job name → the `fangxin …` argument lists its branch runs."""
    found: dict[str, list[list[str]]] = {}
    for name, body in re.findall(r"^  ([a-z-]+)\)(.*?;;)", RUN_JOB, flags=re.M | re.S):
        calls = re.findall(r'"\$FANGXIN" ([^;\n#]+)', body)
        found[name] = [[word for word in shlex.split(call) if not word.startswith('"$')] for call in calls]
    return found


def test_every_job_runs_an_existing_command_and_subcommand():
    commands = get_commands()
    assert len(jobs()) >= 14
    for name, calls in jobs().items():
        assert calls, name
        for words in calls:
            command, *rest = words
            assert command in commands, f"{name}: fangxin {command} does not exist"
            parser = load_command_class(commands[command], command).create_parser("fangxin", command)
            arguments = [word if not word.startswith("$") else "x" for word in rest]
            if "--output" in arguments:  # its value is built by the shell
                arguments[arguments.index("--output") + 1] = "/tmp/x.tar.gz"
            parser.parse_args(arguments)  # an unknown subcommand or option exits (SystemExit fails the test)


def test_the_timers_and_the_crontab_schedule_every_job_and_nothing_else():
    timers = {path.name.removeprefix("fangxin-").removesuffix(".timer")
              for path in (DEPLOY / "systemd").glob("fangxin-*.timer")}
    for timer in timers:
        assert f"Unit=fangxin-job@{timer}.service" in (DEPLOY / "systemd" / f"fangxin-{timer}.timer").read_text()
    cron = set(re.findall(r"\$RUN ([a-z-]+)$", (DEPLOY / "scheduler" / "crontab").read_text(), flags=re.M))
    assert timers == cron == set(jobs())
