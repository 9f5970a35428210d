"""Expected outcome of every route for every role: the table test_route_matrix.py checks.

Rows are keyed "page <url name>", "admin <url>" (the Django admin is one family: four URLs are tried) and
"api <METHOD> <OpenAPI path>". Columns are ROLES. An outcome is the status code, "login" (a redirect to a
login page) or "redirect" (any other redirect). API writes are sent an empty JSON body inside a savepoint
that is rolled back, so they show who gets past authentication and permission checks without changing the
world. A new route fails the test until a row is added here; see docs/security-matrix.md.
"""

ROLES = ("anonymous", "merchant", "county_a", "county_b", "department", "association", "office", "auditor",
         "sysadmin")


def row(outcomes: str) -> tuple[str, ...]:
    """`row("login 404 200 ...")`: one outcome per role, in ROLES order."""
    values = tuple(outcomes.split())
    assert len(values) == len(ROLES), outcomes
    return values


# Profiles shared by many routes (one column per role, in ROLES order).
# public pages and public API: everyone, signed in or not
PUBLIC = row("200 200 200 200 200 200 200 200 200")
# workbench pages every staff role reads (scope narrows the rows, not the page)
STAFF = row("login 404 200 200 200 200 200 200 200")
# form targets: a GET is refused before anything else is looked at
POST_ONLY = row("405 405 405 405 405 405 405 405 405")
# API writes tried with an empty JSON body: authentication first (401), then validation (422)
API_BODY = row("401 422 422 422 422 422 422 422 422")
# routes whose object the world does not build (a file, a token, an import result): 404 for every signed-in role
NO_OBJECT = row("login 404 404 404 404 404 404 404 404")
# staff API reads: a merchant is refused (403)
API_STAFF = row("401 403 200 200 200 200 200 200 200")
# the merchant's own pages: any other role is not a merchant (404)
MERCHANT = row("login 200 404 404 404 404 404 404 404")
# operational staff pages (auditor and administrator do not work cases)
OPERATIONAL = row("login 404 200 200 200 200 200 404 404")
# a county-A object on a staff page: county B does not find it (404)
COUNTY_A_OBJECT = row("login 404 200 404 200 200 200 200 200")
# API reads for anyone signed in (results narrowed by scope)
API_SIGNED_IN = row("401 200 200 200 200 200 200 200 200")
# county-A business pages: its merchant and county-A/city staff; county B gets 404
OWN_ENTITY = row("login 200 200 404 200 200 200 200 200")
# joint-office-only pages
OFFICE_ONLY = row("login 404 404 404 404 404 200 404 404")
# association, office, auditor and administrator
CITY_REVIEWERS = row("login 404 404 404 404 200 200 200 200")
# public routes whose object is not public (no running publicity, open survey results)
MISSING_PUBLIC = row("404 404 404 404 404 404 404 404 404")
# any signed-in user
SIGNED_IN = row("login 200 200 200 200 200 200 200 200")
# the Django admin (one family, four URLs tried): only the administrator is staff
ADMIN = row("login login login login login login login login 200")
# county-A object in the API: the bound merchant reads it, county B gets 404
API_COUNTY_A_OBJECT = row("401 200 200 404 200 200 200 200 200")
# public tracking pages without proof of the phone digits go back to the lookup form
PUBLIC_REDIRECT = row("redirect redirect redirect redirect redirect redirect redirect redirect redirect")

EXPECTED = {
    # page portal
    "page portal:home": PUBLIC,
    "page portal:search": PUBLIC,
    "page portal:commitment": PUBLIC,
    "page portal:policy": PUBLIC,
    # page campaign
    "page campaign:merchant_home": MERCHANT,
    "page campaign:claim": MERCHANT,
    "page campaign:claims": OPERATIONAL,
    "page campaign:claim_decision": POST_ONLY,
    "page campaign:enroll": row("login 200 200 404 200 200 200 404 404"),
    "page campaign:roster": STAFF,
    "page campaign:enrollment_detail": OWN_ENTITY,
    "page campaign:enrollment_transition": POST_ONLY,
    "page campaign:badge_reissue": POST_ONLY,
    "page campaign:poster": OWN_ENTITY,
    "page campaign:badge_png": OWN_ENTITY,
    "page campaign:badge_reports": STAFF,
    "page campaign:verify": PUBLIC,
    "page campaign:verify_report": POST_ONLY,
    "page campaign:badge_svg": PUBLIC,
    "page campaign:profile": PUBLIC,
    "page campaign:badge_keys": PUBLIC,
    "page campaign:standards": STAFF,
    "page campaign:standard_new": row("login 404 404 404 200 404 200 404 404"),
    "page campaign:standard_detail": STAFF,
    "page campaign:standard_edit": row("login 404 404 404 404 404 redirect 404 404"),
    "page campaign:standard_publish": POST_ONLY,
    "page campaign:standard_xlsx": STAFF,
    "page campaign:cycles": row("login 404 404 404 404 404 200 200 200"),
    "page campaign:cycle_new": OFFICE_ONLY,
    "page campaign:cycle_close": POST_ONLY,
    "page campaign:coverage": CITY_REVIEWERS,
    "page campaign:designate": POST_ONLY,
    "page campaign:cases": CITY_REVIEWERS,
    "page campaign:case_scan": POST_ONLY,
    "page campaign:case_decide": POST_ONLY,
    "page campaign:applications": STAFF,
    "page campaign:application_detail": COUNTY_A_OBJECT,
    "page campaign:application_review": POST_ONLY,
    "page campaign:conflict_declare": POST_ONLY,
    "page campaign:application_evidence": NO_OBJECT,
    "page campaign:publicities": STAFF,
    "page campaign:publicity_new": POST_ONLY,
    "page campaign:publicity_detail": NO_OBJECT,
    "page campaign:publicity_award": POST_ONLY,
    "page campaign:objection_answer": POST_ONLY,
    "page campaign:objection_evidence": NO_OBJECT,
    "page campaign:titles": STAFF,
    "page campaign:certificate": NO_OBJECT,
    "page campaign:my_applications": MERCHANT,
    "page campaign:title_apply": MERCHANT,
    "page campaign:my_application": MERCHANT,
    "page campaign:my_application_withdraw": POST_ONLY,
    "page campaign:publicity_public": PUBLIC,
    "page campaign:publicity_public_detail": MISSING_PUBLIC,
    "page campaign:objection_lookup": PUBLIC,
    "page campaign:objection_new": MISSING_PUBLIC,
    "page campaign:announcements": PUBLIC,
    # page complaints
    "page complaints:file": PUBLIC,
    "page complaints:filed": PUBLIC_REDIRECT,
    "page complaints:entity_lookup": PUBLIC,
    "page complaints:track": PUBLIC,
    "page complaints:track_detail": PUBLIC_REDIRECT,
    "page complaints:track_settlement": POST_ONLY,
    "page complaints:track_rate": POST_ONLY,
    "page complaints:track_withdraw": POST_ONLY,
    "page complaints:track_document": PUBLIC_REDIRECT,
    "page complaints:stations_public": PUBLIC,
    "page complaints:ranking": PUBLIC,
    "page complaints:disclosure": PUBLIC,
    "page complaints:import": OPERATIONAL,
    "page complaints:import_template": OPERATIONAL,
    "page complaints:import_result": NO_OBJECT,
    "page complaints:import_report": NO_OBJECT,
    "page complaints:queue": STAFF,
    "page complaints:staff_new": OPERATIONAL,
    "page complaints:triage_prefill": POST_ONLY,
    "page complaints:metrics": STAFF,
    "page complaints:export": STAFF,
    "page complaints:detail": COUNTY_A_OBJECT,
    "page complaints:action": POST_ONLY,
    "page complaints:personal": POST_ONLY,
    "page complaints:document": COUNTY_A_OBJECT,
    "page complaints:document_pdf": COUNTY_A_OBJECT,
    "page complaints:evidence": NO_OBJECT,
    "page complaints:stations": OPERATIONAL,
    "page complaints:station_new": OPERATIONAL,
    "page complaints:station_edit": NO_OBJECT,
    "page complaints:outbox": STAFF,
    "page complaints:outbox_retry": POST_ONLY,
    "page complaints:merchant_list": MERCHANT,
    "page complaints:merchant_detail": MERCHANT,
    "page complaints:merchant_offer": POST_ONLY,
    "page complaints:merchant_decline": POST_ONLY,
    "page complaints:merchant_reply": POST_ONLY,
    # page credit
    "page credit:lists": STAFF,
    "page credit:list_enter": row("login 404 200 200 200 404 200 404 404"),
    "page credit:list_exit": COUNTY_A_OBJECT,
    "page credit:ledger_find": STAFF,
    "page credit:ledger": COUNTY_A_OBJECT,
    "page credit:penalty_new": row("login 404 405 405 405 404 405 404 404"),
    "page credit:breach_new": row("login 404 405 405 405 404 405 404 404"),
    "page credit:import": row("login 404 200 200 200 404 200 404 404"),
    "page credit:import_template": row("login 404 200 200 200 404 200 404 404"),
    "page credit:import_result": NO_OBJECT,
    "page credit:import_report": NO_OBJECT,
    "page credit:public_lists": PUBLIC,
    "page credit:public_exits": PUBLIC,
    "page credit:public_export_csv": PUBLIC,
    "page credit:public_export_json": PUBLIC,
    "page credit:my_credit": MERCHANT,
    "page credit:repair_new": MERCHANT,
    "page credit:repair_evidence": OWN_ENTITY,
    "page credit:rules": STAFF,
    "page credit:rule_new": OFFICE_ONLY,
    "page credit:rule_edit": OFFICE_ONLY,
    "page credit:repairs": STAFF,
    "page credit:repair_detail": COUNTY_A_OBJECT,
    "page credit:repair_decide": POST_ONLY,
    # page inspections
    "page inspections:plans": STAFF,
    "page inspections:plan_new": row("login 404 404 404 200 404 200 404 404"),
    "page inspections:plan_detail": STAFF,
    "page inspections:plan_edit": row("login 404 404 404 redirect 404 redirect 404 404"),
    "page inspections:plan_freeze": POST_ONLY,
    "page inspections:plan_entropy": POST_ONLY,
    "page inspections:plan_draw": POST_ONLY,
    "page inspections:plan_publish": POST_ONLY,
    "page inspections:plan_close": POST_ONLY,
    "page inspections:plan_record": STAFF,
    "page inspections:plan_objects": STAFF,
    "page inspections:result": COUNTY_A_OBJECT,
    "page inspections:document": NO_OBJECT,
    "page inspections:objects": STAFF,
    "page inspections:inspectors": STAFF,
    "page inspections:inspector_new": OPERATIONAL,
    "page inspections:inspector_edit": row("login 404 200 404 200 200 200 404 404"),
    "page inspections:conflict_declare": POST_ONLY,
    "page inspections:conflict_withdraw": POST_ONLY,
    "page inspections:public_draws": PUBLIC,
    "page inspections:public_results": PUBLIC,
    "page inspections:public_draw": PUBLIC,
    "page inspections:public_record": PUBLIC,
    # page alerts
    "page alerts:list": STAFF,
    "page alerts:scan": POST_ONLY,
    "page alerts:settings": row("login 404 404 404 404 404 200 200 200"),
    "page alerts:detail": COUNTY_A_OBJECT,
    "page alerts:transition": POST_ONLY,
    "page alerts:prepaid_list": MERCHANT,
    "page alerts:prepaid_declare": NO_OBJECT,
    # page stats
    "page stats:goal_one": STAFF,
    "page stats:goal_one_xlsx": STAFF,
    "page stats:mechanisms": STAFF,
    "page stats:goal_two": STAFF,
    "page stats:goal_two_xlsx": STAFF,
    "page stats:goal_three": STAFF,
    "page stats:goal_three_xlsx": STAFF,
    "page stats:goal_four": STAFF,
    "page stats:goal_four_xlsx": STAFF,
    "page stats:goal_five": STAFF,
    "page stats:goal_five_xlsx": STAFF,
    "page stats:goal_six": STAFF,
    "page stats:goal_six_xlsx": STAFF,
    "page stats:records": STAFF,
    # page content
    "page content:public_list": PUBLIC,
    "page content:public_detail": PUBLIC,
    "page content:public_file": MISSING_PUBLIC,
    "page content:public_kind": PUBLIC,
    "page content:surveys": PUBLIC,
    "page content:survey": PUBLIC,
    "page content:survey_thanks": PUBLIC,
    "page content:staff_list": STAFF,
    "page content:staff_new": OPERATIONAL,
    "page content:staff_review": STAFF,
    "page content:staff_detail": CITY_REVIEWERS,
    "page content:staff_edit": row("login 404 404 404 404 redirect 200 404 404"),
    "page content:staff_transition": POST_ONLY,
    "page content:staff_file_add": POST_ONLY,
    "page content:staff_file": NO_OBJECT,
    "page content:staff_file_remove": POST_ONLY,
    "page content:staff_surveys": STAFF,
    "page content:staff_survey_new": OPERATIONAL,
    "page content:staff_survey": CITY_REVIEWERS,
    "page content:staff_survey_edit": row("login 404 404 404 404 redirect redirect 404 404"),
    "page content:staff_survey_publish": POST_ONLY,
    "page content:staff_survey_export": CITY_REVIEWERS,
    # page supervision
    "page supervision:board": STAFF,
    "page supervision:task_new": OFFICE_ONLY,
    "page supervision:task": row("login 404 200 404 404 404 200 200 200"),
    "page supervision:assignment_action": POST_ONLY,
    "page supervision:attachment": NO_OBJECT,
    "page supervision:evaluation_index": row("login 404 redirect redirect redirect redirect redirect redirect redirect"),
    "page supervision:evaluation": STAFF,
    "page supervision:evaluation_publish": POST_ONLY,
    "page supervision:evaluation_xlsx": STAFF,
    "page supervision:evaluation_pdf": STAFF,
    # page opendata
    "page opendata:index": PUBLIC,
    "page opendata:dataset": PUBLIC,
    "page opendata:dataset_csv": PUBLIC,
    "page opendata:dataset_json": PUBLIC,
    "page opendata:reports": STAFF,
    "page opendata:job_status": OFFICE_ONLY,
    "page opendata:job_download": NO_OBJECT,
    "page opendata:job_retry": POST_ONLY,
    # page accounts
    "page accounts:login": row("200 redirect redirect redirect redirect redirect redirect redirect redirect"),
    "page accounts:signup": row("200 redirect redirect redirect redirect redirect redirect redirect redirect"),
    "page accounts:logout": POST_ONLY,
    "page accounts:password_change": SIGNED_IN,
    "page accounts:password_change_done": SIGNED_IN,
    # page registry_import
    "page registry_import:upload": row("login 404 200 200 404 404 200 404 200"),
    "page registry_import:template": row("login 404 200 200 404 404 200 404 200"),
    "page registry_import:result": NO_OBJECT,
    "page registry_import:report": NO_OBJECT,
    # page merchants
    "page merchants:entity_create": OPERATIONAL,
    "page merchants:entity_edit": row("login 404 200 404 200 200 200 404 404"),
    # page triage
    "page triage:scores": STAFF,
    # page workbench
    "page workbench:home": SIGNED_IN,
    "page workbench:entity_list": SIGNED_IN,
    "page workbench:entity_detail": OWN_ENTITY,
    "page workbench:audit_log": row("login 404 404 404 404 404 404 200 200"),
    "page workbench:deadline": STAFF,
    # page healthz
    "page healthz": PUBLIC,
    # page hello
    "page hello": PUBLIC,
    # admin
    "admin /admin/": ADMIN,
    "admin /admin/accounts/user/": ADMIN,
    "admin /admin/core/auditrecord/": ADMIN,
    "admin /admin/organisation/region/": ADMIN,
    # api health
    "api GET /api/v1/health": PUBLIC,
    # api tools
    "api GET /api/v1/tools/uscc/{code}": PUBLIC,
    "api GET /api/v1/tools/deadline": PUBLIC,
    # api audit
    "api GET /api/v1/audit": row("401 404 404 404 404 404 404 200 200"),
    "api GET /api/v1/audit/verify": row("401 404 404 404 404 404 404 200 200"),
    # api me
    "api GET /api/v1/me": API_SIGNED_IN,
    # api reference
    "api GET /api/v1/reference/regions": PUBLIC,
    "api GET /api/v1/reference/departments": PUBLIC,
    "api GET /api/v1/reference/sectors": PUBLIC,
    "api GET /api/v1/reference/dimensions": PUBLIC,
    "api GET /api/v1/reference/commitment": PUBLIC,
    # api entities
    "api GET /api/v1/entities": API_SIGNED_IN,
    "api GET /api/v1/entities/{uscc}": API_COUNTY_A_OBJECT,
    # api public
    "api GET /api/v1/public/entities/{uscc}": PUBLIC,
    # api badges
    "api GET /api/v1/badges/verify": PUBLIC,
    # api enrollments
    "api POST /api/v1/enrollments": API_BODY,
    "api POST /api/v1/enrollments/{serial}/status": API_BODY,
    # api triage
    "api POST /api/v1/triage/classify": API_BODY,
    "api POST /api/v1/triage/mask": API_BODY,
    # api complaints
    "api POST /api/v1/complaints": API_BODY,
    "api GET /api/v1/complaints": API_SIGNED_IN,
    "api GET /api/v1/complaints/metrics": API_SIGNED_IN,
    "api GET /api/v1/complaints/{tracking_no}": API_COUNTY_A_OBJECT,
    "api POST /api/v1/complaints/{tracking_no}/actions/{action}": row("401 403 409 404 409 409 409 403 403"),
    # api public
    "api POST /api/v1/public/complaints": row("422 422 422 422 422 422 422 422 422"),
    "api GET /api/v1/public/complaints/{tracking_no}": PUBLIC,
    "api GET /api/v1/public/disclosure/{uscc}": PUBLIC,
    "api GET /api/v1/public/titles/{uscc}": PUBLIC,
    "api GET /api/v1/public/publicity": PUBLIC,
    # api titles
    "api GET /api/v1/titles/applications": API_STAFF,
    "api POST /api/v1/titles/applications/{application_id}/review": API_BODY,
    # api public
    "api GET /api/v1/public/credit/lists": PUBLIC,
    # api credit
    "api GET /api/v1/credit/lists": API_STAFF,
    "api POST /api/v1/credit/lists": API_BODY,
    "api POST /api/v1/credit/lists/{entry_id}/exit": API_BODY,
    "api GET /api/v1/credit/ledger/{uscc}": row("401 403 200 404 200 200 200 200 200"),
    "api POST /api/v1/credit/ledger/{uscc}/events": API_BODY,
    "api POST /api/v1/credit/import": API_BODY,
    "api GET /api/v1/credit/grades/{uscc}": API_COUNTY_A_OBJECT,
    "api GET /api/v1/credit/rules": API_SIGNED_IN,
    "api POST /api/v1/credit/rules": API_BODY,
    "api PUT /api/v1/credit/rules/{rule_id}": API_BODY,
    "api GET /api/v1/credit/repairs": API_SIGNED_IN,
    "api POST /api/v1/credit/repairs": API_BODY,
    "api GET /api/v1/credit/repairs/{repair_id}": API_COUNTY_A_OBJECT,
    "api POST /api/v1/credit/repairs/{repair_id}/decision": API_BODY,
    # api public
    "api GET /api/v1/public/inspections/draws": PUBLIC,
    "api GET /api/v1/public/inspections/draws/{draw_id}": PUBLIC,
    "api GET /api/v1/public/inspections/draws/{draw_id}/record": PUBLIC,
    "api GET /api/v1/public/inspections/results": PUBLIC,
    # api inspections
    "api GET /api/v1/inspections/plans": API_STAFF,
    "api POST /api/v1/inspections/plans": API_BODY,
    "api GET /api/v1/inspections/plans/{plan_id}": API_STAFF,
    "api POST /api/v1/inspections/plans/{plan_id}/freeze": row("401 404 403 403 409 403 409 403 403"),
    "api POST /api/v1/inspections/plans/{plan_id}/entropy": API_BODY,
    "api POST /api/v1/inspections/plans/{plan_id}/draw": row("401 404 403 403 409 403 409 403 403"),
    "api GET /api/v1/inspections/plans/{plan_id}/inspections": API_STAFF,
    "api POST /api/v1/inspections/inspections/{inspection_id}/result": API_BODY,
    "api POST /api/v1/inspections/results/publish": API_BODY,
    # api alerts
    "api GET /api/v1/alerts/warnings": API_STAFF,
    "api GET /api/v1/alerts/warnings/{warning_id}": row("401 403 200 404 200 200 200 200 200"),
    "api POST /api/v1/alerts/warnings/{warning_id}/transition": API_BODY,
    "api GET /api/v1/alerts/prepaid": row("401 200 403 403 403 403 403 403 403"),
    "api PUT /api/v1/alerts/prepaid/{uscc}": API_BODY,
    # api stats
    "api GET /api/v1/stats/goals/one": API_STAFF,
    "api GET /api/v1/stats/goals/two": API_STAFF,
    "api GET /api/v1/stats/goals/four": API_STAFF,
    "api GET /api/v1/stats/goals/three": API_STAFF,
    "api GET /api/v1/stats/goals/five": API_STAFF,
    "api GET /api/v1/stats/goals/six": API_STAFF,
    # api content
    "api GET /api/v1/content/articles": PUBLIC,
    "api GET /api/v1/content/articles/{article_id}": PUBLIC,
    "api POST /api/v1/content/staff/articles": API_BODY,
    "api GET /api/v1/content/staff/articles/{article_id}": row("401 403 404 404 404 200 200 200 200"),
    "api PUT /api/v1/content/staff/articles/{article_id}": API_BODY,
    "api POST /api/v1/content/staff/articles/{article_id}/transition": API_BODY,
    "api GET /api/v1/content/surveys": PUBLIC,
    "api GET /api/v1/content/surveys/{survey_id}": PUBLIC,
    "api POST /api/v1/content/surveys/{survey_id}/answers": row("422 422 422 422 422 422 422 422 422"),
    "api GET /api/v1/content/surveys/{survey_id}/results": MISSING_PUBLIC,
    # api supervision
    "api GET /api/v1/supervision/tasks": API_STAFF,
    "api POST /api/v1/supervision/tasks": API_BODY,
    "api POST /api/v1/supervision/assignments/{assignment_id}/progress": API_BODY,
    "api POST /api/v1/supervision/assignments/{assignment_id}/submit": row("401 403 422 404 404 404 403 403 403"),
    "api POST /api/v1/supervision/assignments/{assignment_id}/confirm": row("401 403 403 404 404 404 409 403 403"),
    "api POST /api/v1/supervision/assignments/{assignment_id}/return": row("401 403 403 404 404 404 422 403 403"),
    "api GET /api/v1/supervision/evaluation/{year}": API_STAFF,
    # api open
    "api GET /api/v1/open/datasets": PUBLIC,
    "api GET /api/v1/open/datasets/{slug}": PUBLIC,
}
