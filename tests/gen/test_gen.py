"""fangxin gen at a tiny scale: deterministic, resumable without duplicates, rows the app accepts (badges verify,
grades equal what `credit recompute` stores, search finds the businesses). Runs on SQLite and PostgreSQL."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import timezone

from fangxin.gen import checkpoint, checksum, regions, runner

TODAY = timezone.localdate()  # the credit service grades as of today: the generated grades must too
SMALL = {"entities": 120, "complaints": 60}


def generate(seed=1, *, fail_after=None, resume=False, derived=False, batch=30):
    return runner.run(scale_name="tiny", seed=seed, batch=batch, resume=resume, today=TODAY, derived=derived,
                      fail_after=fail_after, quiet=True, counts=SMALL)


def wipe():
    """Remove every generated row (children first) and the checkpoints, as on a fresh database."""
    for key in reversed(runner.ORDER):
        model = runner.TABLES[key][0]
        model.objects.all().delete() if key != "entity" else model.objects.all()._raw_delete(model.objects.db)
    checkpoint.clear()


@pytest.fixture
def keys(tmp_path, monkeypatch):
    monkeypatch.setenv("FANGXIN_BADGE_KEYS_FILE", str(tmp_path / "badge-keys.json"))


@pytest.fixture
def clean_run(reference, keys):
    generate()
    return checksum.digests()


def test_same_seed_same_rows_and_another_seed_differs(clean_run):
    assert clean_run["entity"][0] == SMALL["entities"]
    assert clean_run["complaint"][0] == SMALL["complaints"]
    assert all(clean_run[key][0] > 0 for key in ("enrollment", "enrollment_event", "complaint_event",
                                                  "complaint_document", "credit", "credit_grade"))
    wipe()
    generate()
    assert checksum.digests() == clean_run
    wipe()
    generate(seed=2)
    other = checksum.digests()
    assert other["entity"][1] != clean_run["entity"][1]
    assert other["complaint"][1] != clean_run["complaint"][1]


def test_interrupted_run_resumes_to_identical_rows(clean_run):
    wipe()
    with pytest.raises(runner.Interrupted):
        generate(fail_after=3)
    partial = checksum.digests()
    assert 0 < partial["entity"][0] < SMALL["entities"]
    assert partial["complaint"][0] == 0
    with pytest.raises(runner.GenError):
        generate()  # a second start without --resume is refused: it would duplicate the first batches
    report = generate(resume=True)
    assert report.batches_skipped == 3
    assert checksum.digests() == clean_run


def test_resume_with_other_parameters_is_refused(reference, keys):
    with pytest.raises(runner.Interrupted):
        generate(fail_after=1)
    with pytest.raises(runner.GenError):
        generate(seed=2, resume=True)


def test_badges_verify_and_grades_match_the_credit_service(clean_run):
    from fangxin.campaign.choices import BadgeStatus
    from fangxin.campaign.models import Enrollment
    from fangxin.campaign.services import badge_check
    from fangxin.core.actors import Actor
    from fangxin.credit.models import CreditEvent, CreditGrade
    from fangxin.credit.services import grade_recompute
    from fangxin.merchants.models import MarketEntity

    for enrollment in Enrollment.objects.filter(status="active").order_by("pk")[:5]:
        check = badge_check(enrollment.badge_token)
        assert (check.enrollment, check.verdict) == (enrollment, BadgeStatus.VALID)
    forged = Enrollment.objects.first().badge_token[:-4] + "AAAA"
    assert badge_check(forged).verdict == BadgeStatus.COUNTERFEIT
    ledgered = CreditEvent.objects.values_list("entity_id", flat=True).distinct()[:8]
    for entity in MarketEntity.objects.filter(pk__in=list(ledgered)):
        stored = CreditGrade.objects.get(entity=entity)
        fresh = grade_recompute(actor=Actor.system("test"), entity=entity)
        assert (fresh.grade, fresh.score) == (stored.grade, stored.score)


def test_values_go_through_the_model_fields(reference, keys):
    """Sealed personal fields are stored sealed and read back plain; the phone's blind index finds the complaint."""
    from fangxin.complaints.models import Complaint
    from fangxin.core import crypto

    generate()
    complaint = Complaint.objects.order_by("pk").first()
    with connection.cursor() as cursor:
        cursor.execute("SELECT complainant_name, complainant_phone FROM complaints_complaint WHERE id = %s",
                       [complaint.pk])
        raw_name, raw_phone = cursor.fetchone()
    assert crypto.is_sealed(raw_name) and crypto.is_sealed(raw_phone)
    assert complaint.complainant_name and complaint.complainant_name not in raw_name
    index = Complaint._meta.get_field("complainant_phone_index").lookup_value(complaint.complainant_phone)
    assert Complaint.objects.filter(complainant_phone_index=index).first() == complaint


def test_derived_data_and_command(reference, keys):
    from fangxin.merchants.models import MarketEntity
    from fangxin.merchants.search import search_entities
    from fangxin.stats.models import Rollup

    out = StringIO()
    call_command("gen", "--scale", "tiny", "--seed", "3", "--today", TODAY.isoformat(), "--batch", "100",
                 "--entities", "120", "--complaints", "40", verbosity=0, stdout=out)
    assert "生成完成" in out.getvalue()
    entity = MarketEntity.objects.order_by("pk").first()
    assert entity in search_entities(MarketEntity.objects.all(), entity.name[-6:])
    assert Rollup.objects.exists()
    with pytest.raises(CommandError):
        call_command("gen", "--scale", "tiny", "--seed", "4", "--resume", verbosity=0, stdout=out)


def test_region_table_has_the_twelve_leagues(reference):
    counties, added = regions.ensure("region")
    cities = [row for row in regions.tree("region") if row[2] == "city"]
    assert len(cities) == 12 and len(counties) == 103
    assert added == 12 + 103 - 8  # the reference city and its seven counties were already there
    assert connection.vendor in ("sqlite", "postgresql")


def test_titles_hold_a_share_of_active_enrollments_and_show_on_the_profile(reference, keys, client):
    """About 15 % of active enrollments hold a title with the rows a valid title needs: its cycle, an awarded
    application against a published standard, the certificate, the award in the credit ledger; the public profile
    and the title lookup banks use show it."""
    from fangxin.campaign.models import Enrollment
    from fangxin.campaign.titles.choices import ApplicationStatus, TitleLevel, TitleStatus
    from fangxin.campaign.titles.models import Title
    from fangxin.campaign.titles.selectors import title_status_of
    from fangxin.credit.models import CreditEvent

    runner.run(scale_name="tiny", seed=5, batch=200, resume=False, today=TODAY, derived=False, quiet=True,
               counts={"entities": 1200, "complaints": 20})
    active = Enrollment.objects.filter(status="active").count()
    held = Title.objects.count()
    assert 0.08 * active < held < 0.22 * active
    levels = {level: Title.objects.filter(level=level).count() for level in TitleLevel.values}
    assert levels["county"] > levels["city"] > 0 and levels["county"] > levels["region"]
    assert {t.year for t in Title.objects.all()} <= set(range(TODAY.year - 3, TODAY.year))
    title = Title.objects.filter(status=TitleStatus.VALID, level="county").select_related("entity", "application").first()
    application = title.application
    assert application.status == ApplicationStatus.AWARDED and application.cycle.year == title.year
    assert application.standard.sector_id == title.entity.sector_id and application.standard.level == title.level
    assert title.region == title.entity.region and application.enrollment.entity_id == title.entity_id
    assert list(application.events.values_list("action", flat=True)) == ["submit", "award"]
    assert CreditEvent.objects.filter(entity=title.entity, kind="title_awarded",
                                      source_ref=f"title:{title.pk}:award").exists()
    assert [row["certificate_no"] for row in title_status_of(title.entity.uscc)] == [title.certificate_no]
    page = client.get(f"/m/{title.entity.uscc}/").content.decode()
    assert title.certificate_no in page and title.name in page


def test_draws_one_closed_plan_per_county_and_year_whose_record_verifies(reference, keys):
    """Each county gets one closed plan a year (three years) with its fangxin-draw-v1 record: the record verifies
    with the draw module, its population is the county's operating businesses by credit grade, and 3–5 % of them
    (ceil per stratum) are selected, each with its Inspection row."""
    from fangxin.credit.models import CreditGrade
    from fangxin.inspections import draw as drawing
    from fangxin.inspections.models import Draw, Inspection, Plan
    from fangxin.merchants.models import MarketEntity

    runner.run(scale_name="tiny", seed=6, batch=400, resume=False, today=TODAY, derived=False, quiet=True,
               counts={"entities": 1200, "complaints": 20})
    counties = regions.tree("city")
    county_count = sum(1 for row in counties if row[2] == "county")
    assert Plan.objects.filter(status="closed").count() == county_count * 3 == Draw.objects.count()
    assert {p.name[:4] for p in Plan.objects.all()} == {str(TODAY.year - n) for n in range(3)}
    population = selected = 0
    for draw in Draw.objects.select_related("plan"):
        assert drawing.verify(draw.record) == []
        assert draw.record["server_secret"] == draw.server_secret and draw.record["seed"] == draw.seed
        county = draw.plan.counties.get()
        usccs = {u for rows in draw.population.values() for u in rows}
        operating = set(MarketEntity.objects.operating().filter(region=county, created_at__lte=draw.frozen_at)
                        .values_list("uscc", flat=True))
        assert usccs == operating and draw.population_size == len(usccs)
        for uscc in draw.population["B"][:3]:
            assert CreditGrade.objects.get(entity__uscc=uscc).grade == "B"
        inspections = list(Inspection.objects.filter(plan=draw.plan).order_by("seq").values_list("entity__uscc",
                                                                                              "ticket"))
        assert inspections == [(row["uscc"], row["ticket"]) for row in draw.record["selected"]]
        population, selected = population + len(usccs), selected + len(inspections)
    assert 0.03 <= selected / population <= 0.08  # small counties round each stratum's quota up
    tampered = dict(Draw.objects.order_by("pk").first().record, public_entropy="另一个随机数")
    assert drawing.verify(tampered)
