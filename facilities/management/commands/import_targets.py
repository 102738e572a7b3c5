from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from accounts.audit import audit_context
from accounts.models import User
from facilities.imports import import_targets
from regions.models import Region
from reports.spreadsheets import ImportFailed


class Command(BaseCommand):
    help = (
        "Import 004's guidance table (新建住宅小区养老服务用房投入运营指导数) for a county; all or nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--county", required=True, help="the county's division code, e.g. 350583")
        parser.add_argument(
            "--user", default=None, help="record the import as this user (default: a superuser)"
        )

    def handle(self, *args, file: Path, county: str, user=None, **options):
        region = Region.objects.filter(code=county).first()
        if region is None:
            raise CommandError(f"未知区划代码 {county}")
        actor = (
            User.objects.filter(username=user).first()
            if user
            else User.objects.filter(is_superuser=True).first()
        )
        if actor is None:
            raise CommandError("没有可记录为导入人的用户（先创建超级用户或用 --user 指定）")
        if not file.exists():
            raise CommandError(f"找不到文件 {file}")
        with file.open("rb") as fp, audit_context(actor=actor, channel="import"):
            try:
                saved = import_targets(fp, county=region, by=actor, filename=file.name)
            except ImportFailed as exc:
                for error in exc.errors:
                    self.stderr.write(str(error))
                raise CommandError(f"未导入：共 {len(exc.errors)} 处问题。") from exc
        self.stdout.write(f"{region.name}：已导入 {len(saved)} 个乡镇（街道）的指导数。")
