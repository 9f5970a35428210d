"""One `fangxin gen` run: regions, then the families batch by batch (each batch in one transaction with its
checkpoint), then sequences, one audit record, and the derived data the pages read."""

import math
import resource
import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from django.core.management import call_command
from django.db import transaction
from django.db.models import Max
from tqdm import tqdm

from fangxin.campaign import badge_keys
from fangxin.campaign.models import Enrollment, EnrollmentEvent
from fangxin.campaign.titles.seed import seed_standards
from fangxin.complaints.models import Complaint, ComplaintDocument, ComplaintEvent, MediationSession
from fangxin.core import audit
from fangxin.core.actors import Actor
from fangxin.core.exceptions import FangxinError
from fangxin.credit.models import CreditEvent, CreditGrade, CreditGradeHistory
from fangxin.credit.services import ensure_default_model
from fangxin.merchants.models import MarketEntity
from fangxin.organisation.models import SpecificCommitment
from fangxin.organisation.selectors import current_commitment

from . import checkpoint, complaints, draws, enrollments, entities, grades, regions, titles
from .context import Ids, load_context
from .scales import SCALES

LOAD_ACTION = "gen.load"
FAMILIES = ("entities", "complaints", "titles", "grades", "draws")
M2M = Enrollment.specific_commitments.through
TABLES = {  # output key → (model, field names)
    "entity": (MarketEntity, entities.FIELDS),
    "enrollment": (Enrollment, enrollments.ENROLLMENT_FIELDS),
    "enrollment_event": (EnrollmentEvent, enrollments.EVENT_FIELDS),
    "enrollment_commitment": (M2M, enrollments.M2M_FIELDS),
    "credit": (CreditEvent, enrollments.CREDIT_FIELDS),
    **complaints.MODELS,
    **titles.MODELS,
    **draws.MODELS,
    "credit_grade": (CreditGrade, grades.GRADE_FIELDS),
    "grade_history": (CreditGradeHistory, grades.HISTORY_FIELDS),
}
# write order within a batch: parents first
ORDER = ["entity", "enrollment", "enrollment_event", "enrollment_commitment", "complaint", "complaint_event",
         "complaint_document", "mediation_session", "title_application", "title_event", "title", "credit", "credit_grade", "grade_history",
         *draws.ORDER]
DERIVED = [("stats", ["stats", "rebuild"]), ("search_index", ["search_index", "rebuild"])]


class GenError(FangxinError):
    """A run that cannot start (wrong parameters for --resume, missing reference data)."""


class Interrupted(RuntimeError):
    """Raised on purpose after N batches (tests of --resume)."""


@dataclass
class Report:
    rows: dict = field(default_factory=lambda: defaultdict(int))
    write_seconds: dict = field(default_factory=lambda: defaultdict(float))
    family_seconds: dict = field(default_factory=lambda: defaultdict(float))
    derived_seconds: dict = field(default_factory=dict)
    regions_added: int = 0
    batches_skipped: int = 0
    wall_seconds: float = 0.0
    worker_peak_rss_mb: float = 0.0

    @property
    def peak_rss_mb(self) -> float:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _next_id(model) -> int:
    return (model.objects.aggregate(top=Max("pk"))["top"] or 0) + 1


def _fresh_ids(scale) -> Ids:
    credit = _next_id(CreditEvent)
    return Ids(entity=_next_id(MarketEntity), enrollment=_next_id(Enrollment),
               enrollment_event=_next_id(EnrollmentEvent), enrollment_commitment=_next_id(M2M),
               credit_event=credit, credit_complaint=credit + scale.entities * enrollments.ENTITY_EVENT_STRIDE,
               complaint=_next_id(Complaint), complaint_event=_next_id(ComplaintEvent),
               complaint_document=_next_id(ComplaintDocument), mediation_session=_next_id(MediationSession),
               credit_grade=_next_id(CreditGrade), grade_history=_next_id(CreditGradeHistory),
               **_title_ids(scale, credit), **_draw_ids(scale))


def _draw_ids(scale) -> dict:
    """Draw keys: one plan (with one department and one county link) and one draw per (county, year); a plan's
    inspections take a block of keys as large as the registry can be (existing rows plus this run's)."""
    return {"plan": _next_id(draws.Plan), "plan_department": _next_id(draws.Plan.departments.through),
            "plan_county": _next_id(draws.Plan.counties.through), "draw": _next_id(draws.Draw),
            "inspection": _next_id(draws.Inspection),
            "inspection_stride": MarketEntity.objects.count() + scale.entities + 1}


def _title_ids(scale, credit: int) -> dict:
    """Title keys: one application, two events, one title and one credit event per business at most."""
    return {"application": _next_id(titles.Application), "application_event": _next_id(titles.ApplicationEvent),
            "title": _next_id(titles.Title),
            "credit_title": credit + scale.entities * enrollments.ENTITY_EVENT_STRIDE
            + scale.complaints * complaints.CREDIT_STRIDE}


def _start(*, scale, seed: int, batch: int, resume: bool, today: date) -> dict:
    checkpoint.ensure_tables()
    meta = checkpoint.load_meta()
    if meta is not None:
        if not resume:
            raise GenError("数据库中已有一次生成的记录；继续未完成的生成请加 --resume。")
        if (meta["scale"], meta["seed"], meta["counts"]) != (scale.name, seed, [scale.entities, scale.complaints]):
            raise GenError(f"续跑参数与上次不同：上次为 --scale {meta['scale']} --seed {meta['seed']}。")
        if not meta["ids"].get("title"):  # a run started before the titles family: give it its key ranges now
            meta["ids"].update(_title_ids(scale, meta["ids"]["credit_event"]))
            checkpoint.save_meta(meta)
        if not meta["ids"].get("plan"):  # likewise for the draws family
            meta["ids"].update(_draw_ids(scale))
            checkpoint.save_meta(meta)
        return meta
    if current_commitment() is None:
        raise GenError("尚无已发布的统一承诺：请先运行 fangxin load_reference。")
    meta = {"scale": scale.name, "seed": seed, "batch": batch, "today": today.isoformat(), "finished": False,
            "counts": [scale.entities, scale.complaints], "ids": _fresh_ids(scale).__dict__}
    checkpoint.save_meta(meta)
    return meta


def run(*, scale_name: str, seed: int, batch: int, resume: bool, today: date, derived: bool = True,
        fail_after: int | None = None, quiet: bool = False, stream=None, counts: dict | None = None,
        workers: int = 1, families: tuple = FAMILIES) -> Report:
    started = time.monotonic()
    report = Report()
    scale = SCALES[scale_name]
    if counts:
        scale = type(scale)(**{**scale.__dict__, **counts})
    meta = _start(scale=scale, seed=seed, batch=batch, resume=resume, today=today)
    batch, today = meta["batch"], date.fromisoformat(meta["today"])
    _counties, report.regions_added = regions.ensure(scale.regions)
    ctx = load_context(seed=seed, scale=scale, today=today, ids=Ids(**meta["ids"]))
    maker = enrollments.EnrollmentMaker(
        ctx, commitment=current_commitment(), keyring=badge_keys.load_keyring(),
        specific_ids=list(SpecificCommitment.objects.filter(is_active=True).order_by("pk").values_list("pk", flat=True)))
    written = [0]

    def entity_batch(k, start, stop, out):
        for index in range(start, stop):
            item = entities.entity(ctx, index)
            out["entity"].append(entities.row(item.entity))
            maker.make(item, out)

    generator = complaints.BatchGenerator(ctx)

    def complaint_batch(k, start, stop, out):
        complaints.make_batch(generator, k, start, stop, out)

    title_maker = None
    if "titles" in families:
        seed_standards(actor=Actor.system("gen"))  # idempotent: the published standards the applications cite
        title_maker = titles.TitleMaker(ctx, cycles=titles.ensure_cycles(today), standard_ids=titles.standards())

    def title_batch(k, start, stop, out):
        title_maker.batch(start, stop, out)

    grade_model = ensure_default_model()

    def grade_batch(k, start, stop, out):
        for key, row in grades.rows(ctx, grade_model, start, stop):
            out[key].append(row)

    draw_maker = draws.DrawMaker(ctx, grade_model=grade_model) if "draws" in families else None

    def draw_batch(k, start, stop, out):
        for number in range(start, stop):
            draw_maker.make(number, out)

    plan = [("entities", scale.entities, entity_batch), ("complaints", scale.complaints, complaint_batch),
            ("titles", scale.entities, title_batch),
            ("grades", scale.entities, grade_batch), ("draws", draws.total(ctx), draw_batch)]
    for family, total, make in [step for step in plan if step[0] in families]:
        size = 1 if family == "draws" else batch  # a draw batch is one plan: a county's population at most
        if workers > 1:
            _family_parallel(workers, family, total, size, make, report, quiet, stream)
        else:
            _family(family, total, size, make, report, written, fail_after, quiet, stream)
    if set(families) != set(FAMILIES):
        report.wall_seconds = time.monotonic() - started
        return report  # a partial run (--families): finishing touches wait for the run that completes the set
    if not meta["finished"]:
        from .writer import reset_sequences

        with transaction.atomic():
            reset_sequences([model for model, _names in TABLES.values()])
            audit.record(actor=Actor.system("gen"), action=LOAD_ACTION, object_type="gen.run", object_id=str(seed),
                         object_repr=f"合成数据（{scale_name}，种子 {seed}）",
                         changes={key: [None, count] for key, count in sorted(report.rows.items())})
            meta["finished"] = True
            checkpoint.save_meta(meta)
    if derived:
        for name, command in DERIVED:
            began = time.monotonic()
            call_command(*command, verbosity=0)
            report.derived_seconds[name] = time.monotonic() - began
    report.wall_seconds = time.monotonic() - started
    return report


def _family_parallel(workers, family, total, batch, make, report, quiet, stream) -> None:
    """Batch k goes to worker k % workers (forked: each inherits the context and opens its own connection).
    Batches are independent and checkpointed one by one, so the split changes neither the rows nor --resume."""
    import multiprocessing

    from django.db import connections

    connections.close_all()
    fork = multiprocessing.get_context("fork")
    results = fork.Queue()

    def work(part):
        mine = Report()
        _family(family, total, batch, make, mine, [0], None, quiet or part > 0, stream, part=(part, workers))
        connections.close_all()
        results.put((dict(mine.rows), dict(mine.write_seconds), dict(mine.family_seconds), mine.batches_skipped,
                     mine.peak_rss_mb))

    processes = [fork.Process(target=work, args=(part,)) for part in range(workers)]
    for process in processes:
        process.start()
    outcomes = [results.get() for _ in processes]
    for process in processes:
        process.join()
        if process.exitcode:
            raise RuntimeError(f"{family}: a worker failed (exit code {process.exitcode}); run again with --resume")
    for rows, seconds, family_seconds, skipped, rss in outcomes:
        for key, value in rows.items():
            report.rows[key] += value
        for key, value in seconds.items():
            report.write_seconds[key] += value
        for key, value in family_seconds.items():
            report.family_seconds[key] = max(report.family_seconds[key], value)
        report.batches_skipped += skipped
        report.worker_peak_rss_mb = max(report.worker_peak_rss_mb, rss)


def _family(family, total, batch, make, report, written, fail_after, quiet, stream, part=(0, 1)) -> None:
    from .writer import TableWriter

    done = checkpoint.done_batches(family)
    writers = {key: TableWriter(model, names) for key, (model, names) in TABLES.items()}
    batches = math.ceil(total / batch) if total else 0
    mine = sum(min(total, (k + 1) * batch) - k * batch for k in range(batches) if k % part[1] == part[0])
    label = family if part[1] == 1 else f"{family}（{part[1]} 个进程之一）"
    with tqdm(total=mine, unit="行", desc=label, disable=quiet, file=stream, mininterval=1.0) as bar:
        for k in range(batches):
            start, stop = k * batch, min(total, (k + 1) * batch)
            if k % part[1] != part[0]:
                continue
            if k in done:
                report.batches_skipped += 1
                bar.update(stop - start)
                continue
            began = time.monotonic()
            out = defaultdict(list)
            make(k, start, stop, out)
            with transaction.atomic():
                rows = 0
                for key in ORDER:
                    if out.get(key):
                        t0 = time.monotonic()
                        rows += writers[key].write(out[key])
                        report.write_seconds[key] += time.monotonic() - t0
                        report.rows[key] += len(out[key])
                checkpoint.mark(family, k, rows)
            report.family_seconds[family] += time.monotonic() - began
            bar.update(stop - start)
            written[0] += 1
            if fail_after is not None and written[0] >= fail_after:
                raise Interrupted(f"interrupted on purpose after {written[0]} batches")
