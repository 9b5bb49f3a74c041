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
