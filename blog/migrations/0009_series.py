import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('blog', '0008_search_alias'),
    ]

    operations = [
        migrations.CreateModel(
            name='Series',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('title', models.CharField(max_length=200, verbose_name='タイトル')),
                ('slug', models.SlugField(allow_unicode=True, blank=True, help_text='空欄ならタイトルから作ります（日本語可）。', max_length=100, unique=True, verbose_name='スラッグ')),
                ('description', models.TextField(blank=True, help_text='連載ページと一覧に表示されます（プレーンテキスト）。', verbose_name='説明')),
                ('cover', models.ImageField(blank=True, height_field='cover_height', help_text='JPEG・PNG・GIF・WebP。アップロード時に検証し、メタデータを除いて保存します。', upload_to='series/', verbose_name='カバー画像', width_field='cover_width')),
                ('cover_width', models.PositiveIntegerField(blank=True, editable=False, null=True)),
                ('cover_height', models.PositiveIntegerField(blank=True, editable=False, null=True)),
                ('cover_alt', models.CharField(blank=True, help_text='画像の内容を短く説明します（画像があるときは必須）。', max_length=200, verbose_name='カバー画像の代替テキスト')),
                ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='作成日時')),
                ('updated_at', models.DateTimeField(auto_now=True, verbose_name='更新日時')),
            ],
            options={
                'verbose_name': '連載',
                'verbose_name_plural': '連載',
                'ordering': ['title'],
            },
        ),
        migrations.CreateModel(
            name='SeriesEntry',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('position', models.PositiveIntegerField(default=0, help_text='小さい順に並びます。', verbose_name='順番')),
                ('article', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='series_entry', to='blog.article', verbose_name='記事')),
                ('series', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='entries', to='blog.series', verbose_name='連載')),
            ],
            options={
                'verbose_name': '連載の記事',
                'verbose_name_plural': '連載の記事',
                'ordering': ['series', 'position', 'pk'],
                'indexes': [models.Index(fields=['series', 'position'], name='series_entry_order')],
            },
        ),
    ]
