from django.core.paginator import Paginator
from django.shortcuts import render

from fangxin.accounts.permissions import can_use_workbench, can_view_audit, can_view_registry, is_staff_role
from fangxin.accounts.scope import scope_of
from fangxin.core import audit
from fangxin.core.audit_selectors import audit_list
from fangxin.core.workdays import WorkCalendar
from fangxin.merchants import selectors as entity_selectors

from .decorators import page_for
from .forms import AuditFilterForm, DeadlineForm, EntityFilterForm
from .navigation import groups_for

PAGE_SIZE = 25


def page_of(request, rows):
    return Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))


@page_for(can_use_workbench)
def home(request):
    return render(request, "workbench/home.html", {
        "card_groups": [(group, [item for item in items if item.url_name != "workbench:home"])
                        for group, items in groups_for(request.user)],
        "scope": scope_of(request.user),
    })


@page_for(can_view_registry)
def entity_list(request):
    form = EntityFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    entities = entity_selectors.entity_list(user=request.user, query=filters.get("q", ""),
                                            region_code=filters.get("region", ""),
                                            sector_code=filters.get("sector", ""))
    return render(request, "workbench/entity_list.html", {"form": form, "page": page_of(request, entities),
                                                          "is_staff": is_staff_role(request.user)})


@page_for(can_view_registry)
def entity_detail(request, uscc: str):
    entity = entity_selectors.entity_get(user=request.user, uscc=uscc)  # NotFound is a 404
    from fangxin.campaign.selectors import current_enrollment

    return render(request, "workbench/entity_detail.html", {
        "entity": entity, "enrollment": current_enrollment(entity), "is_staff": is_staff_role(request.user)})


@page_for(can_view_audit)
def audit_log(request):
    form = AuditFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    records = audit_list(user=request.user, **{k: v for k, v in filters.items() if v})
    verification = audit.verify() if request.GET.get("verify") == "1" else None
    page = page_of(request, records)
    for record in page:
        # Not `changes.items` in the template: a changed field named "items" (a plan's) would be looked up instead.
        record.change_rows = list(record.changes.items()) if isinstance(record.changes, dict) else []
    return render(request, "workbench/audit_log.html",
                  {"form": form, "page": page, "verification": verification})


@page_for(lambda user: is_staff_role(user) or can_view_audit(user))
def deadline(request):
    form = DeadlineForm(request.GET or None)
    result = None
    if form.is_valid():
        calendar = WorkCalendar.load()
        start, days = form.cleaned_data["start"], form.cleaned_data["days"]
        if form.cleaned_data["kind"] == "work":
            result = calendar.add_workdays(start, days)
        else:
            result = calendar.add_calendar_days(start, days)
    return render(request, "workbench/deadline.html", {"form": form, "result": result})
