from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EditorialConfig(AppConfig):
    name = "editorial"
    verbose_name = _("編集部")

    def ready(self):
        from config import checks  # noqa: F401 (registers the production configuration check)

        from . import webhooks

        webhooks.connect_signals()
