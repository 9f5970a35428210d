"""Write the import samples entities-sample.xlsx and entities-sample.csv (docs/import.md).

    .venv/bin/python data/samples/make_samples.py

20 rows: 15 good ones over every county and several sectors (county and sector names from data/reference/), and 5
bad ones that show the error report: a wrong check character, a forbidden letter, a city instead of a county, an
unknown sector with an invalid shop URL, and a USCC repeated from an earlier row. Deterministic: the same bytes
every run. The CSV is UTF-8 with a BOM, so Excel opens it with the Chinese intact.
"""

import csv
import io
import re
import sys
import zipfile
from datetime import datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
sys.path.insert(0, str(REPO))

from fangxin.core import uscc  # noqa: E402  (pure Python, no Django needed)

HEADERS = ["统一社会信用代码", "名称", "主体类型", "法定代表人", "经营场所", "所在旗县区", "行业", "网店平台", "网店地址",
           "经营状态", "联系电话"]
FIXED_TIME = datetime(2026, 3, 1, 9, 0, 0)


def reference(name: str) -> list[dict]:
    with (REPO / "data" / "reference" / name).open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def rows() -> list[list[str]]:
    regions = reference("regions.csv")
    city = next(r for r in regions if r["level"] == "city")
    counties = [r for r in regions if r["level"] == "county"]
    sectors = {s["code"]: s["name"] for s in reference("sectors.csv")}
    plan = [  # (sector, name, type, owner, street, platform, url, status)
        ("food_drug", "鑫源华联超市", "企业", "王伟", "胜利北路 18 号", "", "", "存续（在营）"),
        ("ecommerce", "河套优选电商旗舰店", "企业", "李娜", "新华街 66 号", "淘宝", "https://hetaoyouxuan.taobao.com/", "存续（在营）"),
        ("tourism", "天骄国际旅行社", "企业", "张强", "建设路 9 号", "", "", "存续（在营）"),
        ("food_drug", "利民大药房", "个体工商户", "刘芳", "团结路 120 号", "", "", "存续（在营）"),
        ("beauty_fitness", "恒泰健身会所", "企业", "陈磊", "五一街 33 号", "", "", "停业"),
        ("express", "永盛快递驿站", "个体工商户", "杨军", "解放街 7 号", "", "", "存续（在营）"),
        ("education", "宏达职业培训学校", "企业", "赵静", "光明路 51 号", "", "", "存续（在营）"),
        ("transport", "万家汽车修理厂", "个体工商户", "黄勇", "朔方路 200 号", "", "", "存续（在营）"),
        ("ecommerce", "乐购直播优选", "企业", "周洋", "永济路 12 号", "抖音", "https://v.douyin.com/legou/", "存续（在营）"),
        ("culture", "塞上影城", "分支机构", "吴敏", "乌兰布和路 3 号", "", "", "存续（在营）"),
        ("utilities", "瑞丰燃气有限公司", "企业", "徐丽", "新华街 2 号", "", "", "存续（在营）"),
        ("food_drug", "佳和家常菜馆", "个体工商户", "孙涛", "胜利北路 77 号", "", "", "注销"),
        ("other", "德润家具城", "企业", "马超", "建设路 150 号", "", "", "存续（在营）"),
        ("info", "晨光手机通讯店", "个体工商户", "胡杰", "团结路 8 号", "", "", "存续（在营）"),
        ("finance", "富民农商银行营业部", "分支机构", "朱红", "五一街 1 号", "", "", "存续（在营）"),
    ]
    good = []
    for index, (sector, name, kind, owner, street, platform, url, status) in enumerate(plan):
        county = counties[index % len(counties)]
        head = "92" if kind == "个体工商户" else "91"
        code = uscc.complete(f"{head}{county['code']}MA0{index + 1:06d}")
        phone = f"0478-{8100000 + index * 137:07d}" if index % 2 else f"139{47800000 + index * 911:08d}"
        good.append([code, f"{county['name']}{name}", kind, owner, f"巴彦淖尔市{county['name']}{street}",
                     county["name"], sectors[sector], platform, url, status, phone])

    linhe, wuyuan = counties[0], counties[1]
    wrong_check = uscc.complete(f"91{linhe['code']}MA0B00001")
    wrong_check = wrong_check[:-1] + ("1" if wrong_check[-1] != "1" else "2")
    bad = [
        [wrong_check, f"{linhe['name']}校验位错误商行", "企业", "王某", f"巴彦淖尔市{linhe['name']}新华街 5 号",
         linhe["name"], sectors["price"], "", "", "存续（在营）", "13900000001"],
        [f"91{wuyuan['code']}MA0O00002X", f"{wuyuan['name']}字母O商行", "个体工商户", "李某", f"巴彦淖尔市{wuyuan['name']}建设路 6 号",
         wuyuan["name"], sectors["food_drug"], "", "", "", "13900000002"],
        [uscc.complete(f"91{linhe['code']}MA0B00003"), "旗县区填成了盟市的商行", "企业", "张某", "巴彦淖尔市某某路 7 号",
         city["name"], sectors["food_drug"], "", "", "", ""],
        [uscc.complete(f"91{wuyuan['code']}MA0B00004"), f"{wuyuan['name']}云端小店", "企业", "刘某", "",
         wuyuan["code"], "直播带货", "快手", "kuaishou.com/shop/123", "", ""],
        [good[2][0], "与第 4 行重复的商行", "企业", "陈某", "", good[2][5], good[2][6], "", "", "", ""],
    ]
    # Good and bad rows interleaved, as a real file would have them.
    return good[:3] + bad[:1] + good[3:7] + bad[1:3] + good[7:11] + bad[3:] + good[11:]


def write_csv(target: Path, data: list[list[str]]) -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(HEADERS)
    writer.writerows(data)
    target.write_bytes(buffer.getvalue().encode("utf-8-sig"))


def write_xlsx(target: Path, data: list[list[str]]) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    book.properties.creator = "fangxin"
    book.properties.created = book.properties.modified = FIXED_TIME
    sheet = book.active
    sheet.title = "市场主体"
    sheet.append(HEADERS)
    for row in data:
        sheet.append(row)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for letter, width in zip("ABCDEFGHIJK", (22, 30, 12, 10, 36, 12, 24, 8, 34, 12, 16), strict=True):
        sheet.column_dimensions[letter].width = width
    buffer = io.BytesIO()
    book.save(buffer)
    # openpyxl stamps the zip entries and the "modified" property with the current time: restamp both, so the
    # file is the same every run.
    with zipfile.ZipFile(buffer) as source, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "docProps/core.xml":
                data = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*", rb"\g<1>" + FIXED_TIME.strftime("%Y-%m-%dT%H:%M:%SZ").encode(),
                              data)
            stamped = zipfile.ZipInfo(info.filename, date_time=FIXED_TIME.timetuple()[:6])
            stamped.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(stamped, data)


def main() -> None:
    data = rows()
    write_csv(HERE / "entities-sample.csv", data)
    write_xlsx(HERE / "entities-sample.xlsx", data)
    print(f"已写入 {HERE / 'entities-sample.csv'} 与 {HERE / 'entities-sample.xlsx'}：{len(data)} 行（其中 5 行有误）")


if __name__ == "__main__":
    main()
