"""Editors (and so the editor-in-chief) manage redirects, as the README's role matrix says."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

REDIRECTS = ["add_redirect", "change_redirect", "delete_redirect", "view_redirect"]
GROUPS = ["Editor", "Editor-in-chief"]


def grant(apps, schema_editor):
    blog = apps.get_app_config("blog")
    blog.models_module = True
    create_permissions(blog, apps=apps, verbosity=0)
    blog.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    perms = list(Permission.objects.filter(content_type__app_label="blog", codename__in=REDIRECTS))
    for group in Group.objects.filter(name__in=GROUPS):
        group.permissions.add(*perms)


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    perms = list(Permission.objects.filter(content_type__app_label="blog", codename__in=REDIRECTS))
    for group in Group.objects.filter(name__in=GROUPS):
        group.permissions.remove(*perms)


class Migration(migrations.Migration):
    dependencies = [
        ("editorial", "0004_sharelink"),
        ("blog", "0003_jekyll_import_and_redirects"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
