"""The alias table (``AliasGroup`` and its ``Alias`` spellings), seeded with the company and
technology names readers write in more than one way.

Short katakana that occur inside other words are left out of the seed (ラマ for Llama is in
ドラマ and パノラマ): a spelling matches wherever it occurs in an article.
"""

import unicodedata

import django.db.models.deletion
from django.db import migrations, models

SEED = {
    "OpenAI": ["オープンAI", "Open AI"],
    "Google": ["グーグル"],
    "Meta": ["メタ", "Meta Platforms"],
    "NVIDIA": ["エヌビディア"],
    "Anthropic": ["アンソロピック", "アンスロピック"],
    "Microsoft": ["マイクロソフト"],
    "Apple": ["アップル"],
    "Amazon": ["アマゾン"],
    "AWS": ["Amazon Web Services", "アマゾンウェブサービス"],
    "ChatGPT": ["チャットGPT", "Chat GPT"],
    "Claude": ["クロード"],
    "Gemini": ["ジェミニ", "ジェミナイ"],
    "DeepMind": ["ディープマインド"],
    "Hugging Face": ["HuggingFace", "ハギングフェイス"],
    "Mistral AI": ["ミストラル"],
    "Copilot": ["コパイロット"],
    "Stable Diffusion": ["ステーブルディフュージョン", "ステーブル・ディフュージョン"],
    "Midjourney": ["ミッドジャーニー"],
    "Intel": ["インテル"],
    "TSMC": ["台湾積体電路製造"],
    "Samsung": ["サムスン", "サムスン電子"],
    "SoftBank": ["ソフトバンク"],
    "CUDA": ["クーダ"],
    "GPU": ["画像処理半導体", "グラフィックスプロセッサ"],
    "機械学習": ["ML", "マシンラーニング", "Machine Learning"],
    "ディープラーニング": ["深層学習", "Deep Learning"],
    "生成AI": ["ジェネレーティブAI", "生成系AI", "Generative AI"],
    "LLM": ["大規模言語モデル", "Large Language Model"],
    "強化学習": ["Reinforcement Learning"],
    "自然言語処理": ["NLP", "Natural Language Processing"],
    "ニューラルネットワーク": ["ニューラルネット", "Neural Network"],
    "Transformer": ["トランスフォーマー"],
    "RAG": ["検索拡張生成", "Retrieval-Augmented Generation"],
    "ファインチューニング": ["Fine-tuning", "ファインチューン"],
    "プロンプトエンジニアリング": ["Prompt Engineering"],
    "AGI": ["汎用人工知能"],
    "マルチモーダル": ["Multimodal"],
    "オープンソース": ["OSS", "Open Source"],
}


def normalize(value):
    # blog.text.normalize, frozen here as a migration must be
    return unicodedata.normalize("NFKC", value).casefold()


def seed(apps, schema_editor):
    AliasGroup = apps.get_model("blog", "AliasGroup")
    Alias = apps.get_model("blog", "Alias")
    taken = {normalize(name) for name in AliasGroup.objects.values_list("name", flat=True)}
    taken |= set(Alias.objects.values_list("normalized", flat=True))
    for name, spellings in SEED.items():
        if normalize(name) in taken:
            continue
        group = AliasGroup.objects.create(name=name)
        taken.add(normalize(name))
        for spelling in spellings:
            if normalize(spelling) not in taken:
                Alias.objects.create(group=group, spelling=spelling, normalized=normalize(spelling))
                taken.add(normalize(spelling))


def unseed(apps, schema_editor):
    apps.get_model("blog", "AliasGroup").objects.filter(name__in=SEED).delete()


class Migration(migrations.Migration):

    dependencies = [
        ('blog', '0007_link_card'),
    ]

    operations = [
        migrations.CreateModel(
            name='AliasGroup',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('name', models.CharField(help_text='例: NVIDIA', max_length=100, unique=True, verbose_name='代表表記')),
                ('updated_at', models.DateTimeField(auto_now=True, verbose_name='更新日時')),
            ],
            options={
                'verbose_name': '同義語・別名',
                'verbose_name_plural': '同義語・別名',
                'ordering': ['name'],
            },
        ),
        migrations.CreateModel(
            name='Alias',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('spelling', models.CharField(max_length=100, verbose_name='表記')),
                ('normalized', models.CharField(editable=False, max_length=100, unique=True)),
                ('group', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='aliases', to='blog.aliasgroup', verbose_name='グループ')),
            ],
            options={
                'verbose_name': '別表記',
                'verbose_name_plural': '別表記',
                'ordering': ['group', 'spelling'],
            },
        ),
        migrations.RunPython(seed, unseed),
    ]
