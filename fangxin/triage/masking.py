"""Personal-information masking for Chinese complaint text (docs/triage.md section 4).

`mask(text)` finds mobile and landline numbers, resident ID numbers (GB 11643 check digit), bank card numbers
(Luhn), emails, introduced personal names and detailed addresses, and returns the masked text with the spans
(offsets into the ORIGINAL text). `mask_text(text)` is the one call every public output and export makes.

Pure regular expressions and rules, no model: candidates by shape, then check digits, then the words just before
a number ("订单号", "流水号" keep it; "卡号", "身份证" make it personal). Business and public numbers (12315, 400-…,
95xxx, the landline of a business or office named just before it), amounts, dates, order and model numbers, shop
names and a business's own address are left as they are.

Every pattern is bounded (no nested unbounded repetition), so a 100,000-character text is masked in linear time.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

MOBILE, LANDLINE, ID_CARD, BANK_CARD, EMAIL, NAME, ADDRESS = (
    "mobile", "landline", "id_card", "bank_card", "email", "name", "address")
SPAN_TYPES = (MOBILE, LANDLINE, ID_CARD, BANK_CARD, EMAIL, NAME, ADDRESS)
TYPE_LABELS = {MOBILE: "手机号", LANDLINE: "座机", ID_CARD: "身份证号", BANK_CARD: "银行卡号", EMAIL: "邮箱",
               NAME: "姓名", ADDRESS: "详细地址"}


@dataclass(frozen=True, order=True)
class Span:
    start: int
    end: int
    type: str

    def as_dict(self) -> dict:
        return {"start": self.start, "end": self.end, "type": self.type}


@dataclass(frozen=True)
class MaskResult:
    text: str
    spans: list[Span] = field(default_factory=list)

    def spans_as_dicts(self) -> list[dict]:
        return [span.as_dict() for span in self.spans]


# --- check digits ----------------------------------------------------------------------------------------------

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"


def id_card_valid(number: str) -> bool:
    """GB 11643: 17 digits and a check character (0-9 or X), and a plausible birth date."""
    number = number.upper()
    if len(number) != 18 or not number[:17].isdigit() or not (number[17].isdigit() or number[17] == "X"):
        return False
    year, month, day = int(number[6:10]), int(number[10:12]), int(number[12:14])
    if not (1900 <= year <= 2099 and 1 <= month <= 12 and 1 <= day <= 31):
        return False
    total = sum(int(digit) * weight for digit, weight in zip(number[:17], _ID_WEIGHTS, strict=True))
    return _ID_CHECK[total % 11] == number[17]


def luhn_valid(digits: str) -> bool:
    if not digits.isdigit():
        return False
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char)
        if position % 2:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return total % 10 == 0


# --- vocabulary --------------------------------------------------------------------------------------------------

COMPOUND_SURNAMES = ("欧阳", "上官", "司马", "诸葛", "东方", "皇甫", "尉迟", "公孙", "慕容", "长孙", "宇文", "司徒",
                     "夏侯", "轩辕", "令狐", "西门", "南宫", "独孤", "端木", "澹台", "呼延", "百里", "单于")
SURNAMES = frozenset(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔"
    "钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤常温康施文牛樊葛"
    "邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕单季裴霍涂成苗谷盛曲翁冉骆蓝"
    "路游辛靳管柴蒙鲍华喻祁蒲房滕屈饶解牟艾尤阳时穆农司卓古吉缪简车项连芦麦褚娄窦戚岑景党宫费卜冷晏席卫米柏宗瞿桂"
    "全佟应臧闵苟邬边卞姬师和仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩明佘池查麻苑迟邝官封谈匡鞠惠荆乐冀郁胥南班储原栗燕"
    "楚鄢劳谌奚皮粟冼蔺楼盘满闻位厉伊仝区郜海阚花权强帅屠豆朴盖练廉禹井祖漆巴丰支卿国狄平计索宣晋相初门云容敬来扈"
    "晁芮都普阙浦戈伏鹿薄邸雍辜羊阿乌母裘亓修邰赫杭况那宿鲜印逯隆茹诸战慕危玉银亢嵇公哈湛宾戎勾茅利於呼居揭干但尉"
    "冶斯元束檀衣信展阴昝智幸奉植衡富尧闭由阎傅赛郦沃蓟桓濮牧隗竺佴钭郗暨汝璩拓钮"
    "萧洪赖贝凤习寿弘荀鄂韶蔚邴糜酆贲滑莘逄郏蒯訾殳庾宓昌怀")
# Characters common in given names; outside a strong trigger (我叫, 姓名：…) the first character of a given name must
# be one of these, which keeps 导游强迫我们, 店员张口就要, 司机说 from being taken for names.
GIVEN_NAME_CHARS = frozenset(
    "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超霞平刚桂兰玉华红梅凤珍建国文志海峰辉东林云波斌宇浩鹏飞晓雪燕萍琳莉婷慧佳"
    "欣怡雅琴淑美春亮鑫晨阳俊鸿宏新福贵德胜山成永生金荣兵武利清立民忠庆宁振铁占满仓三娃小大子一鸣墨远帆然琪骁骏彦晶"
    "莹颖倩蕾蓉菲薇岚琦瑶璐露玲翠珠香花莲菊巧月星天龙虎彪豪坤泽宝祥瑞和安康健乐喜奇才贤智博学正义礼信仁孝光辰良川江"
    "河湖泉溪涵润沛瀚宸轩逸凯旭昊晗曦朝霖森彬杉松柏竹梓楠桐杨柳槐茂盛兴旺发达富财源顺昌隆启迪航嘉璇瑾瑜璋琛珊琼瑛瑗"
    "珏玮琨婉媛娇婕妍姝嫣妮娅娥婵姣霏雯雨霜冰凝洁素彤丹彩虹晴暖岩坚毅锋钢铭锦钰银铜镇冬秋夏卫邦众乾维纬纲纪绍继缘绿"
    "紫青蓝黛翔鹤莺鹃鸾麟豹熊鹿驰骐骥腾跃扬展图思念慈恩惠爱心悦欢祝禄寿泰吉如意梦想希望设业向晖煌灿耀祖宗承传树流霞"
    "雷电夕馨芝芸芬芹茜莎萱蔚蕊蕴娴贞聪睿哲雄魁元冠亚仲叔季孟伯佩钗钧铨锐镛乌巴图特尔音格木其苏达赫勒布赛额敦野根柱"
    "锁栓妞丫妹宪律浪沙滨洲渊澜涌淼垚焱犇品少秉长世家益友万千百二十有守汉学军卫红东方晋鲁豫湘蒙疆藏桂"
    "雁鹰凌霄峻崇岭峥嵘巍屹岳昆仑潇湘洪滔淳浩澄漪津淮渝沁洛浦沐霈霓靖婧妙娣姗婀娉婷媚嫦娟瑞琰琬琳玥珂瓒璟瑄"
    "令庆二四五六七八九儒勤俭朗炜烨煜熙灏澈舟恒诚铮奕晟昕昱晔昭曼蔓茗萌荷芊芷苒若菁蓓萍蕙兆廷建培增耕田秀云凤桂英斌彬翰墨砚宁静谦逊恪弈桦楷梁栋柱材杉彤瑶琦雯霄宛婉韵琪语诗书画文武德才艺勇猛军兵宪法政治权威卫国强华"
    "子孑鑫淼焱磊垒达亮耀辉煌光明晓曙旦暮晨曦霞岚风雨雪霜露冰玉珍宝贝珠琳琅璞瑜玖琛璐妤婕娉嫣姿容颜")
# Words after a role word that start with a surname character but are not names.
NOT_NAMES = frozenset((
    "费用", "和我", "和他", "和她", "说是", "明确", "明天", "明明", "高价", "高额", "全部", "全额", "全款", "全家", "全是",
    "方面", "方式", "方说", "向我", "向他", "于是", "于今", "时间", "时候", "时说", "成功", "成本", "信息", "信用",
    "平台", "平时", "关门", "关店", "关系", "安全", "安装", "毛病", "余额", "余款", "单位", "单方", "房间", "房子",
    "房费", "房租", "车辆", "车费", "车票", "车子", "车主", "金额", "金融", "钱包", "钱款", "都是", "都说", "都不",
    "都没", "原价", "原路", "原因", "原来", "原件", "原本", "来电", "来回", "来说", "来的", "那边", "那里", "那个",
    "那天", "那些", "利息", "利用", "华联", "商家", "商场", "商品", "商户", "商城", "商量", "包括", "包裹", "包装",
    "包邮", "强制", "强行", "应该", "应当", "应急", "解决", "解释", "管理", "史上", "计划", "计算", "索要", "支付",
    "海鲜", "乐购", "门卫", "门岗", "保安", "国家", "国内", "云途", "路上", "游戏", "游泳", "章程", "经理", "老师", "师傅", "连续", "连锁",
    "孔明", "康乐", "齐全", "易行", "宁可", "花钱", "花了", "权益", "权利", "相关", "相同", "门店", "门口", "容易",
    "宣传", "展示", "元旦", "信号", "谈好", "沙发", "巴彦", "乌拉", "杭锦", "苏木", "和平", "白天", "白色", "江湖",
    "金色", "金泰", "龙头", "万元", "高峰期", "全程", "满意", "满减", "甘肃", "宾馆", "卫生", "卫生间", "严重",
))
TITLES = ("先生", "女士", "小姐", "大爷", "大妈", "大娘", "阿姨", "师傅", "经理", "老师", "老板", "总", "医生", "教练",
          "主任", "同学", "奶奶", "爷爷", "叔", "姨", "哥", "姐", "某", "工", "警官", "律师", "店长", "主管", "科长",
          "局长", "所长", "家", "氏", "记", "先", "女", "姓")
# After a name, these start the next word; a two-character name is kept short when one follows its first character.
AFTER_NAME = ("在", "于", "的", "是", "说", "和", "与", "及", "向", "给", "被", "把", "让", "叫", "今年", "称", "来电",
              "反映", "投诉", "电话", "手机", "身份证", "证件", "替", "也", "都", "已", "就", "还", "又", "从", "到",
              "去", "要", "不", "没", "收", "等", "先生", "女士", "住", "家", "办", "买", "用", "等人", "夫妇",
              "一家", "本人", "（", "(")
_PUNCT = "，。；：！？、,.;:!?()（）【】[]“”\"'‘’《》<>—…\n\r\t "

# Who a name belongs to when it follows these words (role, relation, form label).
NAME_TRIGGERS = (
    "联系人", "投诉人", "被投诉人", "来电人", "来电者", "申请人", "付款人", "收款人", "收件人", "寄件人", "签收人",
    "持卡人", "开户名", "户名", "投保人", "被保险人", "受益人", "入住人", "借款人", "担保人", "当事人", "委托人",
    "经办人", "代理人", "姓名", "名字", "本人", "消费者", "市民", "用户", "客户", "车主", "学员", "学生", "会员",
    "家长", "租户", "房东", "业主", "业主代表", "老板", "店主", "店长", "教练", "律师", "老师", "医生", "司机",
    "快递员", "业务员", "销售员", "导购", "员工", "工作人员", "儿子", "女儿", "弟弟", "妹妹", "哥哥", "姐姐", "我姐",
    "我哥", "我妈", "我爸", "妈妈", "爸爸", "父亲", "母亲", "公公", "婆婆", "岳父", "岳母", "老伴", "爱人", "丈夫",
    "妻子", "老公", "老婆", "前夫", "前妻", "孩子", "儿媳", "女婿", "孙子", "孙女", "外孙", "外孙女", "姥姥", "姥爷",
    "奶奶", "爷爷", "邻居", "同事", "朋友", "同学", "舅舅", "叔叔", "阿姨", "老人", "老人家", "转告", "找", "请找",
    "抬头写", "抬头为", "签字人", "法人", "法定代表人", "负责人", "经理", "主管", "收货人", "订票人", "乘车人",
    "乘客", "旅客", "患者", "病人", "顾客", "叫", "是", "有", "自称", "全名是", "全名叫", "全名", "真名", "实名",
    "诉求人", "反映人", "举报人", "导游", "私教", "美容师", "理发师", "技师", "店员", "销售", "客户经理", "职工",
    "幼儿", "小孩", "宝宝", "领队", "队员", "团员", "游客", "租客", "房客", "住户", "住户代表", "户主", "代表",
    "受托人", "监护人", "被监护人", "亲戚", "室友", "同伴", "队友", "女友", "男友", "外甥", "外甥女", "侄子", "侄女",
    "护工", "保姆", "陪护", "病友", "同住人", "共有人", "继承人", "受害人", "证人", "见证人", "介绍人", "推荐人",
    "牧民", "农民", "村民", "居民", "甲方", "乙方", "丙方", "签收", "签名", "署名", "落款", "收件", "联系",
)
# After these the name needs no surname from the list (Mongolian names, rare surnames): 我叫…, 他叫…, 姓名：…
STRONG_TRIGGERS = ("我叫", "他叫", "她叫", "名叫", "名字叫", "名字是", "姓名", "我的名字", "联系人", "户名",
                   "开户名", "持卡人", "来电人", "投诉人", "申请人", "收件人", "寄件人", "收货人", "入住人")
LATIN_TRIGGERS = ("Contact", "Name", "Contact person", "联系人", "姓名", "本人", "我叫", "name is", "I am", "I'm")

REGION_NAMES = ("临河区", "五原县", "磴口县", "乌拉特前旗", "乌拉特中旗", "乌拉特后旗", "杭锦后旗", "巴彦淖尔市",
                "呼和浩特市", "包头市", "鄂尔多斯市", "乌海市")

# --- number patterns -------------------------------------------------------------------------------------------

_NOT_BEFORE = r"(?<![0-9A-Za-z_@.\-+])"
_NOT_AFTER = r"(?![0-9A-Za-z_@])"
EMAIL_RE = re.compile(r"(?<![A-Za-z0-9._%+\-])[A-Za-z0-9][A-Za-z0-9._%+\-]{0,63}@[A-Za-z0-9\-]{1,63}(?:\.[A-Za-z0-9\-]{1,63}){1,4}"
                      r"(?<![.\-])")
LONG_NUMBER_RE = re.compile(_NOT_BEFORE + r"(?:\d{4}(?: \d{4}){3,4}(?: \d{1,3})?|\d{4}(?: \d{4}){2} \d{4,7}|"
                            r"\d{6} \d{8} \d{3}[\dXx]|\d{15,19}|\d{17}[Xx])" + _NOT_AFTER)
MOBILE_RE = re.compile(r"(?<![0-9A-Za-z_@.\-+])(?:\+86[ \-]?|0086[ \-]?)?1[3-9]\d(?:(?: ?- ?| )?\d{4}){2}"
                       r"(?![0-9A-Za-z_@])")
# Area code in parentheses or followed by a dash (-, －, —, –, possibly spaced) or a space, or written straight on;
# the number has 7 or 8 digits, possibly split 3+4 or 4+4 by a dash or a space; an extension (转801, -801, ext. 801)
# is not part of the span.
_LL_SEP = r"(?: ?[\-－—–] ?| )"
_LL_NUMBER7 = r"(?:\d{7}|\d{3}[ \-]\d{4})"
_LL_NUMBER8 = r"(?:\d{8}|\d{4}[ \-]\d{4})"
LANDLINE_RE = re.compile(
    r"(?<![0-9A-Za-z_@.\-+])(?:"
    r"(?P<p1>[（(]0\d{2,3}[）)]" + _LL_SEP + r"?)(?P<n1>" + _LL_NUMBER8 + "|" + _LL_NUMBER7 + r")"
    r"|(?P<p2>0[12]\d" + _LL_SEP + r")(?P<n2>" + _LL_NUMBER8 + r")"
    r"|(?P<p3>0[3-9]\d{2}" + _LL_SEP + r")(?P<n3>" + _LL_NUMBER8 + "|" + _LL_NUMBER7 + r")"
    r"|(?P<p4>0[12]\d)(?P<n4>\d{8})"
    r"|(?P<p5>0[3-9]\d{2})(?P<n5>\d{7,8})"
    r")(?![0-9A-Za-z_@])")
LATIN_NAME_RE = re.compile(r"[A-Z][a-z]{1,15}(?: [A-Z][a-z]{1,15}){1,2}")

# Labels just before a long number decide what it is: an order/serial number (keep), a card or an ID.
KEEP_LABELS = ("会员卡号", "会员号", "会员编号", "卡号是VIP", "订单号", "订单编号", "订单", "单号", "流水号", "流水",
               "交易参考号", "参考号", "交易号", "交易单号", "商户号", "保单号", "保单", "运单号", "运单", "快递单号",
               "编号", "合同号", "学籍号", "发票号", "工单号", "病历号", "终端号", "账单号", "退款编号", "批次号",
               "序列号", "串号", "IMEI", "条码", "Order ID", "Order", "order", "No.", "票号", "车次", "航班")
CARD_LABELS = ("银行卡号", "银行卡", "卡号", "借记卡", "信用卡", "储蓄卡", "社保卡", "医保卡", "养老金卡", "工资卡",
               "账号", "账户", "收款账户", "卡上", "卡是", "的卡", "张卡", "到卡", "刷卡", "卡")
ID_LABELS = ("身份证号码", "身份证号", "身份证", "证件号码", "证件号", "公民身份号码", "身份号码", "实名")
_LABEL_RE = re.compile("|".join(re.escape(label) for label in sorted(
    {*KEEP_LABELS, *CARD_LABELS, *ID_LABELS}, key=len, reverse=True)))
_KEEP_SET, _CARD_SET, _ID_SET = frozenset(KEEP_LABELS), frozenset(CARD_LABELS), frozenset(ID_LABELS)

# A landline is a business's or an office's (kept) when one of these is named before it in the same clause.
BUSINESS_WORDS = re.compile(r"营业厅|村委会|居委会|局|网点|修理厂|中介|公司|商家|门店|店铺|商店|专卖店|旗舰店|饭店|酒店|药店|前台|客服|酒店|宾馆|银行|物业|"
                            r"驿站|门市|厂家|机构|学校|医院|派出所|政府|办公室|运营商|官方|热线|商户|超市|景区|旅行社|"
                            r"驾校|健身房|会所|中心")
_PERSONAL_AFTER = re.compile(r"[，,（( ]?(?:这是|是)?(?:我家|我的|家里|家中|住宅|宅|私人|我自己)"
                             r"(?:的?(?:座机|电话|号码|固话)|[）)])")
PERSONAL_WORDS = re.compile(r"我|本人|家里|家的|私人|宅|我的|他的|她的|爱人|父|母|儿|女|病房|病床|床位|宿舍|寝室|住处|"
                            r"自家|家属|亲属|老人|孩子|宝宝|住的|住院|住在|租的")
EMAIL_KEEP_LOCAL = re.compile(r"^(?:kefu|service|support|help|admin|info|noreply|no-reply|cs|hr|office|contact|"
                              r"xiaofei|tousu|complaint|feedback|webmaster|postmaster)(?:[._\-]|$)", re.IGNORECASE)
EMAIL_KEEP_CONTEXT = re.compile(r"(?:客服|官方|商家|平台|公司|机关|政府|投诉|受理)(?:的)?(?:邮箱|email|E-mail)", re.IGNORECASE)

_CLAUSE_STOP = "。；！？\n"


def _clause_before(text: str, start: int, width: int) -> str:
    """Up to `width` characters before `start`, cut at the last sentence boundary."""
    window = text[max(0, start - width):start]
    cut = max(window.rfind(stop) for stop in _CLAUSE_STOP)
    return window[cut + 1:] if cut >= 0 else window


def _last_label(window: str) -> str | None:
    last = None
    for match in _LABEL_RE.finditer(window):
        last = match.group(0)
    return last


# --- the masker ------------------------------------------------------------------------------------------------

class _Spans:
    """Accepted spans; a new one is refused when it overlaps an accepted one."""

    def __init__(self):
        self.items: list[Span] = []

    def free(self, start: int, end: int) -> bool:
        return all(end <= span.start or start >= span.end for span in self.items)

    def add(self, start: int, end: int, kind: str) -> bool:
        if start < end and self.free(start, end):
            self.items.append(Span(start, end, kind))
            return True
        return False


def find_spans(text: str) -> list[Span]:
    """The personal-information spans of `text`, sorted, never overlapping."""
    if not text:
        return []
    spans = _Spans()
    _find_emails(text, spans)
    _find_long_numbers(text, spans)
    _find_mobiles(text, spans)
    _find_landlines(text, spans)
    _find_addresses(text, spans)
    _find_names(text, spans)
    return sorted(spans.items)


def _find_emails(text: str, spans: _Spans) -> None:
    if "@" not in text:
        return
    for match in EMAIL_RE.finditer(text):
        address = match.group(0)
        local, _, domain = address.partition("@")
        domain = domain.lower()
        if domain.endswith(".gov.cn") or domain.endswith(".gov") or EMAIL_KEEP_LOCAL.match(local):
            continue
        before = _clause_before(text, match.start(), 10)
        cut = max(before.rfind(mark) for mark in "，,、）)")
        before = before[cut + 1:] if cut >= 0 else before
        if EMAIL_KEEP_CONTEXT.search(before) and not re.search(r"我|个人|本人", before):
            continue
        spans.add(match.start(), match.end(), EMAIL)


def _find_long_numbers(text: str, spans: _Spans) -> None:
    for match in LONG_NUMBER_RE.finditer(text):
        raw = match.group(0)
        digits = raw.replace(" ", "")
        label = _last_label(_clause_before(text, match.start(), 14))
        if label in _KEEP_SET:
            continue
        is_id = len(digits) == 18 and id_card_valid(digits)
        is_card = 16 <= len(digits) <= 19 and luhn_valid(digits)
        if is_id and is_card:
            kind = BANK_CARD if label in _CARD_SET else ID_CARD
        elif is_id:
            kind = ID_CARD
        elif is_card:
            kind = BANK_CARD
        else:
            continue
        spans.add(match.start(), match.end(), kind)


def _find_mobiles(text: str, spans: _Spans) -> None:
    for match in MOBILE_RE.finditer(text):
        spans.add(match.start(), match.end(), MOBILE)


def _landline_is_public(text: str, start: int, end: int) -> bool:
    if _PERSONAL_AFTER.match(text, end):
        return False
    clause = _clause_before(text, start, 30)
    cut = max(clause.rfind(mark) for mark in "，,、")
    clause = clause[cut + 1:] if cut >= 0 else clause
    if not BUSINESS_WORDS.search(clause):
        return False
    return not PERSONAL_WORDS.search(clause)


def _find_landlines(text: str, spans: _Spans) -> None:
    for match in LANDLINE_RE.finditer(text):
        if _landline_is_public(text, match.start(), match.end()):
            continue
        spans.add(match.start(), match.end(), LANDLINE)


# Addresses: a region name, then a place (road, community, village), then what makes it a home: building, unit,
# room, house number in a village, or a community/village group named without a number.
_HAN = "\u4e00-\u9fff"
_NUM = r"(?:[0-9A-Za-z]{1,6}|[一二三四五六七八九十百零〇两]{1,4}|[东西南北中])"
_REGION = (r"(?:(?:内蒙古(?:自治区)?|[" + _HAN + r"]{2,3}省)?(?:巴彦淖尔市|呼和浩特市|包头市)?(?:" + "|".join(REGION_NAMES) + r")|[" + _HAN + r"]{2,5}(?:省|自治区)[" + _HAN + r"]{2,6}市"
           r"|[" + _HAN + r"]{2,5}市[" + _HAN + r"]{1,5}(?:区|县|旗))")
REGION_RE = re.compile(_REGION)
_UNIT = r"(?:号楼|号院|栋|幢|座|单元|寝室|宿舍|室|户|层|楼|号|组|社|区|房|间)"
TAIL_RE = re.compile(r"(?:" + _NUM + _UNIT + r")+(?:\d{1,5}(?![0-9A-Za-z]))?|\d{1,4}(?:-\d{1,4}){1,3}(?![0-9])")
HOME_END_RE = re.compile(r"小区|家园|花园|社区|嘎查" + _NUM + r"?[组社]?|村" + _NUM + r"[组社]")
_ADDRESS_CHARS = re.compile(r"[" + _HAN + r"0-9A-Za-z\-—]{1,60}")
_ROOM_RE = re.compile(r"号楼|栋|幢|单元|室|\d-\d|村.{0,4}[组社]|嘎查.{0,4}[组社]|社区.{0,8}号|巷\d|号院|小区|家园|花园")
_BUSINESS_ADDRESS_BEFORE = re.compile(r"(?:投诉对象|被投诉方|商家|商铺|店铺|门店|店址|经营场所)(?:的)?(?:地址|位于|在)?[：:]?$")
_NOT_ADDRESS = re.compile(r"某|我们|我家|一个|这个|那个|的|超市|商场|市场监管|局|店|银行|支行|分行|营业厅|公司|医院|酒店|宾馆|健身|会所|KTV|网咖|"
                          r"影城|驾校|市场|广场")


def _find_addresses(text: str, spans: _Spans) -> None:
    if not any(word in text for word in ("区", "县", "旗", "市")):
        return
    for match in REGION_RE.finditer(text):
        start = match.start()
        run = _ADDRESS_CHARS.match(text, match.end())
        if not run:
            continue
        rest = run.group(0)
        end = 0
        for tail in TAIL_RE.finditer(rest):
            end = tail.end()
        for home in HOME_END_RE.finditer(rest):
            end = max(end, home.end())
        if not end:
            continue
        rest = rest[:end]
        if not _ROOM_RE.search(rest) or _NOT_ADDRESS.search(rest):
            continue
        if _BUSINESS_ADDRESS_BEFORE.search(text[max(0, start - 8):start]):
            continue
        spans.add(start, match.end() + end, ADDRESS)


def _given_name(text: str, pos: int, strong: bool) -> int:
    """End of a given name starting at `pos` (1–2 Han characters; up to 4 after a strong trigger)."""
    limit = 5 if strong else 2
    end = pos
    while end < len(text) and end - pos < limit and "\u4e00" <= text[end] <= "\u9fff":
        if (not strong or end - pos >= 2) and text.startswith(AFTER_NAME, end):
            break
        end += 1
    return end


def _name_at(text: str, pos: int, *, strong: bool) -> tuple[int, int] | None:
    """A personal name starting at `pos`, or None."""
    found = _surname_name_at(text, pos, strong)
    if strong:
        plain = _plain_name_at(text, pos)  # a longer name that ends the phrase (乌云其其格) wins over 乌云其
        if plain is not None and (found is None or plain[1] > found[1]):
            return plain
    return found


def _plain_name_at(text: str, pos: int) -> tuple[int, int] | None:
    """After 我叫, 姓名： …: 2–4 Han characters ending the phrase, surname or not (巴特尔, 其木格)."""
    if pos >= len(text) or not ("\u4e00" <= text[pos] <= "\u9fff"):
        return None
    end = _given_name(text, pos, strong=True)
    if end - pos < 2 or not _name_ends_clause(text, end) or text[pos:end] in NOT_NAMES:
        return None
    if _NOT_NAME_CHARS.search(text[pos:end]) or any(char not in _NAME_CHARS for char in text[pos:end]):
        return None
    return pos, end


_NAME_CHARS = GIVEN_NAME_CHARS | SURNAMES
_NOT_NAME_CHARS = re.compile(r"[机话址箱位号码证卡的在了我你他她们这那个些是有没不人者店司局厅区县市旗镇村街路]")


def _surname_name_at(text: str, pos: int, strong: bool = False) -> tuple[int, int] | None:
    rest = text[pos:pos + 6]
    if not rest:
        return None
    surname_len = 2 if rest.startswith(COMPOUND_SURNAMES) else (1 if rest[0] in SURNAMES else 0)
    if surname_len == 0:
        return None
    given = pos + surname_len
    if text.startswith(TITLES, given):
        return None
    end = _given_name(text, given, strong=False)
    if end == given:
        return None
    candidate = text[pos:end]
    if candidate in NOT_NAMES or text[pos:pos + 2] in NOT_NAMES:
        return None
    if text[given] not in GIVEN_NAME_CHARS:
        return None
    return pos, end


_TRIGGER_RE = re.compile(
    r"(?P<trigger>" + "|".join(re.escape(t) for t in sorted({*NAME_TRIGGERS, *STRONG_TRIGGERS}, key=len, reverse=True))
    + r")(?P<filler>(?:写的是|是我|叫|是|为|：|:|（消费者）|（经营者）|[)）]| |　|\s){0,3})")
_LIST_SEP = "、和及与"


def _find_names(text: str, spans: _Spans) -> None:
    for match in _TRIGGER_RE.finditer(text):
        trigger = match.group("trigger")
        pos = match.end()
        strong = trigger in STRONG_TRIGGERS or "叫" in match.group("filler") or trigger.endswith("叫")
        if text.startswith("称", pos) or text[max(0, match.start() - 1):match.start()] in ("商", "账"):
            continue
        if trigger in ("是", "有", "叫") and not _weak_trigger_ok(text, match.start(), trigger):
            continue
        if trigger == "是" and text[max(0, match.start() - 1):match.start()] == "我":
            run = re.match(r"[" + _HAN + r"]{2,4}(?=[，,。；;、 ]|$)", text[pos:pos + 5])
            if run and not re.search(r"[的在替他她我人者县区市旗镇村店馆业生民户主员]", run.group(0)) \
                    and all(char in _NAME_CHARS for char in run.group(0)):
                spans.add(pos, pos + run.end(), NAME)
                continue
        if trigger in ("找", "请找", "转告"):
            found = _name_at(text, pos, strong=False)
            if found and (found[1] >= len(text) or text[found[1]] in _PUNCT):
                spans.add(*found, NAME)
            continue
        found = _name_at(text, pos, strong=strong)
        if not found:
            found = _latin_name(text, pos)
            if found:
                spans.add(*found, NAME)
            continue
        if trigger in ("是", "有") and not _name_ends_clause(text, found[1]):
            continue
        if not _plausible_end(text, found[1], strong):
            continue
        if spans.add(*found, NAME):
            _name_list(text, found[1], spans)
    for match in re.finditer(r"我姓([" + _HAN + r"])[，,、 ]{0,2}(?=\1)", text):
        found = _name_at(text, match.end(), strong=False)
        if found:
            spans.add(*found, NAME)
    _names_by_shape(text, spans)
    for match in re.finditer(r"(?:Contact|Name|Contact person)\s*[:：]?\s*", text):
        found = _latin_name(text, match.end())
        if found:
            spans.add(*found, NAME)


def _weak_trigger_ok(text: str, start: int, trigger: str) -> bool:
    before = text[max(0, start - 3):start]
    if trigger == "是":
        return before.endswith(("我", "我就", "他", "她", "名字", "的人", "来电人", "人"))
    if trigger == "有":
        return before.endswith(("老人", "人员", "的人"))
    return before.endswith(("我", "他", "她", "老人", "对方", "孩子", "名字")) or before[-1:] in "师长员生理板主友子儿女母父妈爸姐哥弟妹人"


def _name_ends_clause(text: str, end: int) -> bool:
    return end >= len(text) or text[end] in _PUNCT or text.startswith(AFTER_NAME, end) or text[end].isdigit()


def _plausible_end(text: str, end: int, strong: bool) -> bool:
    """What follows a name: punctuation, a digit, the end, or a word that starts a new phrase."""
    if end >= len(text):
        return True
    char = text[end]
    if char in _PUNCT or char.isdigit() or char.isascii():
        return True
    return text.startswith(AFTER_NAME, end) or strong or "\u4e00" <= char <= "\u9fff"


def _name_list(text: str, end: int, spans: _Spans) -> None:
    """李凤英、赵秀兰、王淑芳: names listed after the first."""
    while end < len(text) and text[end] in _LIST_SEP:
        found = _name_at(text, end + 1, strong=False)
        if not found or not spans.add(*found, NAME):
            return
        end = found[1]


def _latin_name(text: str, pos: int) -> tuple[int, int] | None:
    match = LATIN_NAME_RE.match(text, pos)
    return (match.start(), match.end()) if match else None


_SHAPE_RES = (
    # 王宁，13304555709 / 601室刘建设18159507868 / 张海(0478)… : a name right before a phone number
    re.compile(r"(?:^|(?<=[\s，,。；;：:、室]))(?P<name>[" + _HAN + r"]{2,4})"
               r"(?=[，, ]?(?:(?:\+86[ \-]?)?1[3-9]\d[ \-]?\d{4}|[（(]?0\d{2,3}[）)\- ]?\d{7}))"),
    # （王涛） （本人仇晓军） after an email or a phone number
    re.compile(r"(?<=[0-9a-zA-Z])[（(](?:本人|户名|收件人)?(?P<name>[" + _HAN + r"]{2,4})[）)]"),
    # 陈桂兰的女儿 / 刘晓东的爱人
    re.compile(r"(?<=我是)(?P<name>[" + _HAN + r"]{2,4})(?=的(?:女儿|儿子|爱人|丈夫|妻子|家属|父亲|母亲|孙子|孙女|老伴))"),
    # a name standing alone between punctuation, spaces, digits or the ends of the text: "…8520 尹春梅", "，王宁，"
    re.compile(r"(?:^|(?<=[\s，,。；;：:、（(）)]))(?P<name>[" + _HAN + r"]{2,3})(?=$|[\s，,。；;、（(）)]|身份证|电话|手机|证件)"),
    # 龚小亮收 138…
    re.compile(r"(?:^|(?<=[\s，,快递件]))(?P<name>[" + _HAN + r"]{2,3})(?=收[\s，,0-9])"),
    # 室的司马红，  (a resident named after the address)
    re.compile(r"(?<=[室号]的)(?P<name>[" + _HAN + r"]{2,4})(?=[，,。])"),
    # 找马建英 at the end of a sentence
    re.compile(r"(?<=找)(?P<name>[" + _HAN + r"]{2,3})$"),
)


def _names_by_shape(text: str, spans: _Spans) -> None:
    for pattern in _SHAPE_RES:
        for match in pattern.finditer(text):
            start = match.start("name")
            found = _name_at(text, start, strong=False)
            if found and found[1] == match.end("name"):
                spans.add(*found, NAME)


# --- rendering -------------------------------------------------------------------------------------------------

def _star_digits(value: str, keep_last: int = 0) -> str:
    digits = [index for index, char in enumerate(value) if char.isdigit() or char in "Xx"]
    hidden = set(digits[:len(digits) - keep_last] if keep_last else digits)
    return "".join("*" if index in hidden else char for index, char in enumerate(value))


def render(value: str, kind: str) -> str:
    """The partial mask of one span (docs/triage.md 4.1)."""
    if kind == MOBILE:
        prefix = ""
        match = re.match(r"(\+86|0086)[ \-]?", value)
        if match:
            prefix, value = value[:match.end()], value[match.end():]
        positions = [index for index, char in enumerate(value) if char.isdigit()]
        hidden = set(positions[3:7])
        return prefix + "".join("*" if index in hidden else char for index, char in enumerate(value))
    if kind == LANDLINE:
        match = LANDLINE_RE.fullmatch(value)
        if match:
            for group in range(1, 6):
                if match.group(f"n{group}"):
                    return match.group(f"p{group}") + _star_digits(match.group(f"n{group}"))
        return _star_digits(value)
    if kind == ID_CARD:
        compact = value.replace(" ", "")
        return compact[:6] + "*" * 8 + compact[14:]
    if kind == BANK_CARD:
        return _star_digits(value, keep_last=4)
    if kind == EMAIL:
        local, _, domain = value.partition("@")
        return local[:1] + "***@" + domain
    if kind == NAME:
        if value.isascii():
            return " ".join(word[:1] + "*" * (len(word) - 1) for word in value.split(" "))
        keep = 2 if value.startswith(COMPOUND_SURNAMES) else 1
        return value[:keep] + "*" * (len(value) - keep)
    if kind == ADDRESS:
        return _render_address(value)
    return "*" * len(value)


_ADDRESS_NUMBER = re.compile(r"[0-9A-Za-z]|[一二三四五六七八九十百零〇两](?=[一二三四五六七八九十百零〇两]*(?:号|栋|幢|座|单元|室|户|层|楼|组|社))")


def _render_address(value: str) -> str:
    region = re.match(_REGION, value)
    head_end = region.end() if region else 0
    # Keep the road, community and village names; the numbers after them go.
    return value[:head_end] + _ADDRESS_NUMBER.sub("*", value[head_end:])


def mask(text: str | None) -> MaskResult:
    """Mask personal information; spans are offsets into the original `text`."""
    if not text:
        return MaskResult("", [])
    spans = find_spans(text)
    if not spans:
        return MaskResult(text, [])
    pieces, cursor = [], 0
    for span in spans:
        pieces.append(text[cursor:span.start])
        pieces.append(render(text[span.start:span.end], span.type))
        cursor = span.end
    pieces.append(text[cursor:])
    return MaskResult("".join(pieces), spans)


def mask_text(text: str | None) -> str:
    """The masked text alone: call this on every text shown to the public or exported."""
    return mask(text).text if text else (text or "")
