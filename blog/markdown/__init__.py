"""The Markdown pipeline (see ``pipeline.py``); ``blog.rendering`` is its public face."""
