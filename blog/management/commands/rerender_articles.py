"""Re-render every stored article with the current Markdown pipeline and templates.

Articles are rendered on save; after the pipeline changes (a new construct, a sanitizer rule) or a
template of the stored card, search details or header changes (``blog.stored_html``), the stored
HTML, table of contents and search text are from the old one until this runs.
"""

import sys

from django.core.management.base import BaseCommand
from django.db import transaction

from blog import stored_html
from blog.models import Article

DERIVED_FIELDS = [*Article.DERIVED_FIELDS, *stored_html.STORED_FIELDS]
BATCH = 200


class Command(BaseCommand):
    help = "保存済みの全記事を現在の Markdown パイプラインとテンプレート（カード・見出し）で再レンダリングし、変わった件数を報告します。"

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="保存せず、変わる記事の件数だけを数えます。")

    def handle(self, *args, dry_run=False, **options):
        total = Article.objects.count()
        changed, done = [], 0
        articles = (
            Article.objects.defer("extra")
            .select_related("category", "cover")
            .prefetch_related("authors", "tags")
            .order_by("pk")
        )
        for article in articles.iterator(chunk_size=BATCH):
            before = [getattr(article, name) for name in DERIVED_FIELDS]
            article.render()
            stored_html.render_into(article)
            if [getattr(article, name) for name in DERIVED_FIELDS] != before:
                changed.append(article.title)
                if not dry_run:
                    with transaction.atomic():
                        # Only derived fields: status, dates and the text itself stay as they are.
                        article.save(update_fields=DERIVED_FIELDS)
            done += 1
            self._progress(done, total)
        if total:
            self.stderr.write("")
        for title in changed[:20]:
            self.stdout.write(f"  変更: {title}")
        if len(changed) > 20:
            self.stdout.write(f"  …ほか {len(changed) - 20} 件")
        if dry_run:
            summary = f"{total} 件中 {len(changed)} 件の記事が変わります（--dry-run のため保存していません）。"
        else:
            summary = f"{total} 件中 {len(changed)} 件の記事を更新しました。"
        self.stdout.write(self.style.SUCCESS(summary))

    def _progress(self, done: int, total: int) -> None:
        width = 30
        filled = width * done // total if total else width
        end = "" if sys.stderr.isatty() and done < total else "\n"
        if end or done == total or done % 50 == 0:
            self.stderr.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total}", ending=end)
