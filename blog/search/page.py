"""What the search page shows around its results: the order switch, the facets and the filters
in use, each as a link that keeps the rest of the search (query, order, other filters)."""

import datetime
from dataclasses import dataclass
from urllib.parse import urlencode

from .. import search
from . import ORDERS, filters

ORDER_LABELS = {"relevance": "関連度", "new": "新しい順"}


def read_order(value: str) -> tuple[str, str | None]:
    """The order ``sort`` names (the default when empty), and a notice when it names none."""
    if not value:
        return ORDERS[0], None
    if value in ORDERS:
        return value, None
    shown = value if len(value) <= filters.SHOWN_IN_NOTICE else value[: filters.SHOWN_IN_NOTICE] + "…"
    return ORDERS[0], f"並び順「{shown}」は使えないため、関連度順で表示しています。"


@dataclass
class Link:
    label: str
    query: str  # the URL's query string, without "?"
    active: bool = False
    count: int | None = None


class SearchPage:
    def __init__(self, query: str, order: str, chosen: filters.Filters, results=None):
        self.query, self.order, self.filters = query, order, chosen
        self.results = results

    def parameters(self, **changes) -> dict:
        """The search's URL parameters with ``changes`` (``None`` drops one), page left out."""
        values = {"q": self.query, "sort": "" if self.order == ORDERS[0] else self.order, **self.filters.parameters}
        for name, value in changes.items():
            values[name.rstrip("_")] = value  # from_=…: "from" is a Python keyword
        return {name: value for name, value in values.items() if value}

    def link_query(self, **changes) -> str:
        return urlencode(self.parameters(**changes))

    @property
    def result_limit(self) -> int:
        return search.RESULT_LIMIT

    @property
    def order_links(self) -> list[Link]:
        return [
            Link(ORDER_LABELS[order], self.link_query(sort="" if order == ORDERS[0] else order), order == self.order)
            for order in ORDERS
        ]

    @property
    def facet_groups(self) -> list[dict]:
        """Each facet's most frequent values among the results, each a link narrowing to it."""
        if self.results is None or not self.results.count():
            return []
        counted = self.results.facets
        groups = []
        for kind in filters.SLUG_FILTERS:
            chosen = self.filters.chosen.get(kind)
            links = []
            for slug, name, count in counted[kind]:
                active = chosen is not None and chosen.slug == slug
                # a chosen value's link takes the filter off again
                links.append(Link(name, self.link_query(**{kind: None if active else slug}), active, count))
            if links:
                groups.append({"label": filters.LABELS[kind], "links": links, "chosen": chosen})
        years = []
        for year, count in counted["year"]:
            active = self._is_year(year)
            period = {"from_": None, "to": None} if active else {"from_": f"{year}-01-01", "to": f"{year}-12-31"}
            years.append(Link(f"{year}年", self.link_query(**period), active, count))
        if years:
            groups.append({"label": "公開年", "links": years, "chosen": None})
        return groups

    def _is_year(self, year: int) -> bool:
        return (self.filters.start, self.filters.end) == (datetime.date(year, 1, 1), datetime.date(year, 12, 31))

    @property
    def active_filters(self) -> list[Link]:
        """The filters in use, each with the link that removes it."""
        links = [
            Link(f"{filters.LABELS[kind]}：{chosen.name}", self.link_query(**{kind: None}))
            for kind, chosen in self.filters.chosen.items()
        ]
        if self.filters.start or self.filters.end:
            period = f"{self.filters.start or ''}〜{self.filters.end or ''}"
            links.append(Link(f"期間：{period}", self.link_query(from_=None, to=None)))
        return links

    @property
    def clear_query(self) -> str:
        return urlencode({name: value for name, value in self.parameters().items() if name in ("q", "sort")})

    @property
    def hidden_fields(self) -> list[tuple[str, str]]:
        """What the date form must carry along: everything but the dates."""
        return [(name, value) for name, value in self.parameters().items() if name not in filters.DATE_FILTERS]

    @property
    def date_values(self) -> dict:
        return {"from": self.filters.start.isoformat() if self.filters.start else "", "to": self.filters.end.isoformat() if self.filters.end else ""}
