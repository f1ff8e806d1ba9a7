"""Unigram+bigram indexes for one- and two-character search terms on PostgreSQL (no-op on SQLite).

pg_trgm needs three characters, so 「推論」 or 「AI」 used to scan every article. This does what
the pg_bigm extension does (not installable here) with plain SQL: ``blog_search_grams(text)``
returns every character and every pair of adjacent characters of a text (duplicates are
left in: GIN keeps each key once per row), and a GIN expression index over it answers
``blog_search_grams(search_document) @> ARRAY['推論']`` from the index alone. For a term of
one or two characters that test is *exact* (the text contains the term if and only if the
term is one of its grams), so no row is re-read to check it. The same index on
``search_title`` finds title hits of any length (longer terms by their bigrams, then a
``LIKE`` on the short title). See ``blog.search``.

The function splits on U+0001, which a term can never contain (``text.clean_user_text``
drops control characters), so a document that holds one loses only grams no term can ask for.
"""

from django.db import migrations

FUNCTION_SQL = r"""
CREATE OR REPLACE FUNCTION blog_search_grams(doc text) RETURNS text[]
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE COST 1000 AS $$
BEGIN
    RETURN array_remove(
        string_to_array(doc, NULL)
        || string_to_array(regexp_replace(doc, '(..)', E'\\1\x01', 'g'), E'\x01')
        || string_to_array(regexp_replace(substr(doc, 2), '(..)', E'\\1\x01', 'g'), E'\x01'),
        '');
END
$$
"""
INDEX_SQL = [
    "CREATE INDEX IF NOT EXISTS blog_article_search_grams "
    "ON blog_article USING gin (blog_search_grams(search_document))",
    "CREATE INDEX IF NOT EXISTS blog_article_title_grams "
    "ON blog_article USING gin (blog_search_grams(search_title))",
    # No planner statistics for the grams: ANALYZE would compute them for 30,000 sampled
    # documents (a minute at 100,000 articles) and blog.search picks its plan itself.
    "ALTER INDEX blog_article_search_grams ALTER COLUMN 1 SET STATISTICS 0",
    "ALTER INDEX blog_article_title_grams ALTER COLUMN 1 SET STATISTICS 0",
]
DROP_SQL = [
    "DROP INDEX IF EXISTS blog_article_title_grams",
    "DROP INDEX IF EXISTS blog_article_search_grams",
    "DROP FUNCTION IF EXISTS blog_search_grams(text)",
]


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        # Building over a large table outlasts the site's per-statement timeout (settings).
        schema_editor.execute("SET LOCAL statement_timeout = 0")
        schema_editor.execute("SET LOCAL maintenance_work_mem = '128MB'")
        for sql in [FUNCTION_SQL, *INDEX_SQL]:
            schema_editor.execute(sql)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for sql in DROP_SQL:
            schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("blog", "0005_listing_indexes")]

    operations = [migrations.RunPython(create, drop)]
