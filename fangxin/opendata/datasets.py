"""The open datasets (开放数据, docs/opendata.md): aggregate statistics and the lists the platform already publishes.

Each dataset is a `Dataset`: its fields (key, Chinese column name, type, meaning, unit) and a generator of rows
(dicts with exactly those keys). The CSV, the JSON, the field-description page and the API all read the same
definition, so the documentation cannot drift from the columns.

No personal data: statistics come from the rollup counters (never per-complaint rows); the lists carry only the
public facts of businesses (name, USCC, county) and of decisions; free text written by staff (announcement bodies,
inspection notes, list reasons) passes through the masker (`triage.masking.mask_text`) before it leaves.
"""

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime

from django.db.models import Count, Max, Sum
from django.urls import reverse
from django.utils import timezone

from fangxin.campaign.titles.choices import TitleLevel, TitleStatus
from fangxin.campaign.titles.models import Announcement, Title
from fangxin.credit import exports as credit_exports
from fangxin.credit import list_selectors
from fangxin.inspections import selectors as inspection_selectors
from fangxin.inspections.choices import Outcome
from fangxin.organisation.models import Region, Sector
from fangxin.stats.models import Rollup, Source
from fangxin.triage.masking import mask_text


@dataclass(frozen=True)
class Field:
    key: str
    name: str
    type: str
    meaning: str
    unit: str = ""


@dataclass(frozen=True)
class Dataset:
    slug: str
    title: str
    description: str
    fields: tuple[Field, ...]
    rows: Callable[[], Iterator[dict]]
    updated: Callable[[], date | None]
    source: str

    @property
    def keys(self) -> list[str]:
        return [f.key for f in self.fields]


def _day(value) -> date | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return value


def _names():
    regions = dict(Region.objects.values_list("pk", "code"))
    region_names = dict(Region.objects.values_list("pk", "name"))
    sectors = {s.pk: (s.code, s.name) for s in Sector.objects.all()}
    return regions, region_names, sectors


def _rate(numerator: int, denominator: int) -> float | None:
    return round(numerator / denominator, 4) if denominator else None


# --- complaint statistics by month × county × sector --------------------------------------------------------------

COMPLAINT_PARTS = ("received", "accepted", "closed", "settled", "operator_settled", "ratings", "satisfied",
                   "recovered_cents")

COMPLAINT_FIELDS = (
    Field("month", "月份", "string (YYYY-MM)", "投诉收到的月份（按收到月份统计的一批投诉）"),
    Field("county_code", "旗县区代码", "string", "6 位行政区划代码"),
    Field("county_name", "旗县区", "string", "旗县区名称"),
    Field("sector_code", "行业代码", "string", "被投诉经营者所属行业代码；空表示尚未分类"),
    Field("sector_name", "行业", "string", "行业名称；“未分类”表示尚未分类"),
    Field("received", "收到投诉", "integer", "当月收到的投诉件数（不含举报）", "件"),
    Field("accepted", "受理", "integer", "已受理的件数，含经营者和解的投诉", "件"),
    Field("closed", "办结", "integer", "已受理且已办结的件数", "件"),
    Field("settled", "和解或调解成功", "integer", "经营者和解或调解达成协议的件数", "件"),
    Field("operator_settled", "经营者和解", "integer", "由经营者自行和解的件数（纠纷解决在经营者）", "件"),
    Field("ratings", "评价数", "integer", "消费者给出评价的件数", "件"),
    Field("satisfied", "满意数", "integer", "评价为 4 或 5 分的件数", "件"),
    Field("recovered_amount", "挽回经济损失", "number", "为消费者挽回的经济损失合计", "元"),
    Field("handling_rate", "处理率", "number 或 null", "办结 ÷ 受理，0–1 之间的小数，保留 4 位；无受理时为空", "比例"),
    Field("success_rate", "处理成功率", "number 或 null", "和解或调解成功 ÷ 办结；无办结时为空", "比例"),
    Field("satisfaction_rate", "满意率", "number 或 null", "满意数 ÷ 评价数；无评价时为空", "比例"),
)


def complaint_rows() -> Iterator[dict]:
    regions, region_names, sectors = _names()
    groups = (Rollup.objects.filter(source=Source.COMPLAINT, measure__in=COMPLAINT_PARTS)
              .values("period", "region_id", "sector", "measure").annotate(total=Sum("value"))
              .order_by("period", "region_id", "sector"))
    cells: dict[tuple, dict[str, int]] = {}
    for row in groups:
        key = (row["period"], row["region_id"], row["sector"])
        cells.setdefault(key, dict.fromkeys(COMPLAINT_PARTS, 0))[row["measure"]] += row["total"]
    for (period, region_id, sector_id), c in sorted(cells.items(), key=lambda item: (
            item[0][0], regions.get(item[0][1], ""), sectors.get(item[0][2], ("~", ""))[0])):
        if not c["received"]:
            continue
        sector_code, sector_name = sectors.get(sector_id, ("", "未分类"))
        yield {"month": period.strftime("%Y-%m"), "county_code": regions.get(region_id, ""),
               "county_name": region_names.get(region_id, ""), "sector_code": sector_code,
               "sector_name": sector_name, **{k: c[k] for k in COMPLAINT_PARTS if k != "recovered_cents"},
               "recovered_amount": round(c["recovered_cents"] / 100, 2),
               "handling_rate": _rate(c["closed"], c["accepted"]), "success_rate": _rate(c["settled"], c["closed"]),
               "satisfaction_rate": _rate(c["satisfied"], c["ratings"])}


def rollups_updated() -> date | None:
    # Counters carry no timestamp; the newest month counted is the honest "data up to" date.
    latest = Rollup.objects.aggregate(latest=Max("period"))["latest"]
    return timezone.localdate() if latest else None


# --- enrollments and titles counts ----------------------------------------------------------------------------------

CAMPAIGN_FIELDS = (
    Field("year", "年度", "integer", "创建单位签署承诺的年度；称号的授予年度"),
    Field("county_code", "旗县区代码", "string", "6 位行政区划代码"),
    Field("county_name", "旗县区", "string", "旗县区名称"),
    Field("sector_code", "行业代码", "string", "经营者所属行业代码；空表示未分类"),
    Field("sector_name", "行业", "string", "行业名称"),
    Field("enrolled", "新增创建单位", "integer", "当年签署统一承诺的创建单位数", "家"),
    Field("enrolled_current", "其中仍在创建", "integer", "当年签署、目前仍在创建（含暂停）的单位数", "家"),
    Field("titles_county", "授予旗县区级称号", "integer", "当年授予的旗县区级放心消费示范单位称号数", "个"),
    Field("titles_city", "授予盟市级称号", "integer", "当年授予的盟市级称号数", "个"),
    Field("titles_region", "授予自治区级称号", "integer", "当年授予的自治区级称号数", "个"),
    Field("titles_valid", "其中仍有效", "integer", "当年授予、至今未撤销且未过期的称号数", "个"),
)


def campaign_rows() -> Iterator[dict]:
    regions, region_names, sectors = _names()
    today = timezone.localdate().isoformat()
    cells: dict[tuple, dict[str, int]] = {}

    def cell(period, region_id, sector):
        return cells.setdefault((period.year, region_id, sector), dict.fromkeys(
            ("enrolled", "enrolled_current", "titles_county", "titles_city", "titles_region", "titles_valid"), 0))

    for row in (Rollup.objects.filter(source=Source.ENROLLMENT, measure__in=["enrolled", "current"])
                .values("period", "region_id", "sector", "measure").annotate(total=Sum("value")).order_by()):
        cell(row["period"], row["region_id"], row["sector"])[
            "enrolled" if row["measure"] == "enrolled" else "enrolled_current"] += row["total"]
    for row in (Rollup.objects.filter(source=Source.TITLE, measure="awarded")
                .values("period", "region_id", "sector", "level").annotate(total=Sum("value")).order_by()):
        if row["level"] in TitleLevel.values:
            cell(row["period"], row["region_id"], row["sector"])[f"titles_{row['level']}"] += row["total"]
    for row in (Rollup.objects.filter(source=Source.TITLE, measure="valid", bucket__gte=today)
                .values("period", "region_id", "sector").annotate(total=Sum("value")).order_by()):
        cell(row["period"], row["region_id"], row["sector"])["titles_valid"] += row["total"]
    for (year, region_id, sector_id), c in sorted(cells.items(), key=lambda item: (
            item[0][0], regions.get(item[0][1], ""), sectors.get(item[0][2], ("~", ""))[0])):
        if not any(c.values()):
            continue
        sector_code, sector_name = sectors.get(sector_id, ("", "未分类"))
        yield {"year": year, "county_code": regions.get(region_id, ""), "county_name": region_names.get(region_id, ""),
               "sector_code": sector_code, "sector_name": sector_name, **c}


# --- valid titles ----------------------------------------------------------------------------------------------------

TITLE_FIELDS = (
    Field("uscc", "统一社会信用代码", "string", "18 位统一社会信用代码"),
    Field("business_name", "单位名称", "string", "获得称号的市场主体登记名称"),
    Field("county_code", "所在旗县区代码", "string", "6 位行政区划代码"),
    Field("county_name", "所在旗县区", "string", "旗县区名称"),
    Field("sector_name", "行业", "string", "所属行业"),
    Field("title", "称号", "string", "称号全称"),
    Field("level", "级别代码", "string", "county 旗县区级；city 盟市级；region 自治区级"),
    Field("level_name", "级别", "string", "级别的中文名称"),
    Field("year", "年度", "integer", "称号所属创建年度"),
    Field("certificate_no", "证书编号", "string", "称号证书编号，可在平台查询真伪"),
    Field("awarded_on", "授牌日期", "string (date)", "YYYY-MM-DD"),
    Field("valid_until", "有效期至", "string (date)", "YYYY-MM-DD"),
)


def valid_titles():
    return (Title.objects.filter(status=TitleStatus.VALID, valid_until__gte=timezone.localdate())
            .select_related("entity", "entity__region", "entity__sector").order_by("-year", "entity__uscc", "level"))


def title_rows() -> Iterator[dict]:
    for t in valid_titles().iterator(chunk_size=2000):
        yield {"uscc": t.entity.uscc, "business_name": t.entity.name, "county_code": t.entity.region.code,
               "county_name": t.entity.region.name, "sector_name": t.entity.sector.name if t.entity.sector else "",
               "title": t.name, "level": t.level, "level_name": t.get_level_display(), "year": t.year,
               "certificate_no": t.certificate_no, "awarded_on": t.awarded_on.isoformat(),
               "valid_until": t.valid_until.isoformat()}


def titles_updated() -> date | None:
    return _day(Title.objects.aggregate(latest=Max("updated_at"))["latest"])


# --- revocation announcements ----------------------------------------------------------------------------------------

REVOCATION_FIELDS = (
    Field("id", "公告编号", "integer", "本系统中公告的编号"),
    Field("published_on", "发布日期", "string (date)", "YYYY-MM-DD"),
    Field("uscc", "统一社会信用代码", "string", "被撤销资格单位的统一社会信用代码"),
    Field("business_name", "单位名称", "string", "被撤销资格单位的登记名称"),
    Field("title", "公告标题", "string", "公告标题"),
    Field("body", "公告正文", "string", "公告正文（个人信息已屏蔽）"),
)


def revocation_rows() -> Iterator[dict]:
    rows = Announcement.objects.select_related("entity").order_by("-published_on", "-id")
    for a in rows.iterator(chunk_size=2000):
        yield {"id": a.pk, "published_on": a.published_on.isoformat(), "uscc": a.entity.uscc,
               "business_name": a.entity.name, "title": mask_text(a.title), "body": mask_text(a.body)}


def revocations_updated() -> date | None:
    return Announcement.objects.aggregate(latest=Max("published_on"))["latest"]


# --- credit lists (the credit app's documented export) --------------------------------------------------------------

CREDIT_FREE_TEXT = ("reason", "authority")
CREDIT_FIELDS = tuple(Field(key, column, kind, meaning) for key, column, kind, meaning in credit_exports.FIELDS)


def credit_rows() -> Iterator[dict]:
    entries = list_selectors.public_entries(status=list_selectors.STATUS_ALL)
    for entry in entries.iterator(chunk_size=2000):
        data = credit_exports.record(entry)
        for key in CREDIT_FREE_TEXT:
            data[key] = mask_text(data[key])
        yield data


def credit_updated() -> date | None:
    from fangxin.credit.models import ListEntry

    return _day(ListEntry.objects.aggregate(latest=Max("updated_at"))["latest"])


# --- draw records ----------------------------------------------------------------------------------------------------

DRAW_FIELDS = (
    Field("draw_id", "抽签编号", "integer", "抽签的编号，与抽查公示页一致"),
    Field("plan_name", "抽查计划", "string", "抽查计划名称"),
    Field("lead_department", "牵头部门", "string", "牵头组织抽查的部门"),
    Field("population_size", "抽取范围（户）", "integer", "冻结时检查对象名录中的市场主体数", "户"),
    Field("population_sha256", "名录摘要", "string", "冻结名录的 SHA-256（fangxin-draw-v1）"),
    Field("commitment_sha256", "承诺值", "string", "抽签前公布的服务器密钥承诺 SHA-256"),
    Field("frozen_at", "名录冻结时间", "string (datetime)", "ISO 8601"),
    Field("drawn_at", "抽取时间", "string (datetime)", "ISO 8601"),
    Field("seed", "随机种子", "string", "由服务器密钥和公开随机数计算的种子"),
    Field("selected", "抽中户数", "integer", "抽中的市场主体数", "户"),
    Field("record_url", "抽签记录", "string (URL)", "完整抽签记录 record.json，可用 fangxin draw verify 离线复核"),
)


def drawn_draws():
    # The population, inspectors and record JSON stay deferred: they are large, and the record is one link away.
    return (inspection_selectors.public_draws().filter(drawn_at__isnull=False).prefetch_related(None)
            .annotate(selected_count=Count("plan__inspections")))


def draw_rows() -> Iterator[dict]:
    for draw in drawn_draws().iterator(chunk_size=500):
        yield {"draw_id": draw.pk, "plan_name": draw.plan.name, "lead_department": draw.plan.lead_department.name,
               "population_size": draw.population_size, "population_sha256": draw.population_sha256,
               "commitment_sha256": draw.commitment_sha256,
               "frozen_at": timezone.localtime(draw.frozen_at).isoformat(timespec="seconds"),
               "drawn_at": timezone.localtime(draw.drawn_at).isoformat(timespec="seconds"),
               "seed": draw.seed, "selected": draw.selected_count,
               "record_url": reverse("inspections:public_record", args=[draw.pk])}


def draws_updated() -> date | None:
    return _day(drawn_draws().aggregate(latest=Max("drawn_at"))["latest"])


# --- published inspection results ------------------------------------------------------------------------------------

INSPECTION_FIELDS = (
    Field("id", "结果编号", "integer", "抽查结果的编号"),
    Field("plan_name", "抽查计划", "string", "抽查计划名称"),
    Field("draw_id", "抽签编号", "integer", "对应抽签的编号"),
    Field("uscc", "统一社会信用代码", "string", "被检查市场主体的统一社会信用代码"),
    Field("business_name", "单位名称", "string", "被检查市场主体的登记名称"),
    Field("county_code", "所在旗县区代码", "string", "6 位行政区划代码"),
    Field("county_name", "所在旗县区", "string", "旗县区名称"),
    Field("sector_name", "行业", "string", "所属行业"),
    Field("outcome", "结果代码", "string", " ".join(f"{o.value} {o.label}；" for o in Outcome).rstrip("；")),
    Field("outcome_name", "检查结果", "string", "结果的中文名称"),
    Field("description", "情况说明", "string", "检查发现的问题或情况（个人信息已屏蔽）"),
    Field("inspected_on", "检查日期", "string (date)", "YYYY-MM-DD"),
    Field("published_on", "公示日期", "string (date)", "YYYY-MM-DD"),
)


def inspection_rows() -> Iterator[dict]:
    for i in inspection_selectors.published_results().iterator(chunk_size=2000):
        draw = getattr(i.plan, "draw", None)
        yield {"id": i.pk, "plan_name": i.plan.name, "draw_id": draw.pk if draw else None, "uscc": i.entity.uscc,
               "business_name": i.entity.name, "county_code": i.entity.region.code,
               "county_name": i.entity.region.name, "sector_name": i.entity.sector.name if i.entity.sector else "",
               "outcome": i.outcome, "outcome_name": i.get_outcome_display(), "description": mask_text(i.description),
               "inspected_on": i.inspected_on.isoformat() if i.inspected_on else None,
               "published_on": _day(i.published_at).isoformat()}


def inspections_updated() -> date | None:
    from fangxin.inspections.models import Inspection

    return _day(Inspection.objects.published().aggregate(latest=Max("published_at"))["latest"])


DATASETS: dict[str, Dataset] = {d.slug: d for d in (
    Dataset("complaint-stats", "消费投诉统计（月 × 旗县区 × 行业）",
            "按收到月份、旗县区和行业汇总的投诉件数、处理率、处理成功率、满意率和挽回经济损失。只含汇总数字，不含单件投诉。",
            COMPLAINT_FIELDS, complaint_rows, rollups_updated, "统计汇总表（随投诉办理实时更新）"),
    Dataset("campaign-counts", "创建单位与示范单位数量",
            "按年度、旗县区和行业统计的放心消费创建单位和各级示范单位称号数量。",
            CAMPAIGN_FIELDS, campaign_rows, rollups_updated, "统计汇总表"),
    Dataset("titles", "有效放心消费示范单位名单",
            "目前有效（未撤销、未过期）的各级放心消费示范单位称号。",
            TITLE_FIELDS, title_rows, titles_updated, "示范单位称号库"),
    Dataset("revocations", "撤销资格公告", "动态管理中撤销创建单位或示范单位资格的公告。",
            REVOCATION_FIELDS, revocation_rows, revocations_updated, "动态管理公告"),
    Dataset("credit-lists", "信用名单（含移出记录）",
            "经营异常名录、严重违法失信名单和警示名单的列入与移出记录，字段与“信用名单公示”的下载一致。",
            CREDIT_FIELDS, credit_rows, credit_updated, "信用名单"),
    Dataset("draws", "双随机抽签记录", "已抽取的双随机抽查抽签：名录摘要、承诺值、随机种子和完整抽签记录的链接。",
            DRAW_FIELDS, draw_rows, draws_updated, "双随机一公开"),
    Dataset("inspection-results", "双随机抽查结果", "已公示的双随机抽查结果。",
            INSPECTION_FIELDS, inspection_rows, inspections_updated, "双随机一公开"),
)}


def dataset_get(slug: str) -> Dataset:
    from fangxin.core.exceptions import NotFound

    try:
        return DATASETS[slug]
    except KeyError:
        raise NotFound("没有这个数据集。") from None


def catalogue() -> list[dict]:
    """The index page and the API list: each dataset with its last-updated date."""
    return [{"slug": d.slug, "title": d.title, "description": d.description, "source": d.source,
             "updated": d.updated(), "fields": len(d.fields)} for d in DATASETS.values()]
