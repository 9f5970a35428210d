"""Writes to reference data. Every write is one transaction with its audit records."""

from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from fangxin.core import audit
from fangxin.core.actors import Actor
from fangxin.core.exceptions import TransitionNotAllowed, ValidationFailed
from fangxin.core.transitions import StateMachine

from .choices import CommitmentStatus
from .models import Commitment, Department, Dimension, Region, Sector, SpecificCommitment
from .reference import ReferenceData, parse_all

COMMITMENT_FLOW = StateMachine(
    "commitment",
    {CommitmentStatus.DRAFT: {CommitmentStatus.PUBLISHED}, CommitmentStatus.PUBLISHED: {CommitmentStatus.RETIRED}},
    labels=CommitmentStatus,
)

REGION_FIELDS = ("code", "name", "level", "parent")
DEPARTMENT_FIELDS = ("code", "name", "note")
SECTOR_FIELDS = ("code", "seq", "name", "lead_departments", "cooperating_departments")
DIMENSION_FIELDS = ("code", "seq", "name", "summary")
SPECIFIC_FIELDS = ("code", "seq", "name", "dimension", "description")


@dataclass
class LoadReport:
    created: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)

    def count(self, kind: str, created: bool) -> None:
        bucket = self.created if created else self.updated
        bucket[kind] = bucket.get(kind, 0) + 1

    def summary(self) -> str:
        labels = {"region": "行政区划", "department": "部门", "sector": "行业", "dimension": "维度",
                  "specific_commitment": "可选承诺", "commitment": "统一承诺"}
        parts = [f"{labels[k]} 新增 {self.created.get(k, 0)}，更新 {self.updated.get(k, 0)}" for k in labels]
        return "；".join(parts)


def reference_load(*, actor: Actor, directory: Path, overwrite: bool = False) -> LoadReport:
    """Load the reference files. Missing rows are created; existing rows keep their admin edits
    unless `overwrite` is set. Running it twice changes nothing the second time."""
    parse_all(directory)  # the files alone first: a broken file is reported before the database is touched
    data = parse_all(directory, set(Region.objects.values_list("code", flat=True)))
    report = LoadReport()
    with transaction.atomic():
        _load_regions(actor, data, overwrite, report)
        _load_departments(actor, data, overwrite, report)
        _load_sectors(actor, data, overwrite, report)
        _load_dimensions(actor, data, overwrite, report)
        _load_specific_commitments(actor, data, overwrite, report)
        _load_commitment(actor, data, report)
    return report


def _upsert(actor: Actor, kind: str, model, lookup: dict, values: dict, fields, overwrite: bool,
            report: LoadReport, after_save=None):
    """Create the row, or (with overwrite) bring it in line with the file; audit what changed."""
    instance = model.objects.filter(**lookup).first()
    created = instance is None
    if not created and not overwrite:
        return instance
    before = audit.snapshot(instance, fields) if instance else {}
    instance = instance or model(**lookup)
    for name, value in values.items():
        setattr(instance, name, value)
    if isinstance(instance, Region):
        instance.path = instance.compute_path()
    instance.save()
    if after_save:
        after_save(instance)
    changes = audit.diff(before, audit.snapshot(instance, fields))
    if changes:
        audit.record(actor=actor, action=f"organisation.{kind}.{'create' if created else 'update'}",
                     obj=instance, changes=changes)
        report.count(kind, created)
    return instance


def _load_regions(actor, data: ReferenceData, overwrite, report):
    for row in data.regions:
        parent = Region.objects.get(code=row.parent_code) if row.parent_code else None
        _upsert(actor, "region", Region, {"code": row.code}, {"name": row.name, "level": row.level, "parent": parent},
                REGION_FIELDS, overwrite, report)
    if overwrite:
        region_paths_rebuild()


def _load_departments(actor, data, overwrite, report):
    for row in data.departments:
        _upsert(actor, "department", Department, {"code": row.code}, {"name": row.name, "note": row.note},
                DEPARTMENT_FIELDS, overwrite, report)


def _load_sectors(actor, data, overwrite, report):
    departments = {d.code: d for d in Department.objects.all()}
    for row in data.sectors:
        def set_departments(sector, row=row):
            sector.lead_departments.set([departments[code] for code in row.lead])
            sector.cooperating_departments.set([departments[code] for code in row.cooperating])

        _upsert(actor, "sector", Sector, {"code": row.code}, {"seq": row.seq, "name": row.name},
                SECTOR_FIELDS, overwrite, report, after_save=set_departments)


def _load_dimensions(actor, data, overwrite, report):
    for row in data.dimensions:
        _upsert(actor, "dimension", Dimension, {"code": row.code},
                {"seq": row.seq, "name": row.name, "summary": row.summary}, DIMENSION_FIELDS, overwrite, report)


def _load_specific_commitments(actor, data, overwrite, report):
    dimensions = {d.code: d for d in Dimension.objects.all()}
    for row in data.specific_commitments:
        _upsert(actor, "specific_commitment", SpecificCommitment, {"code": row.code},
                {"seq": row.seq, "name": row.name, "dimension": dimensions[row.dimension],
                 "description": row.description}, SPECIFIC_FIELDS, overwrite, report)


def _load_commitment(actor, data, report):
    if Commitment.objects.exists():
        return  # later versions are made in the admin; the file only seeds version 1
    commitment = Commitment.objects.create(version=1, title=data.commitment.title, body=data.commitment.body)
    audit.record(actor=actor, action="organisation.commitment.create", obj=commitment,
                 changes={"version": [None, 1], "title": [None, commitment.title]})
    commitment_publish(actor=actor, commitment=commitment)
    report.count("commitment", True)


def region_paths_rebuild() -> None:
    """Recompute every stored path from the parent links (paths are derived, never edited by hand)."""
    children: dict[int | None, list[Region]] = defaultdict(list)
    for region in Region.objects.all():
        children[region.parent_id].append(region)
    stack = [(region, "/") for region in children[None]]
    while stack:
        region, prefix = stack.pop()
        path = f"{prefix}{region.code}/"
        if region.path != path:
            Region.objects.filter(pk=region.pk).update(path=path)
        stack.extend((child, path) for child in children[region.pk])


def region_check_parent(region: Region) -> None:
    """A region can never sit under itself or one of its own descendants."""
    if region.pk and region.parent_id:
        stored = Region.objects.get(pk=region.pk)
        if region.parent.path.startswith(stored.path):
            raise ValidationFailed("上级区划不能是本区划或其下级区划。")


def commitment_draft_create(*, actor: Actor, title: str, body: str) -> Commitment:
    if not title.strip() or not body.strip():
        raise ValidationFailed("标题和承诺正文都不能为空。")
    with transaction.atomic():
        latest = Commitment.objects.select_for_update().order_by("-version").first()
        commitment = Commitment.objects.create(version=(latest.version + 1 if latest else 1), title=title.strip(),
                                               body=body.strip())
        audit.record(actor=actor, action="organisation.commitment.create", obj=commitment,
                     changes={"version": [None, commitment.version], "title": [None, commitment.title]})
    return commitment


def commitment_publish(*, actor: Actor, commitment: Commitment) -> Commitment:
    """Publish a draft; the previously published version is retired. Published text never changes again."""
    with transaction.atomic():
        commitment = Commitment.objects.select_for_update().get(pk=commitment.pk)
        COMMITMENT_FLOW.check(commitment.status, CommitmentStatus.PUBLISHED)
        for old in Commitment.objects.select_for_update().filter(status=CommitmentStatus.PUBLISHED):
            old.status = CommitmentStatus.RETIRED
            old.save(update_fields=["status", "updated_at"])
            audit.record(actor=actor, action="organisation.commitment.retire", obj=old,
                         changes={"status": [CommitmentStatus.PUBLISHED, CommitmentStatus.RETIRED]})
        commitment.status = CommitmentStatus.PUBLISHED
        commitment.published_at = timezone.now()
        commitment.save(update_fields=["status", "published_at", "updated_at"])
        audit.record(actor=actor, action="organisation.commitment.publish", obj=commitment,
                     changes={"status": [CommitmentStatus.DRAFT, CommitmentStatus.PUBLISHED]})
    return commitment


def commitment_edit_draft(*, actor: Actor, commitment: Commitment, title: str, body: str) -> Commitment:
    with transaction.atomic():
        commitment = Commitment.objects.select_for_update().get(pk=commitment.pk)
        if commitment.status != CommitmentStatus.DRAFT:
            raise TransitionNotAllowed("已发布的统一承诺不能修改，请新建一个版本。")
        before = audit.snapshot(commitment, ("title", "body"))
        commitment.title, commitment.body = title.strip(), body.strip()
        commitment.save(update_fields=["title", "body", "updated_at"])
        audit.record(actor=actor, action="organisation.commitment.update", obj=commitment,
                     changes=audit.diff(before, audit.snapshot(commitment, ("title", "body"))))
    return commitment
