"""/api/v1/stats/…: the campaign goals' indicators from the rollup tables, the same series the dashboards draw.

Scope as on the pages: county staff get their county, department staff (and department tokens) the sectors their
department leads or co-operates in, the office, the association and auditors everything. Merchants: 403."""

from ninja import Router

from fangxin.accounts.choices import STAFF_ROLES
from fangxin.accounts.permissions import AUDIT_READERS
from fangxin.api.auth import STAFF_AUTH
from fangxin.core.exceptions import PermissionDenied

from . import selectors

router = Router(tags=["统计分析"])

FILTERS_NOTE = ("year：年度（默认今年）；county：旗县区代码；sector：行业代码；department：部门代码"
                "（投诉按承办部门，创建单位和称号按该部门牵头或配合的行业）。未知代码返回 422。"
                "返回 computed_at（数字的计算时间）和 stale：stale 为 true 时是变更前算出的数字"
                "（不超过 FANGXIN_STATS_MAX_STALE 秒，默认 60），后台正在更新，稍后再取即为最新。")


def _reader(request):
    user = request.auth
    if getattr(user, "role", None) not in STAFF_ROLES | AUDIT_READERS:
        raise PermissionDenied("只有工作人员和审计员可以查看统计。")
    return user


@router.get("/stats/goals/one", response=dict, auth=STAFF_AUTH,
            summary="目标一：创建单位和示范单位称号，行业 × 旗县区",
            description=FILTERS_NOTE + " measure：enrollments（有效创建单位，截至年末签署）、titles_awarded"
                                       "（当年授予的称号）、titles_valid（截至今天有效的称号）。")
def goal_one(request, year: int | None = None, county: str = "", sector: str = "", department: str = "",
             measure: str = "enrollments"):
    user = _reader(request)
    f = selectors.filters_from(year=year, county=county, sector=sector, department=department)
    return selectors.goal_one(user, f, measure=measure, allow_stale=True)


@router.get("/stats/goals/two", response=dict, auth=STAFF_AUTH,
            summary="目标二：经营者和解占办结投诉的比例，按旗县区和收到月份",
            description=FILTERS_NOTE + " share 为经营者和解 ÷ 办结（无办结时为 null）。")
def goal_two(request, year: int | None = None, county: str = "", sector: str = "", department: str = ""):
    user = _reader(request)
    return selectors.goal_two(user, selectors.filters_from(year=year, county=county, sector=sector,
                                                           department=department), allow_stale=True)


@router.get("/stats/goals/four", response=dict, auth=STAFF_AUTH,
            summary="目标四：处理率、处理成功率、满意率按月与上年同月；维权服务站覆盖",
            description=FILTERS_NOTE + " 口径见 DESIGN 4：按投诉收到月份统计；比率无分母时为 null。")
def goal_four(request, year: int | None = None, county: str = "", sector: str = "", department: str = ""):
    user = _reader(request)
    return selectors.goal_four(user, selectors.filters_from(year=year, county=county, sector=sector,
                                                            department=department), allow_stale=True)


@router.get("/stats/goals/three", response=dict, auth=STAFF_AUTH,
            summary="目标三：抽检合格率按旗县区、月份和行业；发现的问题",
            description=FILTERS_NOTE + " 部门为抽查计划的牵头部门；pass_rate 为合格 ÷ 已录入结果（无结果时为 null）。")
def goal_three(request, year: int | None = None, county: str = "", sector: str = "", department: str = ""):
    user = _reader(request)
    return selectors.goal_three(user, selectors.filters_from(year=year, county=county, sector=sector,
                                                             department=department), allow_stale=True)


@router.get("/stats/goals/five", response=dict, auth=STAFF_AUTH,
            summary="目标五：预警按类型和月份；签收率、办结率、中位处置天数",
            description=FILTERS_NOTE + " 按首次发现的月份；median_days 为已办结预警从发现到办结的整天数中位数。")
def goal_five(request, year: int | None = None, county: str = "", sector: str = "", department: str = ""):
    user = _reader(request)
    return selectors.goal_five(user, selectors.filters_from(year=year, county=county, sector=sector,
                                                            department=department), allow_stale=True)


@router.get("/stats/goals/six", response=dict, auth=STAFF_AUTH,
            summary="目标六：信用等级分布、名单列入和移出、抽签和检查结果按时公示",
            description=FILTERS_NOTE + " 信用等级为当前等级（不随年度变化）；抽签按抽取截止日期所在年度。")
def goal_six(request, year: int | None = None, county: str = "", sector: str = "", department: str = ""):
    user = _reader(request)
    return selectors.goal_six(user, selectors.filters_from(year=year, county=county, sector=sector,
                                                           department=department), allow_stale=True)
