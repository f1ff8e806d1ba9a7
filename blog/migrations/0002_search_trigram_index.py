"""Trigram index for Japanese substring search on PostgreSQL (no-op on SQLite).

``search_document`` is already NFKC-normalized and case-folded by ``Article.render``, so a
plain ``LIKE '%term%'`` (Django's ``contains``) can use ``gin_trgm_ops`` directly, without
``Upper(...)``. Terms of one or two characters have no trigram and fall back to a scan;
see ``ArticleQuerySet.search``.
"""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations

INDEX_SQL = (
    "CREATE INDEX IF NOT EXISTS blog_article_search_trgm "
    "ON blog_article USING gin (search_document gin_trgm_ops)"
)
DROP_SQL = "DROP INDEX IF EXISTS blog_article_search_trgm"


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(INDEX_SQL)


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP_SQL)


class Migration(migrations.Migration):
    dependencies = [("blog", "0001_initial")]

    operations = [
        TrigramExtension(),
        migrations.RunPython(create_index, drop_index),
    ]
