from django.conf import settings

from .navigation import groups_for, items_for


def navigation(request):
    user = getattr(request, "user", None)
    return {
        "nav_items": items_for(user) if user is not None else [],
        "nav_groups": groups_for(user) if user is not None else [],
        "platform_name": settings.FANGXIN_SITE_NAME,  # not site_name: auth views set that one
    }
