import datetime
from pathlib import Path

import frontmatter
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from blog.models import Article, Author, Category

DEMO_DIR = Path(__file__).resolve().parents[2] / "demo_content"
TEAM_BYLINE = "ALLFORCES編集部"
DEMO_ADMIN = ("admin", "allforces-demo")


def _aware(value) -> datetime.datetime:
    if isinstance(value, str):
        value = datetime.datetime.fromisoformat(value)
    if isinstance(value, datetime.date) and not isinstance(value, datetime.datetime):
        value = datetime.datetime.combine(value, datetime.time())
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    return value


class Command(BaseCommand):
    help = "デモ用の日本語記事を読み込みます（何度実行しても重複しません）。"

    def handle(self, *args, **options):
        files = sorted(DEMO_DIR.glob("*.md"))
        for number, path in enumerate(files, start=1):
            with transaction.atomic():
                article, created = self.load(path)
            verb = "作成" if created else "更新"
            self.stdout.write(f"[{number}/{len(files)}] {verb}: {article.title}")
        if settings.DEBUG:
            self.ensure_demo_admin()
        self.stdout.write(self.style.SUCCESS(f"デモ記事 {len(files)} 件を読み込みました。"))

    def load(self, path: Path) -> tuple[Article, bool]:
        post = frontmatter.load(path)
        meta = post.metadata
        category, _ = Category.objects.get_or_create(name=meta["category"])
        slug = meta.get("slug") or ""
        lookup = {"slug": slug} if slug else {"title": meta["title"]}
        article = Article.objects.filter(**lookup).first() or Article(slug=slug)
        created = article.pk is None
        article.title = meta["title"]
        article.body = post.content
        article.excerpt = meta.get("excerpt", "")
        article.category = category
        article.status = Article.Status.PUBLISHED
        article.published_at = _aware(meta["date"])
        article.save()
        authors = []
        for name in meta.get("authors", [TEAM_BYLINE]):
            author, _ = Author.objects.get_or_create(name=name, defaults={"is_team": name == TEAM_BYLINE})
            authors.append(author)
        article.authors.set(authors)
        article.tags.set(meta.get("tags", []))
        return article, created

    def ensure_demo_admin(self):
        username, password = DEMO_ADMIN
        User = get_user_model()
        if not User.objects.filter(username=username).exists():
            User.objects.create_superuser(username, f"{username}@allforces.example", password)
            self.stdout.write(f"管理画面 /admin/ にユーザー名 {username}、パスワード {password} でログインできます（開発用）。")
