"""Create the newsroom's three groups with their permissions (the README's role × action matrix).

The permission lists are frozen here, as a migration must be; a later change of roles is a new
migration.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

WRITER = [
    "blog.add_article",
    "blog.change_article",
    "blog.view_article",
    "blog.view_category",
    "blog.view_author",
    "blog.view_tag",
    "editorial.submit_article",
    "editorial.view_transition",
    "editorial.view_revision",
    "editorial.view_reviewcomment",
    "editorial.add_reviewcomment",
]
EDITOR = WRITER + [
    "editorial.edit_any_article",
    "editorial.review_article",
    "editorial.schedule_article",
    "editorial.restore_revision",
    "editorial.share_preview",
    "blog.add_category",
    "blog.change_category",
    "blog.add_author",
    "blog.change_author",
    "blog.add_tag",
    "blog.change_tag",
]
EDITOR_IN_CHIEF = EDITOR + [
    "editorial.publish_article",
    "editorial.edit_published_article",
    "blog.delete_article",
    "blog.delete_tag",
]
GROUPS = {"Writer": WRITER, "Editor": EDITOR, "Editor-in-chief": EDITOR_IN_CHIEF}


def create_groups(apps, schema_editor):
    # Permissions are normally created after all migrations (post_migrate); make them now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, perms in GROUPS.items():
        group, _ = Group.objects.get_or_create(name=name)
        wanted = []
        for perm in perms:
            app_label, codename = perm.split(".")
            wanted.append(Permission.objects.get(content_type__app_label=app_label, codename=codename))
        group.permissions.set(wanted)


def delete_groups(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=GROUPS).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("editorial", "0002_revision_reviewcomment_permissions"),
        ("blog", "0002_search_trigram_index"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_groups, delete_groups)]
