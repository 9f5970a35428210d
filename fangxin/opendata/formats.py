"""CSV and JSON of a dataset, streamed row by row so a large list never sits in memory.

CSV: UTF-8 with a byte-order mark (Excel opens it as UTF-8), a header of the Chinese column names, empty cells for
"none"; a cell starting with = + - @ gets a leading apostrophe so a spreadsheet never runs it as a formula (the same
rule as the credit export). JSON: `{"dataset", "title", "generated_at", "fields": [...], "records": [...],
"count"}` with the records keyed by the field keys."""

import csv
import json
from collections.abc import Iterator

from django.http import StreamingHttpResponse
from django.utils import timezone

from .datasets import Dataset

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _safe(value) -> str:
    if value is None:
        return ""
    text = str(value)
    if isinstance(value, (int, float)):
        return text
    return "'" + text if text.startswith(FORMULA_START) else text


class _Echo:
    def write(self, value):
        return value


def csv_lines(dataset: Dataset) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield "\ufeff" + writer.writerow([f.name for f in dataset.fields])
    keys = dataset.keys
    for row in dataset.rows():
        yield writer.writerow([_safe(row[key]) for key in keys])


def field_docs(dataset: Dataset) -> list[dict]:
    return [{"key": f.key, "name": f.name, "type": f.type, "meaning": f.meaning, "unit": f.unit}
            for f in dataset.fields]


def json_chunks(dataset: Dataset) -> Iterator[str]:
    """The JSON document in pieces: the header, then one record per chunk, then the count."""
    head = {"dataset": dataset.slug, "title": dataset.title,
            "generated_at": timezone.localtime().isoformat(timespec="seconds"), "fields": field_docs(dataset)}
    yield json.dumps(head, ensure_ascii=False)[:-1] + ', "records": ['
    count = 0
    for row in dataset.rows():
        yield ("," if count else "") + "\n" + json.dumps(row, ensure_ascii=False)
        count += 1
    yield f'\n], "count": {count}}}\n'


def _stream(chunks: Iterator[str], content_type: str, filename: str = "") -> StreamingHttpResponse:
    response = StreamingHttpResponse((chunk.encode("utf-8") for chunk in chunks), content_type=content_type)
    if filename:
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def csv_response(dataset: Dataset) -> StreamingHttpResponse:
    return _stream(csv_lines(dataset), "text/csv; charset=utf-8", f"{dataset.slug}.csv")


def json_response(dataset: Dataset, *, attachment: bool = True) -> StreamingHttpResponse:
    return _stream(json_chunks(dataset), "application/json; charset=utf-8",
                   f"{dataset.slug}.json" if attachment else "")
