from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.core.management.base import BaseCommand

from blog.models import Article, Author, Series, SeriesEntry
from editorial import demo_pictures
from editorial.workflow import EDITOR, EDITOR_IN_CHIEF, WRITER

DEMO_DIR = Path(settings.BASE_DIR) / "blog" / "demo_content"
DEMO_PASSWORD = "allforces-demo"
# username, role, the byline the account writes under
DEMO_STAFF = [
    ("admin", None, None),
    ("chief", EDITOR_IN_CHIEF, "ALLFORCES編集部"),
    ("editor", EDITOR, "田中 健一"),
    ("writer", WRITER, "佐藤 美咲"),
]
# Family and given names of the demo accounts, as the desk, messages and e-mails show them.
DEMO_NAMES = {"admin": ("管理", "太郎"), "chief": ("高橋", "誠"), "editor": ("田中", "健一"), "writer": ("佐藤", "美咲")}
# A series made of demo articles (slugs in reading order). Created once: later edits in the
# admin stay, and an article an editor has moved to another series is left there.
DEMO_SERIES = {
    "slug": "llm-in-practice",
    "title": "LLMを業務で使う",
    "description": "モデル選びから推論コスト、評価、エージェントまで、LLMを実際の業務に載せるときに考えることを順に整理する連載です。",
    "articles": ["open-weight-model-checklist", "llm-inference-cost", "rag-evaluation-design", "ai-agents-small-start"],
}


class Command(BaseCommand):
    help = (
        "デモ用の日本語記事を取り込み、アイキャッチ画像と著者プロフィールを付け、"
        "開発時は役割ごとのデモ用スタッフを作ります（何度実行しても重複しません）。"
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--without-pictures", action="store_true", help="アイキャッチ画像と著者写真を作りません（速く読み込めます）。"
        )

    def handle(self, *args, verbosity, without_pictures=False, **options):
        call_command("import_jekyll", str(DEMO_DIR), verbosity=verbosity, stdout=self.stdout, stderr=self.stderr)
        self.ensure_demo_series(verbosity)
        if not without_pictures:
            self.add_pictures(verbosity)
        if settings.DEBUG:
            self.ensure_demo_staff()

    def ensure_demo_series(self, verbosity):
        series, created = Series.objects.get_or_create(
            slug=DEMO_SERIES["slug"],
            defaults={"title": DEMO_SERIES["title"], "description": DEMO_SERIES["description"]},
        )
        if not created:
            return
        articles = {a.slug: a for a in Article.objects.filter(slug__in=DEMO_SERIES["articles"])}
        for position, slug in enumerate(DEMO_SERIES["articles"], start=1):
            if slug in articles:
                SeriesEntry.objects.get_or_create(article=articles[slug], defaults={"series": series, "position": position})
        if verbosity:
            self.stdout.write(f"デモ用の連載「{series.title}」を作りました（{len(articles)} 本）。")

    def add_pictures(self, verbosity):
        def report(done, total):
            if verbosity:
                self.stdout.write(f"アイキャッチ画像 {done}/{total}")

        demo_pictures.add_covers(report)
        demo_pictures.add_profiles()

    def ensure_demo_staff(self):
        User = get_user_model()
        for username, role, byline in DEMO_STAFF:
            if User.objects.filter(username=username).exists():
                continue
            if role is None:
                user = User.objects.create_superuser(username, f"{username}@allforces.example", DEMO_PASSWORD)
            else:
                user = User.objects.create_user(username, f"{username}@allforces.example", DEMO_PASSWORD, is_staff=True)
                user.groups.add(Group.objects.get(name=role))
            user.last_name, user.first_name = DEMO_NAMES[username]
            user.save(update_fields=["last_name", "first_name"])
            if byline:
                Author.objects.filter(name=byline, user__isnull=True).update(user=user)
        accounts = "、".join(f"{name}（{role or 'スーパーユーザー'}）" for name, role, _ in DEMO_STAFF)
        self.stdout.write(f"開発用ログイン /admin/ : {accounts} — パスワードはすべて {DEMO_PASSWORD}")
