"""Reads: coverage of titles (counted by hand), the title check for banks and procurement offices, the objection
lookup, and the designations that rest on the coverage."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from fangxin.campaign.services import enrollment_transition
from fangxin.campaign.tests.factories import make_enrollment
from fangxin.campaign.titles import services
from fangxin.campaign.titles.choices import TitleStatus
from fangxin.campaign.titles.models import Designation, Title
from fangxin.campaign.titles.selectors import (
    coverage_of,
    coverage_table,
    objection_lookup,
    title_status_of,
    valid_titles,
)
from fangxin.campaign.titles.tests.factories import SYSTEM, award, make_application, open_cycle, sign_both
from fangxin.core.actors import Actor
from fangxin.core.exceptions import Conflict, NotFound, PermissionDenied, ValidationFailed
from fangxin.merchants.tests.factories import make_entity
from fangxin.organisation.models import Region, Sector

TODAY = timezone.localdate


def titled(entity, users):
    application = sign_both(make_application(entity), users["department"], users["association"])
    return award(application, users["office"])


@pytest.fixture
def coverage_world(users, entities):
    """临河区: 4 food units enrolled (2 titled this year, 1 titled and then revoked, 1 without), 1 e-commerce unit
    enrolled without a title, 1 food unit whose enrollment was revoked. 五原县: 1 food unit enrolled, titled
    last year only. The tourism unit is not enrolled."""
    cycle = open_cycle()
    food = [entities["a_food"]] + [make_entity(county="150802", sector="food_drug", name=f"临河区食品店{n}")
                                   for n in range(2, 5)]
    kept = [titled(food[0], users), titled(food[1], users)]
    revoked = titled(food[2], users)
    services.title_revoke(actor=SYSTEM, title=revoked, reason="虚假宣传")
    make_enrollment(food[3])
    make_enrollment(entities["a_ecommerce"])
    gone = make_entity(county="150802", sector="food_drug", name="临河区已撤销单位")
    enrollment_transition(actor=SYSTEM, enrollment=make_enrollment(gone), to_status="revoked", reason="违规")
    last_year = titled(entities["b_food"], users)
    Title.objects.filter(pk=last_year.pk).update(year=cycle.year - 1)
    return {"cycle": cycle, "year": cycle.year, "kept": kept, "revoked": revoked, "last_year": last_year}


def _region(code):
    return Region.objects.get(code=code)


def _sector(code):
    return Sector.objects.get(code=code)


def test_coverage_of_counted_by_hand(coverage_world):
    year = coverage_world["year"]
    linhe, wuyuan, city = _region("150802"), _region("150821"), _region("150800")
    # 临河区: 5 active enrollments (4 food + 1 e-commerce); 2 valid titles of the year
    assert coverage_of(region=linhe, year=year) == Decimal("0.4000")
    assert coverage_of(region=linhe, sector=_sector("food_drug"), year=year) == Decimal("0.5000")
    assert coverage_of(region=linhe, sector=_sector("ecommerce"), year=year) == Decimal("0.0000")
    assert coverage_of(region=linhe, sector=_sector("tourism"), year=year) is None  # nobody enrolled
    # 五原县: its one title is of last year
    assert coverage_of(region=wuyuan, year=year) == Decimal("0.0000")
    assert coverage_of(region=wuyuan, year=year - 1) == Decimal("1.0000")
    # the city: 6 active enrollments, 2 titles of the year; 2 of 3 rounds to 4 places
    assert coverage_of(region=city, year=year) == Decimal("0.3333")
    assert coverage_of(region=city, sector=_sector("food_drug"), year=year) == Decimal("0.4000")


def test_coverage_table_counted_by_hand(coverage_world):
    year = coverage_world["year"]
    sectors = [_sector("food_drug"), _sector("ecommerce"), _sector("tourism")]
    table = coverage_table(year=year, counties=[_region("150802"), _region("150821")], sectors=sectors)
    linhe, wuyuan = table
    assert linhe["county"].code == "150802"
    assert [(c["sector"].code, c["enrolled"], c["titled"], c["coverage"]) for c in linhe["cells"]] == [
        ("food_drug", 4, 2, Decimal("0.5000")), ("ecommerce", 1, 0, Decimal("0.0000")), ("tourism", 0, 0, None)]
    assert (linhe["enrolled"], linhe["titled"], linhe["coverage"]) == (5, 2, Decimal("0.4000"))
    assert [(c["enrolled"], c["titled"], c["coverage"]) for c in wuyuan["cells"]] == [
        (1, 0, Decimal("0.0000")), (0, 0, None), (0, 0, None)]
    assert (wuyuan["enrolled"], wuyuan["titled"], wuyuan["coverage"]) == (1, 0, Decimal("0.0000"))
    # the table and coverage_of agree cell by cell
    for row in table:
        for cell in row["cells"]:
            assert cell["coverage"] == coverage_of(region=row["county"], sector=cell["sector"], year=year)
    last = coverage_table(year=year - 1, counties=[_region("150821")], sectors=sectors)
    assert last[0]["cells"][0]["titled"] == 1 and last[0]["coverage"] == Decimal("1.0000")


def test_a_unit_with_two_titles_of_a_year_counts_once(coverage_world, users):
    """A county and a city title of the same unit and year are one titled unit."""
    year = coverage_world["year"]
    first = coverage_world["kept"][0]
    from fangxin.campaign.titles.tests.factories import standard_for

    standard_for(first.entity, "city")
    city = services.application_submit(actor=SYSTEM, entity=first.entity, level="city",
                                       self_scores=_full(first.entity, "city"))
    sign_both(city, users["department"], users["association"])
    award(city, users["office"])
    assert Title.objects.filter(entity=first.entity, year=year).count() == 2
    assert coverage_of(region=_region("150802"), year=year) == Decimal("0.4000")
    table = coverage_table(year=year, counties=[_region("150802")], sectors=[_sector("food_drug")])
    assert table[0]["cells"][0]["titled"] == 2


def _full(entity, level):
    from fangxin.campaign.titles.tests.factories import full_marks, standard_for

    return full_marks(standard_for(entity, level))


# --- designations -----------------------------------------------------------------------------------------------

def test_designation_needs_the_threshold(coverage_world, users):
    year, office = coverage_world["year"], Actor.for_user(users["office"])
    linhe, food = _region("150802"), _sector("food_drug")
    # sector threshold 30 %: 临河区 food at 50 % qualifies; e-commerce at 0 % does not
    designation = services.designate(actor=office, kind="sector", year=year, region=linhe, sector=food)
    assert (designation.coverage, designation.designated_by) == (Decimal("0.5000"), "office")
    with pytest.raises(ValidationFailed, match="未达到认定门槛 30%"):
        services.designate(actor=office, kind="sector", year=year, region=linhe, sector=_sector("ecommerce"))
    with pytest.raises(ValidationFailed, match="覆盖率 — 未达到"):
        services.designate(actor=office, kind="sector", year=year, region=linhe, sector=_sector("tourism"))
    # county threshold 20 %: 临河区 at 40 % qualifies, 五原县 at 0 % does not
    assert services.designate(actor=office, kind="county", year=year, region=linhe).coverage == Decimal("0.4000")
    with pytest.raises(ValidationFailed, match="未达到认定门槛 20%"):
        services.designate(actor=office, kind="county", year=year, region=_region("150821"))
    with pytest.raises(Conflict):
        services.designate(actor=office, kind="county", year=year, region=linhe)
    assert Designation.objects.count() == 2


def test_designation_refusals(coverage_world, users):
    year, linhe = coverage_world["year"], _region("150802")
    with pytest.raises(PermissionDenied):
        services.designate(actor=Actor.for_user(users["association"]), kind="county", year=year, region=linhe)
    office = Actor.for_user(users["office"])
    with pytest.raises(ValidationFailed, match="须选择行业"):
        services.designate(actor=office, kind="sector", year=year, region=linhe)
    with pytest.raises(ValidationFailed, match="须选择行业"):
        services.designate(actor=office, kind="county", year=year, region=linhe, sector=_sector("food_drug"))
    with pytest.raises(ValidationFailed, match="年度不存在"):
        services.designate(actor=office, kind="county", year=year + 5, region=linhe)
    assert not Designation.objects.exists()


# --- the title check (policy 五(三)) -----------------------------------------------------------------------------

def test_title_status_of(coverage_world):
    year = coverage_world["year"]
    kept = coverage_world["kept"][0]
    (row,) = title_status_of(f"  {kept.entity.uscc.lower()} ")
    assert row == {"name": f"{year}年度临河区放心消费示范单位", "level": "county", "level_label": "旗县区级",
                   "year": year, "region": "临河区", "certificate_no": kept.certificate_no,
                   "awarded_on": TODAY(), "valid_until": kept.valid_until, "status": TitleStatus.VALID}
    (revoked,) = title_status_of(coverage_world["revoked"].entity.uscc)
    assert revoked["status"] == TitleStatus.REVOKED
    assert title_status_of("91150802MA0000000X") == [] and title_status_of("") == []


def test_an_out_of_date_title_reads_as_expired(coverage_world):
    kept = coverage_world["kept"][0]
    Title.objects.filter(pk=kept.pk).update(valid_until=TODAY() - timedelta(days=1))
    (row,) = title_status_of(kept.entity.uscc)
    assert row["status"] == TitleStatus.EXPIRED
    assert not valid_titles(kept.entity).exists()
    assert list(valid_titles(coverage_world["kept"][1].entity)) == [coverage_world["kept"][1]]


# --- the objection lookup ---------------------------------------------------------------------------------------

def test_objection_lookup(users, entities):
    cycle = open_cycle()
    application = sign_both(make_application(entities["a_food"]), users["department"], users["association"])
    services.publicity_open(actor=Actor.for_user(users["office"]), cycle=cycle, level="county",
                            region=application.region)
    objection = services.objection_file(actor=Actor.system("public"), application=application, name="张三",
                                        contact_phone="139-4781-5678", content="该店出售过期食品")
    found = objection_lookup(f" {objection.reference_no.lower()} ", "5678")
    assert found == objection and found.status == "pending"
    services.objection_answer(actor=Actor.for_user(users["office"]), objection=objection, upheld=False,
                              answer="经核查，所售食品在保质期内")
    assert objection_lookup(objection.reference_no, "5678").answer == "经核查，所售食品在保质期内"
    for reference, last4 in [(objection.reference_no, "1234"), (objection.reference_no, ""),
                             ("YY00000000", "5678"), ("", "")]:
        with pytest.raises(NotFound):
            objection_lookup(reference, last4)
