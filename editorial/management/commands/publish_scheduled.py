from django.core.management.base import BaseCommand
from django.utils import timezone

from editorial import workflow


class Command(BaseCommand):
    help = "予約時刻を過ぎた記事を「公開中」にして変更履歴を残します。何度実行しても安全です（毎分の実行向け）。"

    def handle(self, *args, **options):
        moved = workflow.publish_due()
        for article in moved:
            self.stdout.write(f"公開しました：{article.title}（{timezone.localtime(article.published_at):%Y-%m-%d %H:%M}）")
        self.stdout.write(self.style.SUCCESS(f"{len(moved)}件の予約記事を公開しました。"))
