"""Triage writes: recording a staff correction, retraining the model. Each is one transaction with its audit record."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from fangxin.accounts.choices import STAFF_ROLES
from fangxin.core import audit
from fangxin.core.actors import SYSTEM_ROLE, Actor
from fangxin.core.exceptions import PermissionDenied, ValidationFailed

from . import model as triage_model
from .choices import PROBLEM_TYPE_CODES, SECTOR_CODES
from .masking import mask_text
from .models import TriageCorrection, TriageModelVersion

CORRECTION_ROLES = STAFF_ROLES | {SYSTEM_ROLE}
RETRAIN_ROLES = STAFF_ROLES | {SYSTEM_ROLE, "sysadmin"}
MAX_TEXT = 20_000


def _clean_labels(sector: str, problem_types) -> tuple[str, list[str]]:
    if sector not in SECTOR_CODES:
        raise ValidationFailed(f"未知的行业代码：{sector}", details={"field": "sector"})
    problem_types = list(dict.fromkeys(p for p in (problem_types or []) if p))
    unknown = [p for p in problem_types if p not in PROBLEM_TYPE_CODES]
    if unknown:
        raise ValidationFailed(f"未知的问题类型：{'、'.join(unknown)}", details={"field": "problem_types"})
    if not problem_types:
        raise ValidationFailed("请至少选择一个问题类型。", details={"field": "problem_types"})
    return sector, problem_types


def triage_correction_record(*, actor: Actor, text: str, predicted: dict | None, sector: str,
                             problem_types: list[str], source_ref: str = "") -> TriageCorrection:
    """Store what staff confirmed for a text (also when it equals the suggestion: a confirmation is a label too).

    `predicted` is what the triage suggested ({"sector", "problem_types", …}, e.g. `Triage.as_dict()`), may be
    empty. The text is stored masked."""
    if actor.role not in CORRECTION_ROLES:
        raise PermissionDenied("只有工作人员可以确认分诊结果。")
    if not (text or "").strip():
        raise ValidationFailed("文本为空，无法记录分诊更正。", details={"field": "text"})
    sector, problem_types = _clean_labels(sector, problem_types)
    predicted = predicted or {}
    predicted_types = [p for p in (predicted.get("problem_types") or []) if p in PROBLEM_TYPE_CODES]
    with transaction.atomic():
        correction = TriageCorrection.objects.create(
            text=mask_text(text[:MAX_TEXT]), predicted_sector=str(predicted.get("sector") or "")[:40],
            predicted_problem_types=predicted_types, sector=sector, problem_types=problem_types,
            source_ref=(source_ref or "")[:80], created_by=actor.user if actor.user_id else None,
            created_by_name=actor.name[:150])
        audit.record(actor=actor, action="triage.correction.record", obj=correction, changes={
            "source_ref": [None, correction.source_ref],
            "sector": [correction.predicted_sector or None, sector],
            "problem_types": [predicted_types or None, problem_types]})
    return correction


@dataclass
class RetrainResult:
    version: int
    activated: bool
    scores: dict
    previous_version: int | None
    previous_scores: dict | None
    n_train: int
    n_corrections: int

    @property
    def message(self) -> str:
        new = _describe(self.scores)
        if self.activated:
            if self.previous_scores:
                return f"新模型 v{self.version} 已启用（开发集 {new}；原模型 v{self.previous_version}：{_describe(self.previous_scores)}）。"
            return f"新模型 v{self.version} 已启用（开发集 {new}）。"
        return (f"新模型 v{self.version} 得分低于在用模型 v{self.previous_version}，保留原模型"
                f"（新模型 {new}；在用模型 {_describe(self.previous_scores or {})}）。")


def _describe(scores: dict) -> str:
    return (f"行业准确率 {scores.get('sector_accuracy', 0):.3f}，行业宏平均 F1 {scores.get('sector_macro_f1', 0):.3f}，"
            f"问题类型微平均 F1 {scores.get('problem_micro_f1', 0):.3f}")


def combined(scores: dict | None) -> float:
    """The one number two models are compared by: the mean of the three dev-split scores."""
    if not scores:
        return -1.0
    return (scores.get("sector_accuracy", 0) + scores.get("sector_macro_f1", 0) + scores.get("problem_micro_f1", 0)) / 3


def _correction_examples() -> list[triage_model.Example]:
    examples = []
    for text, sector, problem_types in TriageCorrection.objects.filter(confirmed=True).values_list(
            "text", "sector", "problem_types").iterator(chunk_size=1000):
        if sector in SECTOR_CODES and problem_types and all(p in PROBLEM_TYPE_CODES for p in problem_types):
            examples.append(triage_model.Example(text, sector, list(problem_types)))
    return examples


def _record_current(current: triage_model.TriageModel, scores: dict) -> TriageModelVersion:
    """The row of the model in use (trained on first use, before any database row existed)."""
    manifest = triage_model.read_manifest()
    row, _ = TriageModelVersion.objects.get_or_create(version=current.version, defaults={
        "trained_at": _parse_time(current.meta.get("trained_at")), "scores": scores,
        "n_train": scores.get("n_train", 0), "n_corrections": current.meta.get("n_corrections", 0),
        "artifact": manifest["file"], "artifact_sha256": manifest["sha256"], "active": False,
        "note": "首次使用时由语料训练"})
    return row


def _parse_time(value) -> dt.datetime:
    try:
        parsed = dt.datetime.strptime(str(value), "%Y-%m-%dT%H:%M:%S%z")
    except ValueError:
        return timezone.now()
    return parsed


def triage_retrain(*, actor: Actor) -> RetrainResult:
    """Retrain from the corpus train split plus confirmed corrections; score on the dev split; make the new model
    active only if it scores at least as well as the one in use (compared by `combined`), else keep the old one."""
    if actor.role not in RETRAIN_ROLES:
        raise PermissionDenied("您不能重新训练分诊模型。")
    corpus = triage_model.read_corpus("train")
    dev = triage_model.read_corpus("dev")
    corrections = _correction_examples()
    new = triage_model.train(corpus + corrections)
    scores = triage_model.evaluate(new, dev, n_train=len(corpus) + len(corrections)).as_dict()
    current = triage_model.active_model()
    current_scores = triage_model.evaluate(current, dev, n_train=current.meta.get("scores", {}).get("n_train", 0)).as_dict()
    activated = combined(scores) >= combined(current_scores)
    directory = triage_model.model_dir()
    new.meta.update({"version": triage_model.next_version(directory), "trained_at": timezone.now().strftime("%Y-%m-%dT%H:%M:%S%z"),
                     "scores": scores, "n_corrections": len(corrections)})
    path, sha256 = triage_model.save(new, directory)
    with transaction.atomic():
        previous = _record_current(current, current_scores)
        if activated:
            TriageModelVersion.objects.filter(active=True).update(active=False)
        else:
            TriageModelVersion.objects.filter(active=True).exclude(pk=previous.pk).update(active=False)
            TriageModelVersion.objects.filter(pk=previous.pk).update(active=True)
        row = TriageModelVersion.objects.create(
            version=new.version, trained_at=timezone.now(), scores=scores, n_train=len(corpus) + len(corrections),
            n_corrections=len(corrections), artifact=path.name, artifact_sha256=sha256, active=activated,
            note="" if activated else f"得分低于 v{previous.version}，未启用")
        audit.record(actor=actor, action="triage.model.retrain", obj=row, changes={
            "version": [previous.version, row.version], "activated": [None, activated],
            "scores": [current_scores, scores], "n_corrections": [None, len(corrections)]})
        if activated:
            triage_model.activate(path, sha256, directory)  # last: a failure here rolls the records back
    triage_model.forget_active()
    return RetrainResult(version=row.version, activated=activated, scores=scores, previous_version=previous.version,
                         previous_scores=current_scores, n_train=row.n_train, n_corrections=len(corrections))
