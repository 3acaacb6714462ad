"""Production web serving with gunicorn (threads per worker; the scheduler is not in here)."""

from __future__ import annotations

from gunicorn.app.base import BaseApplication


class _Gunicorn(BaseApplication):
    def __init__(self, options: dict):
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self):
        from expo_crm import create_app

        return create_app()


def serve(host: str, port: int, workers: int, threads: int) -> None:
    _Gunicorn(
        {
            "bind": f"{host}:{port}",
            "workers": workers,
            "threads": threads,
            "worker_class": "gthread",
            "accesslog": "-",
            "graceful_timeout": 20,
            "timeout": 60,
        }
    ).run()
