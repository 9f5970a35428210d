"""What helps staff in a complaint text: amounts in yuan, dates, order numbers, phone numbers and candidate business
names, the last matched against the registry (`match_registry`) when a database is there.

Pure regular expressions; `extract(text)` never touches the database.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from . import masking

MAX_ITEMS = 20  # of each kind, so a pasted ledger cannot make the answer huge

_CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
AMOUNT_RE = re.compile(
    r"(?:[¥￥]\s?(?P<a>\d{1,3}(?:,\d{3})+(?:\.\d{1,2})?|\d+(?:\.\d{1,2})?)(?:元)?)"
    r"|(?:(?<![\d.,A-Za-z])(?P<b>\d{1,3}(?:,\d{3})+(?:\.\d{1,2})?|\d+(?:\.\d{1,2})?)(?P<unit>多?万元|多?万块|多?万|多?元|多?块钱|多?块)"
    r"(?![0-9A-Za-z]))")
DATE_RE = re.compile(
    r"(?<!\d)(?:(?P<y>20\d{2}|19\d{2})[年./\-](?P<m>1[0-2]|0?[1-9])[月./\-](?P<d>3[01]|[12]\d|0?[1-9])日?"
    r"|(?P<y2>20\d{2}|19\d{2})年(?P<m2>1[0-2]|0?[1-9])月"
    r"|(?P<m3>1[0-2]|0?[1-9])月(?P<d3>3[01]|[12]\d|0?[1-9])[日号])(?!\d)")
ORDER_RE = re.compile(
    r"(?P<label>订单号|订单编号|订单|单号|运单号|运单|快递单号|流水号|交易号|工单号|合同编号|保单号|发票号|编号|Order ID|Order No\.?)"
    r"\s*[:：]?\s*(?P<number>[A-Za-z]{0,4}[-]?\d[\dA-Za-z\-]{5,29})", re.IGNORECASE)
HOTLINE_RE = re.compile(r"(?<!\d)(?:12315|12345|12306|12365|12358|10086|10010|10000|95\d{3}|96\d{3}|400-?\d{3}-?\d{4})(?!\d)")
BUSINESS_SUFFIXES = (
    "有限公司", "公司", "旗舰店", "专卖店", "超市", "商场", "便利店", "药店", "大药房", "药房", "饭店", "酒店", "大酒店", "宾馆",
    "餐厅", "面馆", "火锅店", "烧烤店", "蛋糕店", "奶茶店", "旅行社", "景区", "健身会所", "健身房", "健身", "会所", "美容院",
    "理发店", "美发店", "培训学校", "培训中心", "学校", "教育", "幼儿园", "驾校", "KTV", "网咖", "网吧", "影城", "电影院",
    "营业厅", "修理厂", "4S店", "银行", "支行", "保险公司", "快递", "驿站", "物业", "装修", "家具", "家电", "APP", "平台",
    "购物", "频道", "店", "馆", "厂", "中心", "社", "城", "院",
)
BUSINESS_RE = re.compile(
    r"(?:“(?P<quoted>[^”]{2,30})”)|(?P<name>(?:临河区|五原县|磴口县|乌拉特[前中后]旗|杭锦后旗|巴彦淖尔市)?[\u4e00-\u9fffA-Za-z]{1,12}?"
    r"(?:" + "|".join(sorted(map(re.escape, BUSINESS_SUFFIXES), key=len, reverse=True)) + r"))")
_NOT_BUSINESS_START = re.compile(r"^(?:在|到|去|从|给|跟|和|向|我|他|她|这|那|一家|一个|某|家|的|了|说|是|把|被|让|又|都|也|就|还)+")
_BREAKS = "在到去从给的了买是把被让向和跟个说找叫这那我他她你们年月日号元"
_GENERIC = frozenset(("店", "馆", "厂", "中心", "行", "社", "城", "院", "公司", "平台", "商场", "超市", "银行", "快递", "学校",
                      "驿站", "物业", "教育", "频道", "购物", "APP", "家具", "家电", "装修", "健身", "会所", "景区", "酒店",
                      "网吧", "药店", "营业厅"))


@dataclass
class Extracted:
    amounts: list[dict] = field(default_factory=list)  # {"text", "yuan"} (yuan as a string, e.g. "1299.00")
    dates: list[dict] = field(default_factory=list)  # {"text", "date"} (ISO date, or "YYYY-MM" / "--MM-DD" if partial)
    order_numbers: list[str] = field(default_factory=list)
    phones: list[dict] = field(default_factory=list)  # {"text", "kind": mobile|landline|hotline}
    business_names: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {"amounts": self.amounts, "dates": self.dates, "order_numbers": self.order_numbers,
                "phones": self.phones, "business_names": self.business_names}


def _yuan(number: str, unit: str) -> str | None:
    try:
        value = Decimal(number.replace(",", ""))
    except InvalidOperation:
        return None
    if unit.startswith("多"):
        unit = unit[1:]
    if unit.startswith("万"):
        value *= 10000
    return f"{value:.2f}"


def amounts(text: str) -> list[dict]:
    found = []
    for match in AMOUNT_RE.finditer(text):
        number = match.group("a") or match.group("b")
        yuan = _yuan(number, match.group("unit") or "")
        if yuan is not None:
            found.append({"text": match.group(0), "yuan": yuan})
        if len(found) >= MAX_ITEMS:
            break
    return found


def dates(text: str) -> list[dict]:
    found = []
    for match in DATE_RE.finditer(text):
        if match.group("y"):
            value = f"{int(match.group('y')):04d}-{int(match.group('m')):02d}-{int(match.group('d')):02d}"
        elif match.group("y2"):
            value = f"{int(match.group('y2')):04d}-{int(match.group('m2')):02d}"
        else:
            value = f"--{int(match.group('m3')):02d}-{int(match.group('d3')):02d}"
        found.append({"text": match.group(0), "date": value})
        if len(found) >= MAX_ITEMS:
            break
    return found


def order_numbers(text: str) -> list[str]:
    found = []
    for match in ORDER_RE.finditer(text):
        number = match.group("number").rstrip("-")
        if number not in found:
            found.append(number)
        if len(found) >= MAX_ITEMS:
            break
    return found


def phones(text: str, spans: list[masking.Span] | None = None) -> list[dict]:
    """Personal phone numbers (as the masker finds them) and public hotlines."""
    spans = masking.find_spans(text) if spans is None else spans
    found = [{"text": text[s.start:s.end], "kind": s.type} for s in spans if s.type in (masking.MOBILE, masking.LANDLINE)]
    taken = [(s.start, s.end) for s in spans]
    for match in HOTLINE_RE.finditer(text):
        if all(match.end() <= start or match.start() >= end for start, end in taken):
            found.append({"text": match.group(0), "kind": "hotline"})
    return found[:MAX_ITEMS]


def business_names(text: str) -> list[str]:
    """Candidate names of the business complained about: quoted names and words ending like a shop's name."""
    found: list[str] = []
    for match in BUSINESS_RE.finditer(text):
        candidate = (match.group("quoted") or match.group("name") or "").strip()
        if not match.group("quoted"):
            cut = max(candidate.rfind(char) for char in _BREAKS)
            candidate = candidate[cut + 1:] if cut >= 0 else candidate
        candidate = _NOT_BUSINESS_START.sub("", candidate)
        if len(candidate) < 3 or candidate in _GENERIC or candidate in found:
            continue
        if match.group("quoted") and not any(candidate.endswith(s) for s in BUSINESS_SUFFIXES):
            continue
        found.append(candidate)
        if len(found) >= MAX_ITEMS:
            break
    return found


def extract(text: str, spans: list[masking.Span] | None = None) -> Extracted:
    text = text or ""
    return Extracted(amounts=amounts(text), dates=dates(text), order_numbers=order_numbers(text),
                     phones=phones(text, spans), business_names=business_names(text))


def match_registry(candidates: list[str], *, user=None, limit: int = 3) -> list[dict]:
    """Registry entities whose name matches the candidates (the merchants search index), best first.

    With `user`, only entities the user may see (`entity_list`); without, the public search (public fields only).
    Returns [{"candidate", "uscc", "name", "region", "sector"}]; [] when there is no database to ask.
    """
    from django.db import DatabaseError

    from fangxin.merchants import selectors

    matches: list[dict] = []
    seen: set[str] = set()
    for candidate in candidates[:MAX_ITEMS]:
        if len(candidate.strip()) < 2:
            continue
        try:
            if user is not None:
                entities = selectors.entity_list(user=user, query=candidate)
            else:
                entities = selectors.entity_public_search(query=candidate)
            rows = list(entities[:limit])
        except DatabaseError:
            return matches
        for entity in rows:
            if entity.uscc in seen:
                continue
            seen.add(entity.uscc)
            matches.append({"candidate": candidate, "uscc": entity.uscc, "name": entity.name,
                            "region": entity.region.name, "sector": entity.sector.code})
    return matches
