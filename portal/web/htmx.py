"""One template, two uses: a page includes the partial that htmx swaps in."""

from flask import render_template, request


def is_htmx() -> bool:
    return request.headers.get("HX-Request") == "true"


def wants_partial() -> bool:
    """An htmx request that targets an element (not the whole body) gets the partial alone."""
    return is_htmx() and request.headers.get("HX-Request-Type", "partial") == "partial"


def render_page_or_partial(page: str, partial: str, **context):
    """Render the full page, or only its partial for an htmx request; both vary on HX-Request."""
    template = partial if wants_partial() else page
    return render_template(template, **context)


MAX_PAGE = 10_000


def page_number() -> int:
    """?page= as a sane positive integer (absurd values must not reach the database)."""
    page = request.args.get("page", 1, type=int) or 1
    return min(max(page, 1), MAX_PAGE)


def paginate(query):
    """One page of a query, sized by PAGE_SIZE; the page number comes from ?page=."""
    from flask import current_app

    from portal.extensions import db

    return db.paginate(query, page=page_number(), per_page=current_app.config["PAGE_SIZE"], error_out=False)


class Pager:
    """Page numbers for the pager macro where the rows are fetched by hand (shaped like Flask-SQLAlchemy's page)."""

    def __init__(self, page: int, pages: int):
        self.pages = max(1, pages)
        self.page = min(max(page, 1), self.pages)
        self.has_prev, self.has_next = self.page > 1, self.page < self.pages
        self.prev_num, self.next_num = self.page - 1, self.page + 1
