import json
import urllib.parse
import urllib.request
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from fangxin.campaign import badge_keys, badges


class Command(BaseCommand):
    help = ("创建标志：verify TOKEN_OR_URL [--keys FILE] [--online] 离线核验签名（--online 再查询当前状态）；"
            "rotate-key 生成新的签名密钥（旧密钥继续用于核验）；keys 打印公开密钥文档。")

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        verify = sub.add_parser("verify", help="核验标志")
        verify.add_argument("token")
        verify.add_argument("--keys", help="公开密钥文件（/.well-known/fangxin-badge-keys.json 的内容）")
        verify.add_argument("--online", action="store_true", help="再向平台查询当前状态")
        verify.add_argument("--site", default=settings.FANGXIN_SITE_URL, help="平台地址")
        sub.add_parser("rotate-key", help="轮换签名密钥")
        sub.add_parser("keys", help="打印公开密钥")

    def handle(self, *args, action, **options):
        if action == "rotate-key":
            self.stdout.write(f"新的签名密钥：{badge_keys.rotate()}（此后签发的标志使用它；已签发的标志仍可核验）")
        elif action == "keys":
            self.stdout.write(json.dumps(badge_keys.load_keyring().published(), ensure_ascii=False, indent=1))
        else:
            self.verify(options)

    def verify(self, options):
        public = self.public_keys(options.get("keys"))
        try:
            claims = badges.verify(options["token"], public)
        except badges.BadToken as exc:
            self.stdout.write(f"伪造或损坏：{exc}")
            raise SystemExit(1) from None
        self.stdout.write(f"签名有效：编号 {claims.serial}，统一社会信用代码 {claims.uscc}，签发于 {claims.issued_on}，"
                          f"密钥 {claims.kid}")
        if options["online"]:
            status = self.online_status(options["site"], badges.extract_token(options["token"]))
            self.stdout.write(f"当前状态：{status['verdict_label']}（{status['verdict']}）")
            if status["verdict"] != "valid":
                raise SystemExit(1)

    def public_keys(self, path):
        if not path:
            return badge_keys.load_keyring().public
        try:
            return badge_keys.public_keys_from_document(json.loads(Path(path).read_text(encoding="utf-8")))
        except (OSError, ValueError, KeyError) as exc:
            raise CommandError(f"公开密钥文件无法读取：{exc}") from None

    def online_status(self, site: str, token: str) -> dict:
        url = f"{site.rstrip('/')}/api/v1/badges/verify?" + urllib.parse.urlencode({"token": token})
        try:
            with urllib.request.urlopen(url, timeout=10) as response:
                return json.loads(response.read().decode("utf-8"))
        except (OSError, ValueError) as exc:
            raise CommandError(f"无法连接平台 {site}：{exc}") from None
