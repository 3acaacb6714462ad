"""One PDF helper: a Jinja template rendered by WeasyPrint, loading only the app's own files."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

from flask import current_app, render_template
from flask_babel import force_locale

STATIC_PREFIX = "expo-static:"


class ForbiddenResource(ValueError):
    pass


class StaticOnlyFetcher:
    """Only the package's static folder and inline data: nothing from the network or the disk."""

    _MIME = {".css": "text/css", ".png": "image/png", ".svg": "image/svg+xml", ".ttf": "font/ttf"}

    def __new__(cls, static_folder: str):
        from weasyprint.urls import URLFetcher, URLFetcherResponse

        class _Fetcher(URLFetcher):
            def fetch(self, url, headers=None):
                if url.startswith("data:"):
                    return super().fetch(url, headers)
                if url.startswith(STATIC_PREFIX):
                    relative = urlsplit(url[len(STATIC_PREFIX) :]).path.lstrip("/")
                    root = Path(static_folder).resolve()
                    target = (root / relative).resolve()
                    if root in target.parents and target.is_file():
                        mime = cls._MIME.get(target.suffix, "application/octet-stream")
                        return URLFetcherResponse(url, target.read_bytes(), {"Content-Type": mime})
                raise ForbiddenResource(f"resource not allowed in PDF: {url[:80]}")

        return _Fetcher(allowed_protocols=("data",))


def render_pdf(template: str, *, language: str | None = None, **context) -> bytes:
    """templates/pdf/<template> -> PDF bytes. Many badges: pass them all to one template."""
    from weasyprint import HTML

    context.setdefault("static_url", lambda path: STATIC_PREFIX + path)
    if language:
        with force_locale(language):
            html = render_template(f"pdf/{template}", **context)
    else:
        html = render_template(f"pdf/{template}", **context)
    return HTML(
        string=html,
        base_url=STATIC_PREFIX,
        url_fetcher=StaticOnlyFetcher(current_app.static_folder),
    ).write_pdf()
