from collections import Counter

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from editorial import jekyll


class Command(BaseCommand):
    help = (
        "Jekyll の記事（front matter 付き Markdown）を取り込みます。ファイルとディレクトリ（_posts 形式）を"
        "指定できます。同じファイルを再度取り込むと、重複させずに更新します。"
    )

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", metavar="PATH", help="記事ファイル、または記事のあるディレクトリ")
        parser.add_argument("--dry-run", action="store_true", help="何が変わるかを表示するだけで、保存しません")
        parser.add_argument("--as-draft", action="store_true", help="公開せず、下書きとして取り込みます")
        parser.add_argument(
            "--timezone",
            default=settings.TIME_ZONE,
            help="時差の書かれていない日付のタイムゾーン（Jekyll の timezone 設定。既定: %(default)s）",
        )
        parser.add_argument("--user", help="変更履歴に実行者として記録するユーザー名")

    def handle(self, *args, paths, dry_run, as_draft, timezone, user, verbosity, **options):
        try:
            tz = jekyll.timezone_named(timezone)
        except ValueError as error:
            raise CommandError(str(error)) from None
        by = None
        if user:
            by = get_user_model().objects.filter(username=user).first()
            if by is None:
                raise CommandError(f"ユーザー {user!r} が見つかりません。")
        try:
            posts, skipped = jekyll.find_posts(paths)
        except FileNotFoundError as error:
            raise CommandError(f"{error} が見つかりません。") from None
        if verbosity >= 2:
            for path in skipped:
                self.stdout.write(f"対象外: {path}")

        self.counts, self.unknown_keys, self.failures = Counter(), Counter(), []
        self.covers, self.remote_images = 0, []
        if dry_run:
            # Do everything for real, then roll it all back: the report is exactly what would happen.
            with transaction.atomic():
                self.import_all(posts, tz=tz, as_draft=as_draft, by=by, verbosity=verbosity, dry_run=True)
                transaction.set_rollback(True)
        else:
            self.import_all(posts, tz=tz, as_draft=as_draft, by=by, verbosity=verbosity)
        self.summarize(len(posts), len(skipped), dry_run)
        if self.failures:
            raise CommandError(f"{len(self.failures)} 件のファイルを取り込めませんでした（上のエラーを参照）。", returncode=1)

    def import_all(self, posts, *, tz, as_draft, by, verbosity, dry_run=False):
        width = len(str(len(posts)))
        labels = {"created": "作成", "updated": "更新", "unchanged": "変更なし"}
        for number, (path, key) in enumerate(posts, start=1):
            progress = f"[{number:>{width}}/{len(posts)}]"
            try:
                post = jekyll.parse_post(path, key, tz=tz, resolve_post_url=jekyll.resolve_post_url)
                outcome = jekyll.save_post(post, as_draft=as_draft, by=by, store_files=not dry_run)
            except jekyll.JekyllError as error:
                self.fail(progress, str(error))
                continue
            except Exception as error:  # noqa: BLE001 — one broken file must not stop the other 348
                self.fail(progress, f"{path}:1: 予期しないエラー（{type(error).__name__}）: {error}")
                continue
            self.counts[outcome.action] += 1
            self.unknown_keys.update(k for k in post.extra if k != "image")
            self.covers += post.cover is not None
            if post.remote_image:
                self.remote_images.append(f"{path}:{post.image_line}: {post.remote_image}")
            if verbosity >= 1:
                self.stdout.write(f"{progress} {labels[outcome.action]}: {outcome.article.title} ← {key}")
                for note in outcome.notes:
                    self.stdout.write(self.style.WARNING(f"    {path}:{note.line}: {note.message}"))

    def fail(self, progress, message):
        self.failures.append(message)
        self.stderr.write(self.style.ERROR(f"{progress} エラー: {message}"))

    def summarize(self, total, skipped, dry_run):
        prefix = "（--dry-run: 保存していません）" if dry_run else ""
        self.stdout.write(
            f"{prefix}作成 {self.counts['created']} 件、更新 {self.counts['updated']} 件、"
            f"変更なし {self.counts['unchanged']} 件、失敗 {len(self.failures)} 件"
            f"（対象 {total} ファイル、対象外 {skipped} ファイル）"
        )
        if self.covers:
            self.stdout.write(f"アイキャッチ画像（image:）: {self.covers} 件（派生画像はバックグラウンドで作られます）")
        if self.remote_images:
            self.stdout.write(self.style.WARNING(f"外部 URL の image: {len(self.remote_images)} 件（取得していません。必要なら手作業で設定してください）:"))
            for line in self.remote_images:
                self.stdout.write(f"  {line}")
        if self.unknown_keys:
            keys = "、".join(f"{key}（{count}件）" for key, count in sorted(self.unknown_keys.items()))
            self.stdout.write(f"未知のキー（記事の「その他の属性」に保存）: {keys}")
