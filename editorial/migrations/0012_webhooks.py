"""Webhook endpoints and their delivery log; the editor-in-chief manages them."""

from django.contrib.auth.management import create_permissions
import blog.models
import django.db.models.deletion
import django.utils.timezone
import editorial.models
import uuid
from django.db import migrations, models


GRANTS = {"Editor-in-chief": ["manage_webhooks"]}


def grant(apps, schema_editor):
    editorial = apps.get_app_config("editorial")
    editorial.models_module = True
    create_permissions(editorial, apps=apps, verbosity=0)
    editorial.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for group in Group.objects.filter(name__in=GRANTS):
        group.permissions.add(*Permission.objects.filter(content_type__app_label="editorial", codename__in=GRANTS[group.name]))


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for group in Group.objects.filter(name__in=GRANTS):
        group.permissions.remove(*Permission.objects.filter(content_type__app_label="editorial", codename__in=GRANTS[group.name]))


class Migration(migrations.Migration):

    dependencies = [
        ('blog', '0010_cover_images'),
        ('editorial', '0011_editors_manage_aliases'),
    ]

    operations = [
        migrations.CreateModel(
            name='WebhookEndpoint',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('name', models.CharField(help_text='例：編集部Slack、ニュースレター配信', max_length=100, verbose_name='名前')),
                ('url', blog.models.HttpsURLField(help_text='https:// で始まる、インターネット上のアドレス（社内・ローカルのアドレスには送れません）', max_length=500, verbose_name='送信先URL')),
                ('secret', models.CharField(default=editorial.models.new_webhook_secret, help_text='受信側で署名（X-Allforces-Signature）を検証するための共有シークレット。docs/webhooks.md を参照。', max_length=200, verbose_name='署名用シークレット')),
                ('events', models.JSONField(blank=True, default=list, verbose_name='イベント')),
                ('payload_format', models.CharField(choices=[('generic', '汎用JSON'), ('slack', 'Slack互換（Incoming Webhook）')], default='generic', max_length=10, verbose_name='形式')),
                ('is_active', models.BooleanField(default=True, verbose_name='有効')),
                ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='作成日時')),
                ('updated_at', models.DateTimeField(auto_now=True, verbose_name='更新日時')),
            ],
            options={
                'verbose_name': 'Webhook送信先',
                'verbose_name_plural': 'Webhook送信先',
                'ordering': ['name', 'pk'],
                'permissions': [('manage_webhooks', 'Webhookの送信先と配信履歴を管理する')],
            },
        ),
        migrations.CreateModel(
            name='WebhookDelivery',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('delivery_id', models.UUIDField(default=uuid.uuid4, editable=False, unique=True, verbose_name='配信ID')),
                ('event', models.CharField(choices=[('article.published', '記事が公開された（article.published）'), ('article.updated', '公開中の記事が更新された（article.updated）'), ('article.unpublished', '記事の公開が取り下げられた（article.unpublished）'), ('article.scheduled', '記事の公開が予約された（article.scheduled）')], max_length=32, verbose_name='イベント')),
                ('payload', models.JSONField(default=dict, verbose_name='記事データ')),
                ('status', models.CharField(choices=[('pending', '送信待ち'), ('retrying', '再試行待ち'), ('succeeded', '成功'), ('failed', '失敗')], default='pending', max_length=10, verbose_name='状態')),
                ('attempts', models.PositiveSmallIntegerField(default=0, verbose_name='試行回数')),
                ('response_code', models.PositiveSmallIntegerField(blank=True, null=True, verbose_name='応答コード')),
                ('duration_ms', models.PositiveIntegerField(blank=True, null=True, verbose_name='所要時間（ミリ秒）')),
                ('response_excerpt', models.TextField(blank=True, verbose_name='応答の冒頭')),
                ('error', models.TextField(blank=True, verbose_name='エラー')),
                ('created_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='発生日時')),
                ('last_attempt_at', models.DateTimeField(blank=True, null=True, verbose_name='最終試行日時')),
                ('next_attempt_at', models.DateTimeField(blank=True, null=True, verbose_name='次回試行予定')),
                ('article', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='blog.article', verbose_name='記事')),
                ('resent_from', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='editorial.webhookdelivery', verbose_name='再送元')),
                ('endpoint', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='deliveries', to='editorial.webhookendpoint', verbose_name='送信先')),
            ],
            options={
                'verbose_name': 'Webhook配信履歴',
                'verbose_name_plural': 'Webhook配信履歴',
                'ordering': ['-created_at', '-pk'],
                'indexes': [models.Index(fields=['endpoint', '-created_at'], name='webhook_delivery_recent')],
            },
        ),
        migrations.RunPython(grant, revoke),
    ]
