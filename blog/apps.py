from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BlogConfig(AppConfig):
    name = "blog"
    verbose_name = _("公開サイト")

    def ready(self):
        from . import stored_html, websub
        from .cache import tags

        stored_html.connect_signals()
        tags.connect_signals()
        websub.connect_signals()
