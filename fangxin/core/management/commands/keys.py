"""`fangxin keys status|rotate|generate`: the personal-data keys (fangxin.core.crypto, docs/privacy.md)."""

from collections import Counter

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from fangxin.core import audit, crypto, sealing
from fangxin.core.actors import Actor


class Command(BaseCommand):
    help = ("个人信息加密密钥：status 按密钥统计密文数量；rotate 用当前密钥（FANGXIN_DATA_KEYS 的第一个）重新加密全部"
            "密文（分批提交，中断后可重新运行）；generate 生成一个新密钥。")

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("status", help="按密钥编号统计各字段的密文数量")
        rotate = sub.add_parser("rotate", help="用当前密钥重新加密全部密文")
        rotate.add_argument("--batch", type=int, default=sealing.BATCH, help="每批行数（默认 %(default)s）")
        sub.add_parser("generate", help="生成一个新的随机密钥（base64）")

    def handle(self, *args, action, **options):
        if action == "generate":
            self.stdout.write(crypto.generate_key())
            return
        if action == "status":
            self.status()
            return
        self.rotate(options["batch"])

    def status(self):
        current, known = crypto.current_key_id(), set(crypto.key_ids())
        totals = Counter()
        for column, counter in sealing.count_by_key().items():
            totals.update(counter)
            parts = "，".join(f"{kid}：{n}" for kid, n in sorted(counter.items())) or "无数据"
            self.stdout.write(f"{column}：{parts}")
        self.stdout.write(f"当前密钥 {current}；合计：" + ("，".join(f"{kid}：{n}" for kid, n in sorted(totals.items()))
                                                       or "无数据"))
        unknown = sorted(k for k in totals if k not in known)
        if unknown:
            self.stderr.write(f"有 {sum(totals[k] for k in unknown)} 个值使用不在 FANGXIN_DATA_KEYS 中的密钥或未加密："
                              f"{'、'.join(unknown)}")
            raise SystemExit(1)

    def rotate(self, batch: int):
        if batch < 1:
            raise CommandError("--batch 必须为正整数。")
        current = crypto.current_key_id()

        def progress(table, n):
            self.stdout.write(f"{table}：重新加密 {n} 行")

        try:
            done = sealing.reseal_all(batch=batch, progress=progress)
        except crypto.SealError as exc:  # a value under a removed key: say which, keep what was already done
            raise CommandError(f"{exc}（已完成的批次已保存，恢复密钥后重新运行 keys rotate 即可继续）") from None
        with transaction.atomic():
            audit.record(actor=Actor.system("keys rotate"), action="core.keys_rotate", object_type="core.datakey",
                         object_id=current, object_repr=f"个人信息密钥轮换至 {current}",
                         changes={"rows": [None, done]})
        self.stdout.write(f"完成：全部密文使用密钥 {current}，共重新加密 {sum(done.values())} 行。")
