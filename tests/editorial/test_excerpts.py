"""The excerpt is inline text: links and emphasis pass, images, headings and blocks are refused."""

import pytest
from django.core.exceptions import ValidationError

from blog.models import Article
from editorial.excerpts import refused_elements, validate_excerpt

from .conftest import change_form_data, change_url

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "excerpt",
    [
        "LLMの**推論コスト**について解説します。",
        "[OpenAI](https://openai.com/)の発表を*速報*でまとめました。",
        "`vLLM`と~~旧方式~~の違い。",
        "",
    ],
)
def test_inline_text_links_and_emphasis_are_accepted(excerpt):
    assert refused_elements(excerpt) == []
    validate_excerpt(excerpt)


@pytest.mark.parametrize(
    "excerpt, named",
    [
        ('<img src="/media/a.png" alt="図">の説明', ["画像"]),
        ("![構成図](/media/a.png) の説明", ["画像"]),
        ("## 見出し入りの抜粋", ["見出し"]),
        ("- 一つ目\n- 二つ目", ["箇条書き"]),
        ("> 引用だけの抜粋", ["引用"]),
        ("一段落目。\n\n二段落目。", ["複数の段落"]),
        ("    print(\"コード\")", ["コードブロック"]),
        ("前半\n\n---\n\n後半", ["複数の段落", "区切り線"]),
    ],
)
def test_images_headings_and_blocks_are_refused_by_name(excerpt, named):
    assert refused_elements(excerpt) == named
    with pytest.raises(ValidationError) as error:
        validate_excerpt(excerpt)
    assert named[0] in error.value.messages[0]


def test_the_admin_refuses_an_excerpt_with_an_image_and_keeps_the_text(client, users, article_in):
    article = article_in(Article.Status.DRAFT)
    client.force_login(users["writer_own"])
    excerpt = '<img src="x.png">画像付きの抜粋'
    response = client.post(change_url(article), change_form_data(article, excerpt=excerpt))
    assert response.status_code == 200
    content = response.content.decode()
    assert "抜粋に使えるのは文章とリンク、強調だけです。次のものを取り除いてください：画像" in content
    assert "画像付きの抜粋" in content
    article.refresh_from_db()
    assert article.excerpt != excerpt
