"""Administrative divisions beyond the reference city (GB/T 2260 codes), added as organisation Region rows.

The reference data holds 巴彦淖尔市 (150800) and its counties; region scale adds Inner Mongolia's other eleven
leagues and cities with their counties, the nation slice a few other provinces (their capital and a few districts).
"""

from fangxin.organisation.choices import RegionLevel
from fangxin.organisation.models import Region

INNER_MONGOLIA = ("150000", "内蒙古自治区")
# city code, city name, "code name; code name; …"
LEAGUES = [
    ("150100", "呼和浩特市", "150102 新城区;150103 回民区;150104 玉泉区;150105 赛罕区;150121 土默特左旗;"
                          "150122 托克托县;150123 和林格尔县;150124 清水河县;150125 武川县"),
    ("150200", "包头市", "150202 东河区;150203 昆都仑区;150204 青山区;150205 石拐区;150206 白云鄂博矿区;"
                      "150207 九原区;150221 土默特右旗;150222 固阳县;150223 达尔罕茂明安联合旗"),
    ("150300", "乌海市", "150302 海勃湾区;150303 海南区;150304 乌达区"),
    ("150400", "赤峰市", "150402 红山区;150403 元宝山区;150404 松山区;150421 阿鲁科尔沁旗;150422 巴林左旗;"
                      "150423 巴林右旗;150424 林西县;150425 克什克腾旗;150426 翁牛特旗;150428 喀喇沁旗;"
                      "150429 宁城县;150430 敖汉旗"),
    ("150500", "通辽市", "150502 科尔沁区;150521 科尔沁左翼中旗;150522 科尔沁左翼后旗;150523 开鲁县;150524 库伦旗;"
                      "150525 奈曼旗;150526 扎鲁特旗;150581 霍林郭勒市"),
    ("150600", "鄂尔多斯市", "150602 东胜区;150603 康巴什区;150621 达拉特旗;150622 准格尔旗;150623 鄂托克前旗;"
                        "150624 鄂托克旗;150625 杭锦旗;150626 乌审旗;150627 伊金霍洛旗"),
    ("150700", "呼伦贝尔市", "150702 海拉尔区;150703 扎赉诺尔区;150721 阿荣旗;150722 莫力达瓦达斡尔族自治旗;"
                        "150723 鄂伦春自治旗;150724 鄂温克族自治旗;150725 陈巴尔虎旗;150726 新巴尔虎左旗;"
                        "150727 新巴尔虎右旗;150781 满洲里市;150782 牙克石市;150783 扎兰屯市;150784 额尔古纳市;"
                        "150785 根河市"),
    ("150800", "巴彦淖尔市", "150802 临河区;150821 五原县;150822 磴口县;150823 乌拉特前旗;150824 乌拉特中旗;"
                        "150825 乌拉特后旗;150826 杭锦后旗"),
    ("150900", "乌兰察布市", "150902 集宁区;150921 卓资县;150922 化德县;150923 商都县;150924 兴和县;150925 凉城县;"
                        "150926 察哈尔右翼前旗;150927 察哈尔右翼中旗;150928 察哈尔右翼后旗;150929 四子王旗;"
                        "150981 丰镇市"),
    ("152200", "兴安盟", "152201 乌兰浩特市;152202 阿尔山市;152221 科尔沁右翼前旗;152222 科尔沁右翼中旗;"
                      "152223 扎赉特旗;152224 突泉县"),
    ("152500", "锡林郭勒盟", "152501 二连浩特市;152502 锡林浩特市;152522 阿巴嘎旗;152523 苏尼特左旗;152524 苏尼特右旗;"
                        "152525 东乌珠穆沁旗;152526 西乌珠穆沁旗;152527 太仆寺旗;152528 镶黄旗;152529 正镶白旗;"
                        "152530 正蓝旗;152531 多伦县"),
    ("152900", "阿拉善盟", "152921 阿拉善左旗;152922 阿拉善右旗;152923 额济纳旗"),
]
# The nation slice: province code, name, [(city code, name, "code name; …")]
PROVINCES = [
    ("110000", "北京市", [("110100", "北京市市辖区", "110101 东城区;110102 西城区;110105 朝阳区;110106 丰台区;"
                                               "110108 海淀区")]),
    ("310000", "上海市", [("310100", "上海市市辖区", "310101 黄浦区;310104 徐汇区;310105 长宁区;310115 浦东新区")]),
    ("440000", "广东省", [("440100", "广州市", "440103 荔湾区;440104 越秀区;440106 天河区"),
                        ("440300", "深圳市", "440303 罗湖区;440304 福田区;440305 南山区")]),
    ("510000", "四川省", [("510100", "成都市", "510104 锦江区;510105 青羊区;510107 武侯区")]),
    ("620000", "甘肃省", [("620100", "兰州市", "620102 城关区;620103 七里河区")]),
]
REFERENCE_CITY = "150800"


def _counties(text: str) -> list[tuple[str, str]]:
    return [tuple(part.split(" ", 1)) for part in text.split(";")]


def tree(scope: str) -> list[tuple[str, str, str, str | None]]:
    """(code, name, level, parent code) for the scope, parents first."""
    rows = [(INNER_MONGOLIA[0], INNER_MONGOLIA[1], RegionLevel.REGION, None)]
    leagues = [league for league in LEAGUES if scope != "city" or league[0] == REFERENCE_CITY]
    for code, name, counties in leagues:
        rows.append((code, name, RegionLevel.CITY, INNER_MONGOLIA[0]))
        rows += [(c, n, RegionLevel.COUNTY, code) for c, n in _counties(counties)]
    if scope == "nation":
        for province, pname, cities in PROVINCES:
            rows.append((province, pname, RegionLevel.REGION, None))
            for code, name, counties in cities:
                rows.append((code, name, RegionLevel.CITY, province))
                rows += [(c, n, RegionLevel.COUNTY, code) for c, n in _counties(counties)]
    return rows


def ensure(scope: str) -> tuple[list[Region], int]:
    """Create the scope's missing regions (existing ones, e.g. from load_reference, are kept);
    returns the counties in code order and how many rows were added."""
    by_code = {r.code: r for r in Region.objects.all()}
    added = 0
    for code, name, level, parent_code in tree(scope):
        if code in by_code:
            continue
        region = Region(code=code, name=name, level=level, parent=by_code.get(parent_code))
        region.path = region.compute_path()
        region.save()
        by_code[code] = region
        added += 1
    codes = {code for code, _n, level, _p in tree(scope) if level == RegionLevel.COUNTY}
    return sorted((by_code[c] for c in codes), key=lambda r: r.code), added


def weight(county: Region) -> int:
    """Urban districts (xx01–xx20) hold more businesses than banners and counties."""
    return 3 if int(county.code[-2:]) < 20 else 1
