import csv
import shutil
import subprocess
import sys

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from fangxin.core.actors import Actor
from fangxin.core.models import AuditRecord
from fangxin.organisation.models import Commitment, Department, Dimension, Region, Sector
from fangxin.organisation.reference import ReferenceFileError, parse_all
from fangxin.organisation.services import (
    commitment_draft_create,
    commitment_edit_draft,
    commitment_publish,
    reference_load,
)

SHARED = settings.FANGXIN_REFERENCE_DIR


def load(directory=SHARED, overwrite=False):
    return reference_load(actor=Actor.system("test"), directory=directory, overwrite=overwrite)


@pytest.mark.django_db
def test_sectors_carry_exactly_the_departments_of_policy_section_four():
    load()
    with open(SHARED / "sectors.csv", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert Sector.objects.count() == len(rows) == 13
    for row in rows:
        sector = Sector.objects.get(code=row["code"])
        assert sector.name == row["name"]
        assert set(sector.lead_departments.values_list("code", flat=True)) == set(row["lead"].split(";"))
        assert set(sector.cooperating_departments.values_list("code", flat=True)) == set(row["cooperating"].split(";"))
    beauty = Sector.objects.get(code="beauty_fitness")
    assert set(beauty.lead_departments.values_list("name", flat=True)) == {"市工商质监局", "市商务局", "市体育局"}


@pytest.mark.django_db
def test_regions_form_a_tree_with_subtree_paths():
    load()
    linhe = Region.objects.get(code="150802")
    assert linhe.path == "/150000/150800/150802/"
    assert Region.objects.filter(path__startswith=Region.objects.get(code="150800").path).count() == 8
    assert Dimension.objects.count() == 5
    assert Commitment.objects.get().status == "published"


@pytest.mark.django_db
def test_a_second_load_changes_nothing_and_writes_no_audit_record():
    load()
    counts = (Region.objects.count(), Department.objects.count(), Sector.objects.count(), AuditRecord.objects.count())
    report = load()
    assert sum(report.created.values()) + sum(report.updated.values()) == 0
    assert (Region.objects.count(), Department.objects.count(), Sector.objects.count(),
            AuditRecord.objects.count()) == counts


@pytest.mark.django_db
def test_admin_edits_survive_a_reload_unless_overwrite_is_asked_for():
    load()
    Department.objects.filter(code="amr").update(name="市市场监督管理局")
    load()
    assert Department.objects.get(code="amr").name == "市市场监督管理局"
    report = load(overwrite=True)
    assert Department.objects.get(code="amr").name == "市工商质监局"
    assert report.updated == {"department": 1}
    assert AuditRecord.objects.filter(action="organisation.department.update").count() == 1


def broken_copy(tmp_path, filename, transform):
    target = tmp_path / "ref"
    shutil.copytree(SHARED, target)
    path = target / filename
    path.write_text(transform(path.read_text(encoding="utf-8")), encoding="utf-8")
    return target


@pytest.mark.parametrize(
    ("filename", "transform", "message"),
    [
        ("sectors.csv", lambda t: t.replace("ecommerce,1,", "ecommerce,x,"), "sectors.csv 第 2 行：序号"),
        ("sectors.csv", lambda t: t.replace("amr;commerce;sport", "amr;nobody"), "未知的部门代码 nobody"),
        ("regions.csv", lambda t: t.replace("150821,五原县,county,150800", "150821,五原县,county,999999"),
         "上级区划 999999 不存在"),
        ("regions.csv", lambda t: t.replace("level", "lvl"), "缺少列 level"),
        ("departments.csv", lambda t: t + "amr,重复的局,\n", "代码 amr 重复"),
        ("dimensions.csv", lambda t: t.replace("safety,", "safety,extra,", 1), "列数与表头不一致"),
        ("regions.csv", lambda t: "code,name,level,parent_code\n", "没有数据行"),
    ],
)
def test_a_corrupt_file_is_named_with_its_line_and_nothing_is_written(tmp_path, filename, transform, message, db):
    directory = broken_copy(tmp_path, filename, transform)
    with pytest.raises(ReferenceFileError) as caught:
        load(directory)
    assert message in str(caught.value)
    assert Region.objects.count() == Sector.objects.count() == AuditRecord.objects.count() == 0


def test_binary_junk_is_reported_not_raised(tmp_path):
    directory = broken_copy(tmp_path, "sectors.csv", lambda t: t)
    (directory / "sectors.csv").write_bytes(b"\xff\xfe\x00garbage\x81")
    with pytest.raises(ReferenceFileError, match=r"sectors\.csv：不是 UTF-8"):
        parse_all(directory)


@pytest.mark.django_db
def test_the_command_reports_a_corrupt_file_in_one_line(tmp_path):
    directory = broken_copy(tmp_path, "sectors.csv", lambda t: t.replace("amr;commerce;sport", "amr;nobody"))
    with pytest.raises(CommandError, match=r"参考数据有误：sectors\.csv 第 13 行"):
        call_command("load_reference", "--dir", str(directory))


def test_the_console_command_prints_no_traceback_for_a_corrupt_file(tmp_path):
    directory = broken_copy(tmp_path, "regions.csv", lambda t: t.replace("level", "lvl"))
    result = subprocess.run([sys.executable, "-m", "config.manage", "load_reference", "--dir", str(directory)],
                            capture_output=True, text=True, env=_env(DATABASE_URL=f"sqlite:///{tmp_path}/x.sqlite3"))
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    # The database was never migrated: the files are checked first, so the file's problem is what is named.
    assert result.stderr.strip() == "CommandError: 参考数据有误：regions.csv 第 1 行：缺少列 level（需要 code, name, level, parent_code）"


def _env(**extra):
    import os

    env = {k: v for k, v in os.environ.items() if k not in {"DJANGO_SETTINGS_MODULE", "DATABASE_URL"}}
    env.update(extra)
    return env


@pytest.mark.django_db
def test_a_published_commitment_never_changes_and_a_new_version_retires_it():
    load()
    first = Commitment.objects.get()
    actor = Actor.system("test")
    from fangxin.core.exceptions import TransitionNotAllowed

    with pytest.raises(TransitionNotAllowed):
        commitment_edit_draft(actor=actor, commitment=first, title="改", body="改")
    draft = commitment_draft_create(actor=actor, title="放心消费创建单位统一承诺（2027 版）", body="新的承诺正文")
    assert draft.version == 2
    commitment_publish(actor=actor, commitment=draft)
    first.refresh_from_db()
    assert first.status == "retired"
    with pytest.raises(TransitionNotAllowed):
        commitment_publish(actor=actor, commitment=first)
