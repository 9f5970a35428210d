import sys

from django.core.management.base import BaseCommand, CommandError

from fangxin.triage import jsonl
from fangxin.triage.masking import TYPE_LABELS, mask


class Command(BaseCommand):
    help = ("遮盖个人信息。fangxin mask \"文本\" 打印遮盖后的文本；fangxin mask --jsonl < in.jsonl > out.jsonl 逐行处理 "
            "{\"id\", \"text\"}，输出 {\"id\", \"text\", \"spans\": [{\"start\", \"end\", \"type\"}]}（下标指原文）。")
    stealth_options = ("stdin",)

    def add_arguments(self, parser):
        parser.add_argument("text", nargs="?", help="一条文本")
        parser.add_argument("--jsonl", action="store_true", dest="as_jsonl", help="从标准输入逐行读取 JSON，结果逐行写到标准输出")

    def handle(self, *args, text=None, as_jsonl=False, **options):
        if as_jsonl:
            if text:
                raise CommandError("--jsonl 从标准输入读取，不能同时给出文本")
            return self.stream(options.get("stdin") or sys.stdin)
        if text is None:
            raise CommandError("请给出一条文本，或使用 --jsonl 从标准输入读取")
        if len(text) > jsonl.MAX_TEXT:
            raise CommandError(f"文本超过 {jsonl.MAX_TEXT:,} 字")
        result = mask(text)
        self.stdout.write(result.text)
        if result.spans:
            found = "、".join(f"{TYPE_LABELS[s.type]}（第 {s.start}–{s.end} 字）" for s in result.spans)
            self.stderr.write(f"已遮盖 {len(result.spans)} 处：{found}")
        else:
            self.stderr.write("未发现需要遮盖的个人信息。")

    def stream(self, stdin):
        errors = 0
        for line in jsonl.read_lines(stdin):
            if line.error:
                errors += 1
                self.stdout.write(jsonl.dumps(line.error_object()))
                self.stderr.write(f"第 {line.number} 行：{line.error}")
                continue
            result = mask(line.text)
            self.stdout.write(jsonl.dumps({"id": line.id, "text": result.text, "spans": result.spans_as_dicts()}))
        if errors:
            self.stderr.write(f"{errors} 行有错误（见上）。")
