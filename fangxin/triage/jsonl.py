"""Line-by-line JSON input for the `triage` and `mask` commands: streaming, bounded, and never raising.

`read_lines(stream)` yields one `Line` per input line, holding only that line: the parsed id and text, or an
error in Chinese saying what is wrong with it (invalid UTF-8, invalid JSON, not an object, no text, too long).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

MAX_TEXT = 100_000  # characters of one text
MAX_LINE_BYTES = 4 * MAX_TEXT + 4096  # a JSON line holding a text of MAX_TEXT characters (escapes included)


@dataclass(frozen=True)
class Line:
    number: int
    id: Any = None
    text: str = ""
    error: str = ""

    def error_object(self) -> dict:
        body = {"line": self.number, "error": self.error}
        if self.id is not None:
            body["id"] = self.id
        return body


def _raw_lines(stream) -> Iterator[tuple[bytes | str, bool]]:
    """(line, too_long) from a binary or text stream, reading at most MAX_LINE_BYTES of a line at a time."""
    source = getattr(stream, "buffer", stream)
    while True:
        chunk = source.readline(MAX_LINE_BYTES + 1)
        if not chunk:
            return
        newline = b"\n" if isinstance(chunk, bytes) else "\n"
        if len(chunk) > MAX_LINE_BYTES and not chunk.endswith(newline):
            while True:  # skip the rest of an over-long line without keeping it
                rest = source.readline(MAX_LINE_BYTES + 1)
                if not rest or rest.endswith(newline):
                    break
            yield chunk[:0], True
            continue
        yield chunk, False


def parse_line(number: int, raw: bytes | str, too_long: bool = False) -> Line | None:
    """One input line as a Line, or None for a blank line (skipped, but still counted)."""
    if too_long:
        return Line(number, error=f"该行超过 {MAX_LINE_BYTES:,} 字节，未处理")
    if isinstance(raw, bytes):
        try:
            raw = raw.decode("utf-8")
        except UnicodeDecodeError:
            return Line(number, error="该行不是 UTF-8 编码的文本")
    raw = raw.strip().lstrip("\ufeff")
    if not raw:
        return None
    try:
        data = json.loads(raw)
    except (ValueError, RecursionError):
        return Line(number, error="该行不是合法的 JSON")
    if not isinstance(data, dict):
        return Line(number, error="该行应为 JSON 对象，形如 {\"id\": …, \"text\": …}")
    identifier = data.get("id")
    if not (identifier is None or isinstance(identifier, str | int | float | bool)):
        return Line(number, error="id 应为字符串或数字")
    text = data.get("text")
    if not isinstance(text, str):
        return Line(number, id=identifier, error="缺少 text 字段，或 text 不是字符串")
    if len(text) > MAX_TEXT:
        return Line(number, id=identifier, error=f"text 超过 {MAX_TEXT:,} 字，未处理")
    return Line(number, id=identifier, text=text)


def read_lines(stream) -> Iterator[Line]:
    for number, (raw, too_long) in enumerate(_raw_lines(stream), start=1):
        line = parse_line(number, raw, too_long)
        if line is not None:
            yield line


def dumps(data: dict) -> str:
    return json.dumps(data, ensure_ascii=False, separators=(", ", ": "))
