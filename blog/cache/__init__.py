"""Caching of public pages, fragments and values by cache tag (docs/architecture.md).

``tags``: the vocabulary and what each change invalidates; ``store``: kept entries indexed by tag;
``fragments``: kept fragments and values, ``{% kept %}``; ``middleware``: the page cache;
``purge``: invalidation after the commit and the CDN hook.
"""
