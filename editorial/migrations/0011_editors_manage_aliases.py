"""Editors (and so the editor-in-chief) keep the search's alias table; writers may read it."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

MODELS = ["aliasgroup", "alias"]
EDITORS = [f"{action}_{model}" for model in MODELS for action in ("add", "change", "delete", "view")]
GRANTS = {"Editor": EDITORS, "Editor-in-chief": EDITORS, "Writer": [f"view_{model}" for model in MODELS]}


def grant(apps, schema_editor):
    blog = apps.get_app_config("blog")
    blog.models_module = True
    create_permissions(blog, apps=apps, verbosity=0)
    blog.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for group in Group.objects.filter(name__in=GRANTS):
        group.permissions.add(*Permission.objects.filter(content_type__app_label="blog", codename__in=GRANTS[group.name]))


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for group in Group.objects.filter(name__in=GRANTS):
        group.permissions.remove(*Permission.objects.filter(content_type__app_label="blog", codename__in=GRANTS[group.name]))


class Migration(migrations.Migration):
    dependencies = [
        ("editorial", "0010_background_task"),
        ("blog", "0008_search_alias"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
