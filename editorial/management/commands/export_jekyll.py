from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from blog.models import Article
from editorial import jekyll


class Command(BaseCommand):
    help = (
        "記事を Jekyll 形式（front matter 付き Markdown、1記事1ファイル）で DIR に書き出します。"
        "import_jekyll で読み込むと同じ記事になります。"
    )

    def add_arguments(self, parser):
        parser.add_argument("directory", metavar="DIR")
        parser.add_argument("--published-only", action="store_true", help="公開中の記事だけを書き出します")

    def handle(self, *args, directory, published_only, verbosity, **options):
        root = Path(directory)
        if root.exists() and not root.is_dir():
            raise CommandError(f"{root} はディレクトリではありません。")
        articles = Article.objects.published() if published_only else Article.objects.all()
        articles = articles.select_related("category").prefetch_related("tags", "authors", "redirects").order_by("pk")
        written = 0
        for article in articles.iterator(chunk_size=200):
            relative, content = jekyll.export_post(article)
            target = root / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(content, encoding="utf-8")
            written += 1
            if verbosity >= 2:
                self.stdout.write(f"{target}")
        self.stdout.write(self.style.SUCCESS(f"{written} 件の記事を {root} に書き出しました。"))
