"""`{% titles_block entity %}`: the 示范单位称号 block on the public profile and the badge verification page."""

from django import template

from fangxin.campaign.titles import selectors
from fangxin.campaign.titles.choices import TitleStatus

register = template.Library()


@register.inclusion_tag("campaign/titles/public/_titles_block.html")
def titles_block(entity, heading: str = "h2"):
    """Every title the business was awarded, newest first: valid ones with level, year and certificate number,
    expired and revoked ones said plainly."""
    titles = selectors.title_status_of(entity.uscc) if entity is not None else []
    for title in titles:
        title["status_label"] = TitleStatus(title["status"]).label
    return {"titles": titles, "heading": "h3" if heading == "h3" else "h2",
            "has_valid": any(t["status"] == TitleStatus.VALID for t in titles)}
