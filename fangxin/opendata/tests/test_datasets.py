"""Open datasets: every file, in both formats and via the API, carries no personal data (scanned with the masker),
the field documentation matches the columns, and the figures are the right ones."""

import csv
import io
import json

import pytest
from django.urls import reverse

from fangxin.complaints.metrics import complaint_metrics
from fangxin.opendata import datasets
from fangxin.triage.masking import mask

from .conftest import PLANTED

pytestmark = pytest.mark.django_db
PERSONAL = {"mobile", "landline", "id_card", "bank_card", "email", "name"}


def _stream(response) -> str:
    assert response.status_code == 200
    return b"".join(response.streaming_content).decode("utf-8")


def _personal_spans(text: str) -> list[tuple[str, str]]:
    return [(span.type, text[span.start:span.end]) for span in mask(text).spans if span.type in PERSONAL]


def _csv(client, slug) -> list[list[str]]:
    text = _stream(client.get(reverse("opendata:dataset_csv", args=[slug])))
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


def test_no_personal_data_in_any_file(client, planted):
    seen_rows = 0
    for slug in datasets.DATASETS:
        rows = _csv(client, slug)
        document = json.loads(_stream(client.get(reverse("opendata:dataset_json", args=[slug]))))
        api = json.loads(_stream(client.get(f"/api/v1/open/datasets/{slug}")))
        assert document["records"] == api["records"] and document["count"] == len(rows) - 1
        seen_rows += len(rows) - 1
        for row in rows:
            for cell in row:
                assert _personal_spans(cell) == [], (slug, cell)
        whole = json.dumps(api["records"], ensure_ascii=False)
        for value in PLANTED.values():
            assert value not in whole, (slug, value)
        for record in api["records"]:
            for value in record.values():
                if isinstance(value, str):
                    assert _personal_spans(value) == [], (slug, value)
    assert seen_rows >= 7  # every dataset above had rows: the scan looked at real output


def test_the_planted_text_is_personal_data_the_masker_finds():
    # the scan above proves something only if the masker recognises what was planted
    from .conftest import PLANTED_TEXT

    kinds = {kind for kind, _ in _personal_spans(PLANTED_TEXT)}
    assert {"mobile", "landline", "id_card", "email", "bank_card", "name"} <= kinds


def test_free_text_is_kept_masked_not_dropped(client, planted):
    rows = {r["outcome"]: r for r in json.loads(_stream(client.get("/api/v1/open/datasets/inspection-results")))["records"]}
    assert rows["problems"]["description"].startswith("冷藏柜温度超标")
    assert "139****5678" in rows["problems"]["description"]


def test_field_docs_match_columns(client, planted):
    for slug, dataset in datasets.DATASETS.items():
        header = _csv(client, slug)[0]
        assert header == [f.name for f in dataset.fields]
        records = json.loads(_stream(client.get(f"/api/v1/open/datasets/{slug}")))["records"]
        for record in records:
            assert list(record) == dataset.keys
        page = client.get(reverse("opendata:dataset", args=[slug])).content.decode()
        for f in dataset.fields:
            assert f.key in page and f.name in page and f.meaning.split("；")[0] in page
    listing = client.get("/api/v1/open/datasets").json()
    assert [d["slug"] for d in listing] == list(datasets.DATASETS)
    assert all(d["fields"] and d["csv_url"].endswith(".csv") for d in listing)


def test_complaint_statistics_equal_the_metrics(client, planted):
    records = json.loads(_stream(client.get("/api/v1/open/datasets/complaint-stats")))["records"]
    month = planted["month"]
    mine = [r for r in records if r["month"] == f"{month:%Y-%m}"]
    metrics = complaint_metrics(start=month, end=planted["today"])
    assert sum(r["received"] for r in mine) == metrics.received == 5
    assert sum(r["accepted"] for r in mine) == metrics.accepted
    assert sum(r["closed"] for r in mine) == metrics.closed
    assert sum(r["settled"] for r in mine) == metrics.settled


def test_titles_draws_and_lists_are_listed(client, planted):
    titles = json.loads(_stream(client.get("/api/v1/open/datasets/titles")))["records"]
    assert [t["certificate_no"] for t in titles] == [planted["title"].certificate_no]
    draws = json.loads(_stream(client.get("/api/v1/open/datasets/draws")))["records"]
    assert len(draws) == 1
    record = client.get(draws[0]["record_url"])
    assert record.status_code == 200 and record.json()["seed"] == draws[0]["seed"]
    assert draws[0]["selected"] == len(record.json()["selected"]) > 0
    credit = json.loads(_stream(client.get("/api/v1/open/datasets/credit-lists")))["records"]
    assert [c["list"] for c in credit] == ["abnormal"]


def test_index_page_is_public_and_light(client, planted):
    response = client.get(reverse("opendata:index"))
    page = response.content.decode()
    assert response.status_code == 200 and len(response.content) < 150 * 1024
    for dataset in datasets.DATASETS.values():
        assert dataset.title in page and reverse("opendata:dataset_csv", args=[dataset.slug]) in page
    assert "更新日期" in page


def test_unknown_dataset_is_404(client, db):
    assert client.get("/open/nope/").status_code == 404
    assert client.get("/open/nope.csv").status_code == 404
    assert client.get("/api/v1/open/datasets/nope").status_code == 404


def test_formula_cells_are_defused():
    from fangxin.opendata.formats import _safe

    assert _safe("=1+1") == "'=1+1" and _safe(-3) == "-3" and _safe(None) == ""
