"""`fangxin draw verify RECORD.json`: re-derive a fangxin-draw-v1 record offline (DESIGN 5.5), no database."""

import json
import sys

from django.core.management.base import BaseCommand

from fangxin.inspections.draw import verify


class Command(BaseCommand):
    help = "双随机抽签记录：verify RECORD.json 仅凭记录本身重新计算并核对（不需要数据库）。"
    requires_system_checks = []

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        check = sub.add_parser("verify", help="核对抽签记录：通过时打印 verified，否则打印第一处差异并以 1 退出")
        check.add_argument("record", help="抽签记录 JSON 文件（公示页面下载）")
        check.add_argument("--all", action="store_true", help="打印全部差异，而不只是第一处")

    def handle(self, *args, action, record, **options):
        try:
            with open(record, encoding="utf-8") as file:
                data = json.load(file)
        except FileNotFoundError:
            self.stderr.write(f"找不到抽签记录文件 {record}")
            sys.exit(2)
        except IsADirectoryError:
            self.stderr.write(f"{record} 是目录，请给出抽签记录 JSON 文件")
            sys.exit(2)
        except PermissionError:
            self.stderr.write(f"没有权限读取抽签记录 {record}")
            sys.exit(2)
        except OSError as error:  # rarer errors: the system's own words, after ours
            self.stderr.write(f"无法读取抽签记录 {record}（{error.strerror or error}）")
            sys.exit(2)
        except (UnicodeDecodeError, ValueError) as error:
            self.stderr.write(f"抽签记录 {record} 不是有效的 UTF-8 JSON：{error}")
            sys.exit(2)
        differences = verify(data)
        if not differences:
            self.stdout.write("verified")
            return
        shown = differences if options["all"] else differences[:1]
        for difference in shown:
            self.stdout.write(difference)
        if len(differences) > len(shown):
            self.stdout.write(f"（另有 {len(differences) - len(shown)} 处差异；加 --all 全部列出）")
        sys.exit(1)
