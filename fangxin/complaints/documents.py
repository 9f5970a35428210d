"""Official documents issued at each step (complaint-rules.md lists the models).

`issue()` numbers a document and stores its text as issued (title, addressee, paragraphs), inside the calling
service's transaction. The printable page and the PDF render that stored text, so a reprint years later reads
exactly as the original.
"""

from datetime import date

from .choices import ALTERNATIVE_ROUTES, DocumentKind
from .models import ComplaintDocument, DocumentCounter

ABBREVIATION = {
    DocumentKind.REGISTRATION: "诉登", DocumentKind.REPORT_REGISTRATION: "举登", DocumentKind.TRANSFER: "诉分",
    DocumentKind.IDENTITY_REQUEST: "诉补", DocumentKind.ACCEPTANCE: "诉受", DocumentKind.REFUSAL: "诉不受",
    DocumentKind.MEDIATION_NOTICE: "诉调通", DocumentKind.END_MEDIATION: "诉终", DocumentKind.AGREEMENT: "诉调",
    DocumentKind.REPORT_OUTCOME: "举告",
}


def issuer_of(region) -> str:
    return f"{region.name}市场监督管理局"


def _next_number(region, kind: str, year: int) -> str:
    counter, _ = DocumentCounter.objects.select_for_update().get_or_create(region=region, kind=kind, year=year)
    counter.last += 1
    counter.save(update_fields=["last"])
    return f"{region.name}市监{ABBREVIATION[kind]}〔{year}〕{counter.last}号"


def issue(complaint, kind: str, *, on: date, paragraphs: list[str], to: str = "", extra: dict | None = None
          ) -> ComplaintDocument:
    content = {"title": DocumentKind(kind).label, "to": to or complaint.complainant_name, "paragraphs": paragraphs,
               "tracking_no": complaint.tracking_no, **(extra or {})}
    return ComplaintDocument.objects.create(
        complaint=complaint, kind=kind, number=_next_number(complaint.region, kind, on.year), issued_on=on,
        issuer=issuer_of(complaint.region), content=content)


def _cn(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def registration_text(complaint) -> list[str]:
    rows = [
        f"投诉编号：{complaint.tracking_no}",
        f"收到日期：{_cn(complaint.received_on)}；来源：{complaint.get_channel_display()}"
        + (f"（{complaint.station.name}）" if complaint.station_id else ""),
        f"投诉人：{complaint.complainant_name}；联系电话：{complaint.complainant_phone}",
        f"被投诉人：{complaint.business_name}" + (f"（{complaint.business_address}）" if complaint.business_address else ""),
        f"商品或服务：{complaint.item}" + (f"；消费日期：{_cn(complaint.purchased_on)}" if complaint.purchased_on else "")
        + (f"；金额：{complaint.amount} 元" if complaint.amount is not None else ""),
        f"投诉内容：{complaint.description}",
        f"投诉请求：{complaint.demand}",
        f"同意调解：{'是' if complaint.consent_mediation else '否'}；同意公示（隐去个人信息）：{'是' if complaint.consent_publication else '否'}",
    ]
    return rows


def acceptance_text(complaint, mediation_by: date) -> list[str]:
    return [
        f"你于{_cn(complaint.received_on)}对{complaint.business_name}的投诉（编号 {complaint.tracking_no}），"
        f"经审查，符合受理条件，本局决定予以受理。",
        f"本局将依法组织调解，调解期限至{_cn(mediation_by)}（检定、检验、检测、鉴定时间不计算在内）。",
    ]


def refusal_text(complaint, reason) -> list[str]:
    routes = "；".join(f"（{i}）{route}" for i, route in enumerate(ALTERNATIVE_ROUTES, start=1))
    return [
        f"你于{_cn(complaint.received_on)}对{complaint.business_name}的投诉（编号 {complaint.tracking_no}），"
        f"经审查，属于{complaint.rule_set.name}{reason.article}第（{reason.number}）项规定的情形：{reason.text}。"
        "本局决定不予受理。",
        f"依照《中华人民共和国消费者权益保护法》第三十九条，你还可以通过以下途径解决争议：{routes}。",
    ]


def mediation_notice_text(complaint, *, held_on: date, place: str, mediator: str) -> list[str]:
    return [
        f"关于你与{complaint.business_name}之间的消费者权益争议（编号 {complaint.tracking_no}），"
        f"本局定于{_cn(held_on)}在{place}组织调解，调解人员：{mediator}。",
        "当事人认为调解人员与本争议有利害关系、可能影响公正调解的，有权申请其回避。",
        "调解遵循自愿原则，无正当理由不参加调解的，本局可以终止调解。",
    ]


def end_mediation_text(complaint, reason) -> list[str]:
    return [
        f"关于你与{complaint.business_name}之间的消费者权益争议（编号 {complaint.tracking_no}），"
        f"因{reason.text}（{complaint.rule_set.name}{reason.article}第（{reason.number}）项），本局决定终止调解。",
        "终止调解后，双方可以依法申请仲裁或者向人民法院提起诉讼，也可以申请人民调解委员会调解。",
    ]


def agreement_text(complaint) -> list[str]:
    paragraphs = [
        f"投诉人：{complaint.complainant_name}；被投诉人：{complaint.business_name}；投诉编号：{complaint.tracking_no}。",
        f"经本局主持调解，双方自愿达成如下协议：{complaint.outcome_summary}",
        f"挽回经济损失 {complaint.recovered_amount} 元。",
    ]
    if complaint.advance_compensation:
        paragraphs.append(f"其中经营者先行赔付 {complaint.advance_compensation} 元。")
    paragraphs.append("本调解书经双方签字后生效，双方应当自觉履行。")
    return paragraphs


def transfer_text(complaint, *, destination: str, reason: str) -> list[str]:
    return [
        f"投诉编号 {complaint.tracking_no}（被投诉人：{complaint.business_name}），因{reason}，"
        f"现分送{destination}依法处理。",
        "请接收单位自收到之日起按规定期限作出是否受理的决定，并告知投诉人。",
    ]


def report_outcome_text(complaint, *, opened: bool, note: str) -> list[str]:
    decision = "决定立案调查" if opened else "决定不予立案"
    return [f"你于{_cn(complaint.received_on)}举报的{complaint.business_name}相关问题（编号 {complaint.tracking_no}），"
            f"经核查，本局{decision}。{note}".strip(),
            "对举报人的信息，本局依法予以保密。"]
