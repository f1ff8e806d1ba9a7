from django.urls import path, re_path, register_converter

from . import converters, feeds, json_feed, share_images, views
from .sitemaps import SITEMAPS, news_sitemap_view, sitemap_view

register_converter(converters.UnicodeSlugConverter, "uslug")
register_converter(converters.YearConverter, "yyyy")
register_converter(converters.MonthConverter, "mm")

app_name = "blog"

urlpatterns = [
    path("", views.ArticleListView.as_view(), name="article-list"),
    path("articles/<uslug:slug>/", views.ArticleDetailView.as_view(), name="article-detail"),
    path("categories/<uslug:slug>/", views.CategoryDetailView.as_view(), name="category-detail"),
    path("tags/<uslug:slug>/", views.TagDetailView.as_view(), name="tag-detail"),
    path("authors/<uslug:slug>/", views.AuthorDetailView.as_view(), name="author-detail"),
    path("series/", views.SeriesListView.as_view(), name="series-list"),
    path("series/<uslug:slug>/", views.SeriesDetailView.as_view(), name="series-detail"),
    path("archive/", views.ArchiveIndexView.as_view(), name="archive-index"),
    path("archive/<yyyy:year>/", views.ArchivePeriodView.as_view(), name="archive-year"),
    path("archive/<yyyy:year>/<mm:month>/", views.ArchivePeriodView.as_view(), name="archive-month"),
    path("search/", views.SearchView.as_view(), name="search"),
    path("search/suggest/", views.search_suggestions, name="search-suggest"),
    re_path(r"^og/(?P<pk>[0-9]+)-(?P<digest>[0-9a-f]{16})\.png$", share_images.share_image, name="share-image"),
    path("feed/", feeds.conditional_feed(feeds.ArticleFeed), name="feed"),
    path("feed/atom/", feeds.conditional_feed(feeds.SiteAtomFeed), name="feed-atom"),
    path("feed.json", json_feed.conditional_json_feed(json_feed.SiteJsonFeed), name="feed-json"),
    path("categories/<uslug:slug>/feed/", feeds.conditional_feed(feeds.CategoryFeed), name="category-feed"),
    path("categories/<uslug:slug>/feed/atom/", feeds.conditional_feed(feeds.CategoryAtomFeed), name="category-feed-atom"),
    path("categories/<uslug:slug>/feed.json", json_feed.conditional_json_feed(json_feed.CategoryJsonFeed), name="category-feed-json"),
    path("tags/<uslug:slug>/feed/", feeds.conditional_feed(feeds.TagFeed), name="tag-feed"),
    path("tags/<uslug:slug>/feed/atom/", feeds.conditional_feed(feeds.TagAtomFeed), name="tag-feed-atom"),
    path("tags/<uslug:slug>/feed.json", json_feed.conditional_json_feed(json_feed.TagJsonFeed), name="tag-feed-json"),
    path("authors/<uslug:slug>/feed/", feeds.conditional_feed(feeds.AuthorFeed), name="author-feed"),
    path("authors/<uslug:slug>/feed/atom/", feeds.conditional_feed(feeds.AuthorAtomFeed), name="author-feed-atom"),
    path("authors/<uslug:slug>/feed.json", json_feed.conditional_json_feed(json_feed.AuthorJsonFeed), name="author-feed-json"),
    path("series/<uslug:slug>/feed/", feeds.conditional_feed(feeds.SeriesFeed), name="series-feed"),
    path("series/<uslug:slug>/feed/atom/", feeds.conditional_feed(feeds.SeriesAtomFeed), name="series-feed-atom"),
    path("series/<uslug:slug>/feed.json", json_feed.conditional_json_feed(json_feed.SeriesJsonFeed), name="series-feed-json"),
    path("sitemap.xml", sitemap_view, {"sitemaps": SITEMAPS}, name="sitemap"),
    path("sitemap-news.xml", news_sitemap_view, name="sitemap-news"),
    path("robots.txt", views.robots_txt, name="robots-txt"),
]
