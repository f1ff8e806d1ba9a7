"""Editors and the editor-in-chief manage series (連載); writers may only look at them.

Editors create and change a series and place, reorder or remove its articles; deleting a whole
series is the editor-in-chief's, like deleting a tag.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GRANTS = {
    "Writer": ["view_series", "view_seriesentry"],
    "Editor": [
        "view_series", "add_series", "change_series",
        "view_seriesentry", "add_seriesentry", "change_seriesentry", "delete_seriesentry",
    ],
    "Editor-in-chief": [
        "view_series", "add_series", "change_series", "delete_series",
        "view_seriesentry", "add_seriesentry", "change_seriesentry", "delete_seriesentry",
    ],
}  # fmt: skip
CODENAMES = sorted({codename for codenames in GRANTS.values() for codename in codenames})


def grant(apps, schema_editor):
    blog = apps.get_app_config("blog")
    blog.models_module = True
    create_permissions(blog, apps=apps, verbosity=0)
    blog.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    perms = {p.codename: p for p in Permission.objects.filter(content_type__app_label="blog", codename__in=CODENAMES)}
    for group in Group.objects.filter(name__in=GRANTS):
        group.permissions.add(*(perms[codename] for codename in GRANTS[group.name]))


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    perms = list(Permission.objects.filter(content_type__app_label="blog", codename__in=CODENAMES))
    for group in Group.objects.filter(name__in=GRANTS):
        group.permissions.remove(*perms)


class Migration(migrations.Migration):
    dependencies = [
        ("editorial", "0008_login_attempts"),
        ("blog", "0009_series"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
