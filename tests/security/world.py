"""One small world for the route x role matrix: the conftest users and entities plus one real object per route.

Built once per test module (``build()`` inside the module's transaction) through the apps' services and test
factories, so every parametrised URL names something that exists. The objects live in county A (临河区), so
county B's clerk is the natural outsider: he must get 404 for them.
"""

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.conf import settings
from django.utils import timezone

from fangxin.core.actors import Actor

MISSING = 987654  # an id that no object has: routes whose object the world cannot build answer 404 for everyone
SYSTEM = Actor.system("route-matrix")


@dataclass
class World:
    users: dict
    entities: dict
    ids: dict = field(default_factory=dict)  # object key -> pk / serial / tracking number / token


def _reference():
    from fangxin.complaints import rules
    from fangxin.complaints.models import RuleReason, RuleSet
    from fangxin.organisation.services import reference_load

    rules.install(RuleSet, RuleReason)
    reference_load(actor=SYSTEM, directory=settings.FANGXIN_REFERENCE_DIR)


def _people():
    from fangxin.accounts.tests.factories import make_user
    from fangxin.merchants.tests.factories import make_entity

    entities = {
        "a_ecommerce": make_entity(county="150802", sector="ecommerce", name="临河区乐购电商旗舰店"),
        "a_food": make_entity(county="150802", sector="food_drug", name="临河区华联超市"),
        "b_food": make_entity(county="150821", sector="food_drug", name="五原县华联生鲜超市"),
        "b_tourism": make_entity(county="150821", sector="tourism", name="五原县河套国际旅行社"),
    }
    users = {
        "merchant": make_user("merchant", "merchant", entities=[entities["a_food"]]),
        "county_a": make_user("county_a", "county_staff", region="150802"),
        "county_b": make_user("county_b", "county_staff", region="150821"),
        "department": make_user("department", "department_staff", region="150800", department="fda"),
        "association": make_user("association", "consumer_association", region="150800", department="cca"),
        "office": make_user("office", "joint_office", region="150800", department="amr"),
        "auditor": make_user("auditor", "auditor"),
        "sysadmin": make_user("sysadmin", "sysadmin"),
    }
    return users, entities


def build() -> World:
    _reference()
    users, entities = _people()
    world = World(users=users, entities=entities)
    ids = world.ids
    ids["uscc"] = entities["a_food"].uscc
    ids["uscc_b"] = entities["b_food"].uscc
    _complaints(world)  # before the enrollment: an enrolled business would get the complaint first (operator stage)
    _campaign(world)
    _titles(world)
    _credit(world)
    _inspections(world)
    _alerts(world)
    _content(world)
    _supervision(world)
    _reports(world)
    return world


def _campaign(world):
    from fangxin.accounts.models import MerchantBinding
    from fangxin.campaign.tests.factories import make_enrollment

    enrollment = make_enrollment(world.entities["a_food"])
    world.ids["serial"] = enrollment.serial
    world.ids["badge_token"] = enrollment.badge_token
    world.ids["claim"] = MerchantBinding.objects.get(user=world.users["merchant"]).pk


def _complaints(world):
    from fangxin.complaints.choices import Status
    from fangxin.complaints.models import ComplaintDocument
    from fangxin.complaints.tests.factories import make_complaint

    complaint = make_complaint(Status.MEDIATING)
    world.ids["tracking_no"] = complaint.tracking_no
    world.ids["complaint_pk"] = complaint.pk
    world.ids["complaint_document"] = ComplaintDocument.objects.filter(complaint=complaint).first().pk
    world.ids["complainant_phone"] = "13800001234"


def _titles(world):
    from fangxin.campaign.titles.models import Standard
    from fangxin.campaign.titles.tests.factories import make_application, open_cycle

    cycle = open_cycle()
    application = make_application(world.entities["a_food"], enroll=False)
    world.ids["cycle"] = cycle.pk
    world.ids["application"] = application.pk
    world.ids["standard"] = Standard.objects.order_by("pk").first().pk
    world.ids["level"] = application.level


def _credit(world):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from fangxin.core.tests import samples
    from fangxin.credit import services
    from fangxin.credit.models import JointRule
    from fangxin.credit.repair import repair_submit

    entry = services.list_enter(actor=SYSTEM, entity=world.entities["a_food"], kind="abnormal",
                                reason_code="no_report", reason="未按期公示年度报告", authority="临河区市场监管局",
                                document_number="临市监异〔2026〕1号", entered_on=timezone.localdate())
    world.ids["list_entry"] = entry.pk
    merchant = Actor.for_user(world.users["merchant"])
    png = SimpleUploadedFile("proof.png", samples.PNG, content_type="image/png")
    repair = repair_submit(actor=merchant, entity=world.entities["a_food"], statement="已补报年度报告并公示",
                           files=[png], list_entry=entry)
    world.ids["repair"] = repair.pk
    world.ids["repair_file"] = repair.evidence.order_by("pk").first().pk
    rule = JointRule.objects.order_by("pk").first()
    world.ids["rule"] = rule.pk if rule else MISSING


def _inspections(world):
    from fangxin.inspections.models import Inspection
    from fangxin.inspections.tests.factories import make_plan, make_team, run_draw

    team = make_team()
    plan = make_plan()
    draw = run_draw(plan)
    world.ids["plan"] = plan.pk
    world.ids["draw"] = draw.pk
    in_county_a = Inspection.objects.filter(plan=plan, entity__region__code="150802").order_by("pk")
    world.ids["inspection"] = in_county_a.first().pk
    world.ids["inspector"] = next(iter(team.values())).pk


def _alerts(world):
    from fangxin.alerts.models import Warning
    from fangxin.organisation.models import Region

    today = timezone.localdate()
    entity = world.entities["a_food"]
    warning = Warning.objects.create(
        kind="entity_surge", subject_key=f"entity:{entity.pk}", subject_label=entity.name, entity=entity,
        sector=entity.sector, region=Region.objects.get(code="150802"), department=entity.sector.lead_departments.first(),
        detected_on=today, last_seen_on=today, window_start=today - timedelta(days=7), window_end=today,
        observed=9, expected=2, p_value=0.001, severity="high", reasons=["投诉激增"], evidence=[])
    world.ids["warning"] = warning.pk


def _content(world):
    from fangxin.content.choices import ArticleStatus
    from fangxin.content.tests.factories import make_article, make_survey

    article = make_article(world.users["office"], status=ArticleStatus.PUBLISHED)
    draft = make_article(world.users["office"])
    world.ids["article"] = article.pk
    world.ids["draft"] = draft.pk
    world.ids["survey"] = make_survey().pk


def _supervision(world):
    from fangxin.supervision.tests.factories import make_task

    task = make_task(counties=("150802",))
    world.ids["task"] = task.pk
    world.ids["assignment"] = task.assignments.order_by("pk").first().pk
    world.ids["year"] = date.today().year


def _reports(world):
    from fangxin.opendata import services

    job = services.report_job_request(actor=Actor.for_user(world.users["office"]), kind="monthly",
                                      period=(timezone.localdate().replace(day=1) - timedelta(days=1)).strftime("%Y-%m"))
    world.ids["report_job"] = job.pk


# --- URL arguments -------------------------------------------------------------------------------------
# Each parametrised route names the world object it shows. An argument not listed here falls back to the
# argument's name (tracking_no, uscc, serial, year ...); a route whose argument resolves to nothing fails loudly.
BY_NAME = {"tracking_no": "tracking_no", "uscc": "uscc", "serial": "serial", "year": "year", "level": "level",
           "application_pk": "application"}

PK_BY_ROUTE = {
    "campaign:claim_decision": "claim", "campaign:cycle_close": "cycle", "campaign:my_application": "application",
    "campaign:my_application_withdraw": "application", "campaign:application_detail": "application",
    "campaign:application_review": "application", "campaign:conflict_declare": "application",
    "campaign:application_evidence": "application",
    "campaign:standard_detail": "standard", "campaign:standard_edit": "standard", "campaign:standard_publish": "standard",
    "campaign:standard_xlsx": "standard",
    "complaints:document": "complaint_document", "complaints:document_pdf": "complaint_document",
    "complaints:track_document": "complaint_document",
    "credit:list_exit": "list_entry", "credit:rule_edit": "rule", "credit:repair_detail": "repair",
    "credit:repair_decide": "repair", "credit:repair_evidence": "repair",
    "inspections:result": "inspection", "inspections:document": "inspection",
    "inspections:inspector_edit": "inspector", "inspections:conflict_declare": "inspector",
    "inspections:public_draw": "plan", "inspections:public_record": "plan",
    "alerts:detail": "warning", "alerts:transition": "warning",
    "content:public_detail": "article", "content:public_file": "article",
    "content:survey": "survey", "content:survey_thanks": "survey", "content:staff_survey": "survey",
    "content:staff_survey_edit": "survey", "content:staff_survey_publish": "survey",
    "content:staff_survey_export": "survey",
    "supervision:task": "task", "supervision:assignment_action": "assignment",
    "opendata:job_status": "report_job", "opendata:job_download": "report_job", "opendata:job_retry": "report_job",
}
PK_BY_PREFIX = {"inspections:plan_": "plan", "content:staff_": "draft"}
OTHER = {  # arguments that are neither a pk nor a named object
    ("campaign:application_evidence", "file_pk"): "missing", ("credit:repair_evidence", "file_pk"): "repair_file",
    ("inspections:document", "doc"): "missing", ("content:public_file", "file_id"): "missing",
    ("content:staff_file", "file_id"): "missing", ("content:staff_file_remove", "file_id"): "missing",
    ("complaints:action", "action"): "accept", ("supervision:assignment_action", "action"): "submit",
    ("campaign:verify", "token"): "badge_token", ("campaign:verify_report", "token"): "badge_token",
    ("content:public_kind", "slug"): "typical_case", ("opendata:dataset", "slug"): "complaints",
    ("opendata:dataset_csv", "slug"): "complaints", ("opendata:dataset_json", "slug"): "complaints",
}
LITERAL = {"missing": MISSING, "accept": "accept", "submit": "submit", "typical_case": "anli",
           "complaints": "complaint-stats"}


def url_kwargs(name: str, params: list[str], world: World) -> dict:
    """The keyword arguments that make `name` point at the world's object (MISSING for an object not built)."""
    kwargs = {}
    for param in params:
        key = OTHER.get((name, param))
        if key is None and param in BY_NAME:
            key = BY_NAME[param]
        if key is None and param == "pk":
            key = PK_BY_ROUTE.get(name) or next((v for p, v in PK_BY_PREFIX.items() if name.startswith(p)), "missing")
        if key is None and param == "token":  # import result tokens: none exists, so the page must say 404
            key = "missing-token"
        if key is None:
            raise LookupError(f"world.url_kwargs: no value for argument {param!r} of route {name}")
        if key in LITERAL:
            kwargs[param] = LITERAL[key]
        elif key == "missing-token":
            kwargs[param] = "0123456789abcdef"
        else:
            kwargs[param] = world.ids[key]
    return kwargs
