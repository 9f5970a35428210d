"""Registry pages for staff: create and edit a market entity (list and detail are in the workbench)."""

from django.contrib import messages
from django.shortcuts import redirect, render

from fangxin.accounts.permissions import is_staff_role
from fangxin.core.actors import Actor
from fangxin.core.exceptions import FangxinError, NotFound
from fangxin.workbench.decorators import page_for

from . import selectors, services
from .forms import EntityForm


def _apply_error(form, exc: FangxinError):
    field = exc.details.get("field")
    form.add_error(field if field in form.fields else None, exc.message)


@page_for(is_staff_role)
def entity_create(request):
    form = EntityForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            if data["region"] not in form.fields["region"].queryset:
                raise NotFound("所选旗县区不在您的管辖范围内。")
            entity = services.entity_create(actor=Actor.from_request(request), **data)
        except FangxinError as exc:
            _apply_error(form, exc)
        else:
            messages.success(request, f"已登记：{entity.name}")
            return redirect("workbench:entity_detail", uscc=entity.uscc)
    return render(request, "merchants/entity_form.html", {"form": form, "title": "新增市场主体"})


@page_for(is_staff_role)
def entity_edit(request, uscc: str):
    entity = selectors.entity_get(user=request.user, uscc=uscc)  # NotFound is a 404
    form = EntityForm(request.POST or None, instance=entity, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "uscc"}
        try:
            services.entity_update(actor=Actor.from_request(request), entity=entity, **data)
        except FangxinError as exc:
            _apply_error(form, exc)
        else:
            messages.success(request, "已保存修改。")
            return redirect("workbench:entity_detail", uscc=entity.uscc)
    return render(request, "merchants/entity_form.html", {"form": form, "title": f"修改：{entity.name}",
                                                          "entity": entity})
