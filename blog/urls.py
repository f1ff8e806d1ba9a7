from django.urls import path, register_converter

from . import converters, views

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
    path("archive/", views.ArchiveIndexView.as_view(), name="archive-index"),
    path("archive/<yyyy:year>/", views.ArchivePeriodView.as_view(), name="archive-year"),
    path("archive/<yyyy:year>/<mm:month>/", views.ArchivePeriodView.as_view(), name="archive-month"),
    path("search/", views.SearchView.as_view(), name="search"),
]
