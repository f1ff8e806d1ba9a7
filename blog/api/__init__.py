"""The read-only Content API under ``/api/v1/`` (docs/api.md).

``views`` answers with published content only, through the site's own visibility rule;
``middleware`` adds what every API response shares — CORS, the per-address rate limit and the
cheap ``ETag`` from the cache's invalidation generation — in one layer in front of the views.
"""
