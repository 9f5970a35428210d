"""The staff credit pages: the list entries (filter, enter, exit), a business's ledger with the penalty and
commitment-breach forms, and the import of events from other departments.

Views parse, call one service or selector and render; a domain error becomes a Chinese message on the page.
A page a role may not use answers 404, as for a page that does not exist; so does a business outside the scope."""

import io
from pathlib import Path

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from fangxin.accounts.choices import STAFF_ROLES
from fangxin.accounts.permissions import AUDIT_READERS
from fangxin.core.actors import Actor
from fangxin.core.exceptions import FangxinError, NotFound
from fangxin.core.import_forms import TableImportForm
from fangxin.core.import_reports import ReportStore, xlsx_download
from fangxin.organisation.selectors import counties
from fangxin.workbench.decorators import page_for

from . import importing, list_selectors, selectors, services
from .choices import ListKind
from .forms_staff import BreachForm, EntityPickForm, ListEnterForm, ListExitForm, ListFilterForm, PenaltyForm

PAGE_SIZE = 50
STORE = ReportStore("import-reports", "credit")
SHOWN_ROWS = 200


def reads_lists(user) -> bool:
    return user.role in STAFF_ROLES | AUDIT_READERS


def _actor(request) -> Actor:
    return Actor.from_request(request)


def _scope_counties(user):
    region = getattr(user, "region", None)
    return counties(within=region) if user.role in STAFF_ROLES and region is not None else counties()


def _form_error(form, exc: FangxinError, fields: dict[str, str]) -> None:
    """A service's error on the field it names (details["field"] mapped to the form's), else on the form."""
    name = fields.get(exc.details.get("field", ""), exc.details.get("field", ""))
    form.add_error(name if name in form.fields else None, exc.message)


# --- list entries ----------------------------------------------------------------------------------------------

@page_for(reads_lists)
@require_GET
def lists(request):
    form = ListFilterForm(request.GET or None, counties=_scope_counties(request.user).order_by("code"))
    filters = form.cleaned_data if form.is_valid() else {}
    status = filters.get("status") or list_selectors.STATUS_CURRENT
    rows = list_selectors.staff_entries(request.user, kind=filters.get("list", ""), status=status,
                                        query=filters.get("q", ""), county=filters.get("county", ""))
    return render(request, "credit/staff/lists.html", {
        "form": form, "status": status, "page": Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page")),
        "can_decide": services.may_decide(request.user)})


@page_for(services.may_decide)
@require_http_methods(["GET", "POST"])
def list_enter(request):
    initial = {"uscc": request.GET.get("uscc", "")[:30], "entered_on": timezone.localdate(),
               "authority": getattr(getattr(request.user, "department", None), "name", "")}
    if request.GET.get("list") in ListKind.values:
        initial["kind"] = request.GET["list"]
    form = ListEnterForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            entity = list_selectors.entity_for_staff(request.user, data["uscc"])
        except NotFound as exc:
            form.add_error("uscc", exc.message)
        else:
            try:
                entry = services.staff_list_enter(
                    actor=_actor(request), entity=entity, kind=data["kind"], reason_code=data["reason_code"],
                    reason=data["reason"], authority=data["authority"], document_number=data["document_number"],
                    entered_on=data["entered_on"])
            except FangxinError as exc:
                _form_error(form, exc, {"date": "entered_on"})
            else:
                messages.success(request, f"已将{entity.name}列入{entry.get_kind_display()}（{entry.document_number}），"
                                          "并记入其信用档案。")
                return redirect("credit:ledger", uscc=entity.uscc)
    return render(request, "credit/staff/list_enter.html", {"form": form})


@page_for(reads_lists)
@require_http_methods(["GET", "POST"])
def list_exit(request, pk: int):
    entry = list_selectors.staff_entry_get(request.user, pk)
    can_decide = services.may_decide(request.user)
    form = ListExitForm(request.POST or None, initial={"exited_on": timezone.localdate()})
    if request.method == "POST":
        if not can_decide:
            raise Http404
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.staff_list_exit(actor=_actor(request), entry=entry, exit_reason=data["exit_reason"],
                                         exited_on=data["exited_on"], document_number=data["document_number"])
            except FangxinError as exc:
                _form_error(form, exc, {"date": "exited_on"})
            else:
                messages.success(request, f"已将{entry.entity.name}移出{entry.get_kind_display()}。")
                return redirect("credit:ledger", uscc=entry.entity.uscc)
    return render(request, "credit/staff/list_exit.html", {"entry": entry, "form": form, "can_decide": can_decide})


# --- a business's ledger ---------------------------------------------------------------------------------------

@page_for(reads_lists)
@require_GET
def ledger_find(request):
    form = EntityPickForm(request.GET or None)
    matches = None
    if request.GET and form.is_valid():
        text = form.cleaned_data["uscc"]
        try:
            entity = list_selectors.entity_for_staff(request.user, text)
        except NotFound as exc:
            matches = list_selectors.entities_by_name(request.user, text)
            if not matches:
                form.add_error("uscc", exc.message)
        else:
            return redirect("credit:ledger", uscc=entity.uscc)
    return render(request, "credit/staff/ledger_find.html", {"form": form, "matches": matches})


def _ledger_page(request, entity, *, penalty_form=None, breach_form=None):
    today = timezone.localdate()
    return render(request, "credit/staff/ledger.html", {
        "entity": entity, "grade": selectors.grade_of(entity),
        "entries": list_selectors.entity_entries(request.user, entity),
        "page": Paginator(list_selectors.ledger(request.user, entity), 100).get_page(request.GET.get("page")),
        "can_decide": services.may_decide(request.user),
        "penalty_form": penalty_form or PenaltyForm(initial={
            "decided_on": today, "authority": getattr(getattr(request.user, "department", None), "name", "")}),
        "breach_form": breach_form or BreachForm(initial={"occurred_on": today}),
    })


@page_for(reads_lists)
@require_GET
def ledger(request, uscc: str):
    return _ledger_page(request, list_selectors.entity_for_staff(request.user, uscc))


@page_for(services.may_decide)
@require_POST
def penalty_new(request, uscc: str):
    entity = list_selectors.entity_for_staff(request.user, uscc)
    form = PenaltyForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            _event, created = services.penalty_enter(actor=_actor(request), entity=entity, **data)
        except FangxinError as exc:
            _form_error(form, exc, {"date": "decided_on"})
        else:
            if created:
                messages.success(request, f"已记入行政处罚（{data['document_number']}），信用等级已重新计算。")
            else:
                messages.info(request, f"处罚决定书 {data['document_number']} 此前已经记入，未重复记入。")
            return redirect(reverse("credit:ledger", args=[entity.uscc]) + "#ledger")
    return _ledger_page(request, entity, penalty_form=form)


@page_for(services.may_decide)
@require_POST
def breach_new(request, uscc: str):
    entity = list_selectors.entity_for_staff(request.user, uscc)
    form = BreachForm(request.POST)
    if form.is_valid():
        try:
            _event, created = services.commitment_breach_enter(actor=_actor(request), entity=entity,
                                                               **form.cleaned_data)
        except FangxinError as exc:
            _form_error(form, exc, {"date": "occurred_on"})
        else:
            if created:
                messages.success(request, "已记入违反经营承诺，信用等级已重新计算。")
            else:
                messages.info(request, f"文书 {form.cleaned_data['document_number']} 此前已经记入，未重复记入。")
            return redirect(reverse("credit:ledger", args=[entity.uscc]) + "#ledger")
    return _ledger_page(request, entity, breach_form=form)


# --- the event import ------------------------------------------------------------------------------------------

class ImportForm(TableImportForm):
    max_rows = importing.MAX_ROWS
    dry_run_label = "试导入：只检查并报告结果，不记入信用事件"


def _import_context(**extra) -> dict:
    return {"columns": importing.COLUMNS, "max_rows": importing.MAX_ROWS,
            "kinds": [(kind.label, kind.value) for kind in importing.IMPORTABLE_KINDS], **extra}


@page_for(importing.may_import)
@require_http_methods(["GET", "POST"])
def import_upload(request):
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            result = importing.event_import(actor=_actor(request), source=upload, file_name=upload.name,
                                            dry_run=form.cleaned_data["dry_run"])
        except importing.ImportFileError as exc:
            form.add_error("file", str(exc))
        except FangxinError as exc:
            form.add_error(None, exc.message)
        else:
            token = STORE.new_token()
            if result.errors:
                STORE.write(token, ".xlsx", importing.error_report(result))
            STORE.write_summary(token, _summary(request.user, result))
            return redirect("credit:import_result", token=token)
    return render(request, "credit/staff/import.html", _import_context(form=form))


@page_for(importing.may_import)
@require_GET
def import_result(request, token: str):
    summary = STORE.owned_summary(request, token)
    return render(request, "credit/staff/import.html", _import_context(summary=summary, token=token))


@page_for(importing.may_import)
@require_GET
def import_report(request, token: str):
    summary = STORE.owned_summary(request, token)
    path = STORE.path(token, ".xlsx")
    if not summary.get("errors") or not path.is_file():
        raise Http404
    return xlsx_download(path, f"错误报告-{Path(summary.get('file_name') or '信用事件导入').stem}.xlsx")


@page_for(importing.may_import)
@require_GET
def import_template(request):
    return xlsx_download(io.BytesIO(importing.template_workbook()), "信用事件导入模板.xlsx")


def _summary(user, result: importing.ImportResult) -> dict:
    return {
        "user": user.pk, "at": timezone.now().isoformat(), "file_name": result.file_name,
        "dry_run": result.dry_run, "text": result.summary(), "rows": result.rows, "valid": result.valid,
        "imported": result.imported[:SHOWN_ROWS], "imported_count": len(result.imported),
        "already": result.already[:SHOWN_ROWS], "already_count": len(result.already),
        "errors": len(result.errors), "error_rows": [error.as_dict() for error in result.errors[:SHOWN_ROWS]],
    }
