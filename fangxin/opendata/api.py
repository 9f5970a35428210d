"""/api/v1/open/…: the open datasets, public like /open/ (no token), the same records as the JSON downloads."""

from datetime import date

from ninja import Router, Schema

from . import datasets, formats

router = Router(tags=["opendata"])


class FieldOut(Schema):
    key: str
    name: str
    type: str
    meaning: str
    unit: str


class DatasetOut(Schema):
    slug: str
    title: str
    description: str
    source: str
    updated: date | None
    fields: list[FieldOut]
    csv_url: str
    json_url: str


def _out(dataset: datasets.Dataset) -> dict:
    return {"slug": dataset.slug, "title": dataset.title, "description": dataset.description,
            "source": dataset.source, "updated": dataset.updated(), "fields": formats.field_docs(dataset),
            "csv_url": f"/open/{dataset.slug}.csv", "json_url": f"/open/{dataset.slug}.json"}


@router.get("/open/datasets", response=list[DatasetOut], auth=None, summary="开放数据集列表（含字段说明和更新日期）")
def dataset_list(request):
    return [_out(dataset) for dataset in datasets.DATASETS.values()]


@router.get("/open/datasets/{slug}", auth=None, summary="一个开放数据集的全部记录（JSON，流式输出）",
            description="返回 {dataset, title, generated_at, fields, records, count}，与 /open/{slug}.json 相同；"
                        "未知的编号返回 404。")
def dataset_records(request, slug: str):
    return formats.json_response(datasets.dataset_get(slug), attachment=False)
