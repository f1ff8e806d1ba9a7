"""Make the renditions of every stored picture (cover images, author photos) again.

Needed after the rendition settings change (widths, crops, formats, quality: bump
``blog.pictures.RENDITION_VERSION``), or to fill in pictures whose renditions are missing.
"""

import sys

from django.core.management.base import BaseCommand

from blog import pictures
from blog.models import Picture


class Command(BaseCommand):
    help = "アイキャッチ画像と著者写真の派生画像（AVIF・WebP・JPEG の各サイズ）を作り直します。"

    def add_arguments(self, parser):
        parser.add_argument(
            "--missing", action="store_true", help="派生画像がない、足りない、または古い設定で作られた画像だけを処理します。"
        )

    def handle(self, *args, missing=False, **options):
        queryset = Picture.objects.order_by("pk")
        if missing:
            queryset = [p for p in queryset.iterator() if not pictures.has_current_renditions(p)]
        total = len(queryset) if isinstance(queryset, list) else queryset.count()
        done = written = 0
        failed = []
        for picture in queryset if isinstance(queryset, list) else queryset.iterator():
            try:
                written += pictures.generate_renditions(picture)
            except (OSError, ValueError) as error:  # a missing or unreadable original: report, go on
                failed.append(f"{picture.file.name}: {error}")
            done += 1
            self._progress(done, total)
        for line in failed:
            self.stderr.write(f"  失敗: {line}")
        summary = f"{total} 件の画像から {written} 個の派生画像を作りました。"
        if failed:
            summary += f"（{len(failed)} 件は失敗）"
        self.stdout.write(self.style.WARNING(summary) if failed else self.style.SUCCESS(summary))

    def _progress(self, done: int, total: int) -> None:
        width = 30
        filled = width * done // total if total else width
        interactive = self.stdout.isatty() if hasattr(self.stdout, "isatty") else sys.stdout.isatty()
        ending = "" if interactive and done < total else "\n"
        self.stdout.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total}", ending=ending)
