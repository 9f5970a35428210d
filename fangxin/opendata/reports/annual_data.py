"""The numbers of the annual campaign report (policy 二: the six goals), read through the same selectors as the
dashboards and scoped to the person who asked for the report (a county's staff get their county's report)."""

from dataclasses import dataclass, field

from django.db.models import Count, F, Q
from django.utils import timezone

from fangxin.alerts.choices import WarningStatus
from fangxin.alerts.models import Warning
from fangxin.content import selectors as content
from fangxin.credit.models import CreditGrade, ListEntry
from fangxin.inspections.choices import Outcome
from fangxin.inspections.models import Inspection, Plan
from fangxin.stats import selectors as stats
from fangxin.supervision import selectors as supervision

MONTH_LABELS = [f"{m}月" for m in range(1, 13)]


@dataclass
class Goal:
    number: str            # 一 … 六
    heading: str
    indicators: list[tuple[str, str]] = field(default_factory=list)   # (name, value as text)
    charts: list[dict] = field(default_factory=list)                 # chart specs for charts.render
    note: str = ""


@dataclass
class AnnualData:
    year: int
    scope_label: str
    goals: list[Goal]
    ranking: list[dict]
    ranking_published: bool          # False: computed from today's records, not yet published by the office
    cases: list[dict]


def _percent(value) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


def _share(numerator: int, denominator: int):
    return round(numerator / denominator, 4) if denominator else None


def ranking_rows(year: int) -> tuple[list[dict], bool]:
    """The county evaluation (督导评价) of the year and whether the office has published it; an unpublished year
    is computed from today's records with the year's weights, and the report says so."""
    scheme = supervision.scheme_for(year)
    rows = [{"rank": row.rank, "county": row.county, "score": f"{row.score:.1f}"}
            for row in supervision.ranking(year)]
    return rows, bool(scheme is not None and scheme.is_published)


def case_rows(year: int, limit: int = 5) -> list[dict]:
    """Typical cases (典型案例) published in the year, in the text as published (masked at publication)."""
    cases = []
    for article in content.typical_cases(year, limit):
        summary = article.published_summary or article.published_body
        cases.append({"title": article.published_title or article.title, "summary": summary[:400],
                      "published": timezone.localtime(article.published_at).date().isoformat()})
    return cases


def collect(user, year: int, progress=lambda percent, step: None) -> AnnualData:
    f = stats.filters_from(year=year)
    region = getattr(user, "region", None)
    scope_label = region.name if region is not None and user.role not in ("auditor", "sysadmin") else "全市"
    goals = []

    progress(10, "目标一：创建单位和示范单位")
    one = stats.goal_one(user, f, measure="enrollments")
    titles = stats.goal_one(user, f, measure="titles_awarded")
    g1 = Goal("一", "广泛开展放心消费创建，创建单位和示范单位覆盖各行业")
    g1.indicators = [("有效创建单位（家）", str(one["total"])), ("当年授予示范单位称号（个）", str(titles["total"]))]
    g1.indicators += [(f"其中{level['label']}（个）", str(level["total"])) for level in titles["levels"]]
    g1.indicators.append(("已建立消费维权协作机制的旗县区", f"{one['mechanisms_in_place']} / {len(one['mechanisms'])}"))
    g1.charts.append({"kind": "bar", "title": f"{year} 年各旗县区有效创建单位",
                      "labels": [c["county_name"] for c in one["counties"]],
                      "series": [("创建单位", [c["total"] for c in one["counties"]])], "unit": "家"})
    goals.append(g1)

    progress(25, "目标二：纠纷解决在经营者")
    two = stats.goal_two(user, f)
    g2 = Goal("二", "消费纠纷解决在经营者")
    g2.indicators = [("办结投诉（件）", str(two["total"]["closed"])),
                     ("经营者和解（件）", str(two["total"]["operator_settled"])),
                     ("经营者和解占比", _percent(two["total"]["share"]))]
    g2.charts.append({"kind": "line", "title": f"{year} 年各月经营者和解占比", "labels": MONTH_LABELS,
                      "series": [("经营者和解占比", [m["share"] for m in two["month_totals"]])], "unit": "%"})
    goals.append(g2)

    progress(40, "目标三：抽查合格率")
    inspections = Inspection.objects.visible_to(user).filter(inspected_on__year=year).exclude(outcome="")
    counts = dict(inspections.order_by().values_list("outcome").annotate(n=Count("id")))
    inspected = sum(counts.values())
    g3 = Goal("三", "商品和服务质量水平提升")
    g3.indicators = [("双随机抽查完成检查（户）", str(inspected)),
                     ("未发现问题（合格）", str(counts.get(Outcome.PASSED, 0))),
                     ("抽查合格率", _percent(_share(counts.get(Outcome.PASSED, 0), inspected))),
                     ("发现问题（户）", str(counts.get(Outcome.PROBLEMS, 0)))]
    goals.append(g3)

    progress(55, "目标四：投诉处理")
    four = stats.goal_four(user, f)
    cur, prev = four["total"]["current"], four["total"]["previous"]
    stations = four["stations"]
    g4 = Goal("四", "消费投诉处理率、处理成功率和满意率提高")
    g4.indicators = [("受理投诉（件）", f"{cur['accepted']}（上年 {prev['accepted']}）"),
                     ("处理率", f"{_percent(cur['handling_rate'])}（上年 {_percent(prev['handling_rate'])}）"),
                     ("处理成功率", f"{_percent(cur['success_rate'])}（上年 {_percent(prev['success_rate'])}）"),
                     ("满意率", f"{_percent(cur['satisfaction_rate'])}（上年 {_percent(prev['satisfaction_rate'])}）"),
                     ("设有维权服务站的旗县区", f"{sum(1 for s in stations if s['stations'])} / {len(stations)}")]
    g4.charts.append({"kind": "line", "title": f"各月处理率：{year} 年与 {year - 1} 年同期", "labels": MONTH_LABELS,
                      "series": [(f"{year} 年", [m["current"]["handling_rate"] for m in four["months"]]),
                                 (f"{year - 1} 年", [m["previous"]["handling_rate"] for m in four["months"]])],
                      "unit": "%"})
    goals.append(g4)

    progress(65, "目标五：预警")
    warnings = Warning.objects.visible_to(user).filter(detected_on__year=year)
    w_total = warnings.count()
    w_closed = warnings.filter(status=WarningStatus.CLOSED).count()
    g5 = Goal("五", "防范群体性、系统性消费安全事件")
    g5.indicators = [("发出预警（条）", str(w_total)), ("已办结（条）", str(w_closed)),
                     ("办结率", _percent(_share(w_closed, w_total)))]
    goals.append(g5)

    progress(75, "目标六：信用监管")
    grades = dict(CreditGrade.objects.filter(entity__in=_entities(user)).order_by()
                  .values_list("grade").annotate(n=Count("id")))
    entries = ListEntry.objects.visible_to(user).filter(entered_on__year=year)
    drawn = Plan.objects.visible_to(user).filter(draw__drawn_at__year=year).count()
    published = Inspection.objects.visible_to(user).filter(published_at__year=year)
    on_time = published.filter(Q(publish_due__isnull=True) | Q(published_at__date__lte=F("publish_due")))
    g6 = Goal("六", "信用监管和双随机一公开")
    g6.indicators = [(f"信用等级 {grade}（户）", str(grades.get(grade, 0))) for grade in "ABCD"]
    g6.indicators += [("当年列入信用名单（条）", str(entries.count())), ("完成双随机抽签（次）", str(drawn)),
                      ("公示抽查结果（户）", str(published.count())),
                      ("按时公示率", _percent(_share(on_time.count(), published.count())))]
    g6.charts.append({"kind": "bar", "title": "信用等级分布", "labels": list("ABCD"),
                      "series": [("市场主体", [grades.get(grade, 0) for grade in "ABCD"])], "unit": "户"})
    goals.append(g6)

    progress(85, "旗县区督导评价和典型案例")
    ranking, published = ranking_rows(year)
    return AnnualData(year=year, scope_label=scope_label, goals=goals, ranking=ranking, ranking_published=published,
                      cases=case_rows(year))


def _entities(user):
    from fangxin.merchants.models import MarketEntity

    return MarketEntity.objects.visible_to(user)
