import sys

from django.core.management.base import BaseCommand, CommandError

from fangxin.triage import jsonl


class Command(BaseCommand):
    help = ("投诉分诊。fangxin triage \"文本\" 打印一条文本的分诊结果；fangxin triage --jsonl < in.jsonl > out.jsonl "
            "逐行处理 {\"id\", \"text\"}，输出 {\"id\", \"sector\", \"problem_types\", \"department\", \"confidence\", "
            "\"evidence\"}；fangxin triage retrain 用语料与已确认的人工更正重新训练模型（需要数据库）。")
    stealth_options = ("stdin",)

    def add_arguments(self, parser):
        parser.add_argument("text", nargs="?", help="一条投诉文本；写 retrain 则重新训练模型")
        parser.add_argument("--jsonl", action="store_true", dest="as_jsonl", help="从标准输入逐行读取 JSON，结果逐行写到标准输出")

    def handle(self, *args, text=None, as_jsonl=False, **options):
        if as_jsonl:
            if text:
                raise CommandError("--jsonl 从标准输入读取，不能同时给出文本")
            return self.stream(options.get("stdin") or sys.stdin)
        if text == "retrain":
            return self.retrain()
        if text is None:
            raise CommandError("请给出一条文本，或使用 --jsonl 从标准输入读取，或 retrain 重新训练")
        self.show(text)

    def stream(self, stdin):
        from fangxin.triage.classifier import classify

        processed = errors = 0
        for line in jsonl.read_lines(stdin):
            if line.error:
                errors += 1
                self.stdout.write(jsonl.dumps(line.error_object()))
                self.stderr.write(f"第 {line.number} 行：{line.error}")
                continue
            result = classify(line.text, with_extraction=False)
            self.stdout.write(jsonl.dumps({"id": line.id, **result.as_line()}))
            processed += 1
        if errors:
            self.stderr.write(f"共处理 {processed} 行，{errors} 行有错误（见上）。")

    def show(self, text: str):
        from fangxin.triage.classifier import classify

        if len(text) > jsonl.MAX_TEXT:
            raise CommandError(f"文本超过 {jsonl.MAX_TEXT:,} 字")
        result = classify(text)
        departments = "、".join(d.name for d in result.lead_departments) or "—"
        lines = [
            f"行业：{result.sector_name}（{result.sector}）",
            f"问题类型：{'、'.join(result.problem_type_names)}（{', '.join(result.problem_types)}）",
            f"牵头部门：{departments}（{result.department}）",
            f"置信度：{result.confidence:.2f}",
            f"依据：{'；'.join(result.evidence) or '—'}",
        ]
        extracted = result.extracted
        if extracted.amounts:
            lines.append("金额：" + "、".join(f"{a['text']}（{a['yuan']} 元）" for a in extracted.amounts))
        if extracted.dates:
            lines.append("日期：" + "、".join(d["text"] for d in extracted.dates))
        if extracted.order_numbers:
            lines.append("订单号：" + "、".join(extracted.order_numbers))
        if extracted.phones:
            lines.append("电话：" + "、".join(p["text"] for p in extracted.phones))
        if extracted.business_names:
            lines.append("经营者候选：" + "、".join(extracted.business_names))
        lines.append(f"（模型 v{result.model_version}，结果供参考，请工作人员确认）")
        self.stdout.write("\n".join(lines))

    def retrain(self):
        from django.db import DatabaseError

        from fangxin.core.actors import Actor
        from fangxin.triage.services import triage_retrain

        self.stderr.write("正在训练（约需十几秒）…")
        try:
            result = triage_retrain(actor=Actor.system("triage retrain"))
        except DatabaseError as error:
            raise CommandError(f"重新训练需要已迁移的数据库（fangxin migrate）：{error}") from None
        self.stdout.write(result.message)
