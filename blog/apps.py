from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BlogConfig(AppConfig):
    name = "blog"
    verbose_name = _("公開サイト")

    def ready(self):
        from . import websub
        from .cache import tags

        tags.connect_signals()
        websub.connect_signals()
