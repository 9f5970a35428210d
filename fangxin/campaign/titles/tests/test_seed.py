"""The default standards: three published versions per sector (not 'other'), 100 scored points, pass marks
80/85/90, the common core plus each sector's own items from policy 四; seeding twice adds nothing."""

from decimal import Decimal

from fangxin.campaign.titles.choices import ItemKind, StandardStatus, TitleLevel
from fangxin.campaign.titles.models import Standard, StandardItem
from fangxin.campaign.titles.seed import CORE, SECTOR_ITEMS, seed_standards
from fangxin.core.actors import Actor
from fangxin.core.models import AuditRecord
from fangxin.organisation.models import Sector

SYSTEM = Actor.system("test")


def test_every_sector_but_other_has_three_published_standards(reference):
    created = seed_standards(actor=SYSTEM)
    sectors = list(Sector.objects.exclude(code="other"))
    assert len(sectors) == 12 and created == 36
    assert not Standard.objects.filter(sector__code="other").exists()
    for sector in sectors:
        rows = Standard.objects.filter(sector=sector, status=StandardStatus.PUBLISHED)
        assert sorted(rows.values_list("level", flat=True)) == sorted(TitleLevel.values), sector.code
        for standard in rows:
            items = list(standard.items.all())
            scored = [i for i in items if i.kind == ItemKind.SCORED]
            assert sum(i.points for i in scored) == Decimal("100"), (sector.code, standard.level)
            assert standard.max_score == Decimal("100")
            assert all(i.points > 0 for i in scored)
            assert all(i.points == 0 for i in items if i.kind == ItemKind.VETO)
            assert [i.seq for i in items] == list(range(1, len(items) + 1))
            assert standard.owner in sector.lead_departments.all()
            assert standard.version == 1


def test_pass_marks_are_80_85_90(reference):
    seed_standards(actor=SYSTEM)
    marks = {level: set(Standard.objects.filter(level=level).values_list("pass_mark", flat=True))
             for level in TitleLevel.values}
    assert marks == {"county": {Decimal("80")}, "city": {Decimal("85")}, "region": {Decimal("90")}}


def test_each_sector_has_its_own_items_and_the_common_core(reference):
    seed_standards(actor=SYSTEM)
    core_texts = {row[2] for row in CORE}
    veto_texts = {row[2] for row in CORE if row[1] == "veto"}
    for code, own in SECTOR_ITEMS.items():
        standard = Standard.objects.get(sector__code=code, level=TitleLevel.COUNTY)
        texts = set(standard.items.values_list("text", flat=True))
        assert {row[1] for row in own} <= texts, code
        assert core_texts <= texts, code
        vetoes = set(standard.items.filter(kind=ItemKind.VETO).values_list("text", flat=True))
        assert vetoes == veto_texts
        # each own item keeps its points and dimension
        for dimension, text, points, _evidence in own:
            item = standard.items.get(text=text)
            assert (item.dimension.code, item.points, item.kind) == (dimension, Decimal(points), ItemKind.SCORED)
    # the sector items really differ between sectors
    ecommerce = set(Standard.objects.get(sector__code="ecommerce", level="county").items.values_list("text", flat=True))
    beauty = set(Standard.objects.get(sector__code="beauty_fitness", level="county").items.values_list("text", flat=True))
    assert "落实网络购物七日无理由退货" in ecommerce and "落实网络购物七日无理由退货" not in beauty
    assert any("预付卡" in text for text in beauty) and not any("预付卡" in text for text in ecommerce)


def test_every_core_dimension_is_covered(reference):
    seed_standards(actor=SYSTEM)
    standard = Standard.objects.get(sector__code="food_drug", level=TitleLevel.REGION)
    dimensions = set(standard.items.filter(kind=ItemKind.SCORED).values_list("dimension__code", flat=True))
    assert dimensions == {"safety", "quality", "price", "service", "rights"}


def test_seeding_is_idempotent(reference):
    assert seed_standards(actor=SYSTEM) == 36
    counts = (Standard.objects.count(), StandardItem.objects.count(),
              AuditRecord.objects.filter(action="campaign.standard.seed").count())
    assert counts[2] == 36
    assert seed_standards(actor=SYSTEM) == 0
    assert (Standard.objects.count(), StandardItem.objects.count(),
            AuditRecord.objects.filter(action="campaign.standard.seed").count()) == counts


def test_a_revised_sector_is_left_alone(reference):
    """A sector whose lead department already has a standard at a level keeps it; only the gaps are seeded."""
    from fangxin.campaign.titles.services import ItemInput, standard_draft
    from fangxin.organisation.models import Dimension

    sector = Sector.objects.get(code="tourism")
    rights = Dimension.objects.get(code="rights")
    draft = standard_draft(actor=SYSTEM, sector=sector, level=TitleLevel.COUNTY, pass_mark=70,
                           items=[ItemInput(dimension_id=rights.pk, text="自定项目", points=100)])
    assert seed_standards(actor=SYSTEM) == 35
    assert list(Standard.objects.filter(sector=sector, level=TitleLevel.COUNTY)) == [draft]
