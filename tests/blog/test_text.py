import pytest

from blog import text
from blog.models import Article, Category
from tests.factories import make_article


def test_normalize_folds_full_width_half_width_and_case():
    assert text.normalize("ＯｐｅｎＡＩ") == text.normalize("openai") == "openai"
    assert text.normalize("ｵｰﾌﾟﾝｿｰｽ") == "オープンソース"


def test_unicode_slugify_keeps_japanese_readable():
    assert text.unicode_slugify("生成AI") == "生成ai"
    assert text.unicode_slugify("オープンソース") == "オープンソース"
    assert text.unicode_slugify("Llama 4の登場で、Metaが描く戦略") == "llama-4の登場でmetaが描く戦略"
    assert text.unicode_slugify("ＧＰＴ－５ の 推論") == "gpt-5-の-推論"


def test_truncate_sentences_cuts_at_a_japanese_sentence_end():
    source = "最初の文です。二番目の文はもう少し長くなっています！三番目の文はとても長いので予算を超えてしまうでしょうか？"
    assert text.truncate_sentences(source, 30) == "最初の文です。二番目の文はもう少し長くなっています！"
    assert text.truncate_sentences(source, 200) == source


def test_truncate_sentences_keeps_the_closing_bracket_with_its_sentence():
    source = "彼は「これは新しい時代の始まりだ。」と述べた。その後の展開は誰にも予想できなかった。"
    assert text.truncate_sentences(source, 25) == "彼は「これは新しい時代の始まりだ。」と述べた。"


def test_truncate_sentences_without_a_sentence_end_cuts_with_an_ellipsis_never_by_words():
    source = "句点のない非常に長い見出しのような文章が延々と続いていくケース" * 3
    result = text.truncate_sentences(source, 20)
    assert len(result) <= 20
    assert result.endswith("…")
    assert source.startswith(result[:-1])


def test_truncate_sentences_never_splits_a_combined_character():
    source = "か\u3099" * 30  # か + combining voiced mark
    result = text.truncate_sentences(source, 11)
    assert result.endswith("…")
    body = result[:-1]
    assert not body.endswith("か")  # a base letter is never left without its mark
    assert body.endswith("\u3099")
    emoji = "👩\u200d💻" * 10
    cut = text.truncate_sentences(emoji, 8)[:-1]
    assert not cut.endswith("\u200d") and not cut.endswith("👩")


def test_reading_time_counts_japanese_characters_and_latin_words_separately():
    japanese = "あ" * 1100  # 1,100 characters at 550 per minute: two minutes
    assert text.reading_minutes(japanese) == 2
    english = " ".join(["word"] * 400)  # 400 words at 200 per minute: two minutes
    assert text.reading_minutes(english) == 2
    mixed = "あ" * 550 + " " + " ".join(["LLM"] * 200)
    assert text.reading_minutes(mixed) == 2
    assert text.reading_minutes("") == 1


def test_reading_time_is_not_fooled_by_japanese_having_no_spaces():
    # Split by whitespace this is one "word"; it really takes about four minutes.
    assert text.reading_minutes("日本語の文章には単語の区切りとなる空白がありません。" * 90) == 5


def test_clean_user_text_strips_control_characters_and_caps_length():
    assert text.clean_user_text("推\x00論\u200b ") == "推論\u200b".strip()
    assert text.clean_user_text("a\ud800b") == "ab"
    assert len(text.clean_user_text("あ" * 5000, 100)) == 100


@pytest.mark.django_db
def test_article_slugs_from_japanese_titles_are_unique_and_readable():
    first = make_article("生成AIとオープンソースの未来")
    second = make_article("生成AIとオープンソースの未来")
    assert first.slug == "生成aiとオープンソースの未来"
    assert second.slug == "生成aiとオープンソースの未来-2"


@pytest.mark.django_db
def test_symbol_only_titles_still_get_a_slug():
    article = make_article("？？？")
    assert article.slug == "article"


@pytest.mark.django_db
def test_category_slug_comes_from_its_japanese_name():
    assert Category.objects.create(name="AI技術ガイド").slug == "ai技術ガイド"


@pytest.mark.django_db
def test_reading_time_override_wins():
    article = make_article(body="短い本文。", reading_time_override=9)
    assert article.reading_time == 1
    assert article.minutes_to_read == 9


@pytest.mark.django_db
def test_description_is_cut_at_a_sentence_end_of_the_excerpt_or_body():
    long_body = "AIの進化は続いています。" * 40
    article = make_article(excerpt="", body=long_body)
    assert article.description.endswith("。")
    assert len(article.description) <= 120
    with_excerpt = make_article(excerpt="**Meta**の戦略を分析します。詳しく見ていきましょう。")
    assert with_excerpt.description == "Metaの戦略を分析します。詳しく見ていきましょう。"
    assert "<strong>Meta</strong>" in with_excerpt.excerpt_html


@pytest.mark.django_db
def test_rendering_happens_on_save_not_per_request():
    article = make_article(body="## 見出し\n\n本文")
    stored = Article.objects.get(pk=article.pk)
    assert stored.body_html.startswith('<h2 id="見出し">')
