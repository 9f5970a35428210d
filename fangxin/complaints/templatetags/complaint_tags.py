"""Template filters for personal information: everything shown to someone not handling the complaint is masked."""

from django import template

from fangxin.complaints import triage_bridge

register = template.Library()


@register.filter
def mask_phone(value: str) -> str:
    """13800001234 → 138****1234; a landline keeps its area code and last 4 digits."""
    value = value or ""
    if len(value) <= 4:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 7 if len(value) > 7 else len(value) - 4) + value[-4:]


@register.filter
def mask_name(value: str) -> str:
    """王小明 → 王**."""
    value = (value or "").strip()
    return value[:1] + "*" * max(1, len(value) - 1) if value else ""


@register.filter
def mask_pi(value: str) -> str:
    """Free text with personal information (phones, IDs, cards, emails, names, addresses) masked."""
    return triage_bridge.mask_text(value or "")


@register.filter
def percent(value) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"
