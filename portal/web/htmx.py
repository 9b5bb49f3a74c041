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


def paginate_built(statement, params: dict):
    """paginate() for a statement built once (portal.db.built_once) with bound parameters: its count and its
    page are built once as well (keyed by the statement), and run with `params`. Same page semantics as
    Flask-SQLAlchemy's."""
    from flask import current_app
    from sqlalchemy import Integer, bindparam, func, select

    from portal.db import built_once, run_rows
    from portal.extensions import db

    per_page, page = current_app.config["PAGE_SIZE"], page_number()
    rows = built_once(("page", id(statement)), lambda: statement.limit(bindparam("page_limit", type_=Integer))
                      .offset(bindparam("page_offset", type_=Integer)))
    counted = built_once(("count", id(statement)),
                         lambda: select(func.count()).select_from(statement.order_by(None).subquery()))
    items = db.session.scalars(rows, {**params, "page_limit": per_page, "page_offset": (page - 1) * per_page}).all()
    total = run_rows(counted, params).scalar()
    return Page(page, per_page, total, items)


class Page:
    """One page of rows, shaped like Flask-SQLAlchemy's Pagination (what the templates and the pager read)."""

    def __init__(self, page: int, per_page: int, total: int, items: list):
        self.page, self.per_page, self.total, self.items = page, per_page, total, items
        self.pages = -(-total // per_page) if total else 0
        self.has_prev, self.has_next = page > 1, page < self.pages
        self.prev_num = page - 1 if self.has_prev else None
        self.next_num = page + 1 if self.has_next else None


class Pager:
    """Page numbers for the pager macro where the rows are fetched by hand (shaped like Flask-SQLAlchemy's page)."""

    def __init__(self, page: int, pages: int):
        self.pages = max(1, pages)
        self.page = min(max(page, 1), self.pages)
        self.has_prev, self.has_next = self.page > 1, self.page < self.pages
        self.prev_num, self.next_num = self.page - 1, self.page + 1
