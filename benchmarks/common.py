"""Shared set-up for the benchmarks: a database of their own, the app on it, bulk seeding."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results"
POSTGRES_ADMIN_URL = os.environ.get(
    "EXPO_CRM_BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test"
)
SECRET = "bench-secret-key"
BATCH = 10_000
CATEGORIES = ("professional",) * 6 + ("general", "general", "press", "vip")
# A valid 1x1 PNG: badges seeded for the scan benchmarks share it (QR images are never read on
# the scan path, and making 1,000,000 real ones would take ~50 minutes).
TINY_PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)


@dataclass
class BenchDatabase:
    kind: str
    url: str
    instance: Path


def postgres_available() -> bool:
    url = sa.make_url(POSTGRES_ADMIN_URL)
    try:
        with socket.create_connection((url.host or "127.0.0.1", url.port or 5432), timeout=1):
            return True
    except OSError:
        return False


@contextmanager
def database(kind: str):
    """A fresh, migrated database (SQLite file or a PostgreSQL database of our own), removed after."""
    instance = Path(tempfile.mkdtemp(prefix="expo-bench-"))
    admin = name = None
    if kind == "sqlite":
        url = f"sqlite:///{instance / 'bench.sqlite3'}"
    else:
        admin_url = sa.make_url(POSTGRES_ADMIN_URL).set(drivername="postgresql+psycopg")
        assert admin_url.host in ("127.0.0.1", "localhost"), "benchmarks target loopback only"
        name = f"expo_crm_bench_{uuid.uuid4().hex[:8]}"
        admin = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
        url = admin_url.set(database=name).render_as_string(hide_password=False)
    try:
        app = make_app(url, instance)
        with app.app_context():
            from expo_crm.database import init_database
            from expo_crm.db import db

            init_database()
            db.session.remove()
            db.engine.dispose()
        yield BenchDatabase(kind, url, instance)
    finally:
        if admin is not None:
            with admin.connect() as connection:
                connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            admin.dispose()
        shutil.rmtree(instance, ignore_errors=True)


def server_environment(bench: BenchDatabase) -> dict:
    env = dict(os.environ)
    env.update(
        {
            "EXPO_CRM_DATABASE_URL": bench.url,
            "EXPO_CRM_SECRET_KEY": SECRET,
            "EXPO_CRM_INSTANCE_PATH": str(bench.instance),
            "EXPO_CRM_SMTP_URL": "smtp://127.0.0.1:9",
            "PYTHONPATH": str(ROOT),
        }
    )
    return env


def make_app(url: str, instance: Path, **config):
    os.environ["EXPO_CRM_INSTANCE_PATH"] = str(instance)
    from expo_crm import create_app

    return create_app(
        {"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": SECRET, "SMTP_URL": "smtp://127.0.0.1:9"}
        | config
    )


def tables() -> dict[str, sa.Table]:
    from expo_crm.db import db

    return {table.name: table for table in db.metadata.sorted_tables}


def insert_batches(table: sa.Table, rows: list[dict]) -> None:
    from expo_crm.db import db

    with db.engine.begin() as connection:
        for start in range(0, len(rows), BATCH):
            connection.execute(table.insert(), rows[start : start + BATCH])


def open_show(code: str = "BENCH") -> int:
    """A show open today (in its own time zone), so every scan is inside its open days."""
    from expo_crm import clock

    today = clock.now().date()
    stamp = clock.now()
    show = {
        "code": code,
        "series": code,
        "name_zh": "基准展",
        "name_en": "Bench Show",
        "venue": "",
        "timezone": "Asia/Shanghai",
        "move_in_date": today - timedelta(days=3),
        "open_from": today - timedelta(days=1),
        "open_to": today + timedelta(days=1),
        "move_out_date": today + timedelta(days=2),
        "rebooking_deadline": None,
        "reentry_allowed": True,
        "registration_open": True,
        "created_at": stamp,
        "updated_at": stamp,
    }
    from expo_crm.db import db

    with db.engine.begin() as connection:
        return connection.execute(
            tables()["shows"].insert().values(**show).returning(tables()["shows"].c.id)
        ).scalar_one()


def _next_id(connection, table: sa.Table) -> int:
    return (connection.execute(sa.select(sa.func.max(table.c.id))).scalar() or 0) + 1


def seed_registrations(
    show_id: int, count: int, *, progress: bool = True, checked_in: float = 0.0
) -> list[str]:
    """`count` visitors, each with an active registration and a valid badge, inserted in
    batches with the visitors area's own code, hash and seal functions. A `checked_in` share of
    them has already come through the gate (for the attendance pages). Returns the QR texts."""
    from expo_crm import clock
    from expo_crm.db import db
    from expo_crm.visitors import codes

    t = tables()
    visitors, registrations, badges = t["visitors"], t["registrations"], t["badges"]
    stamp = clock.now()
    with db.engine.begin() as connection:
        first_visitor, first_registration = (
            _next_id(connection, visitors),
            _next_id(connection, registrations),
        )
        first_badge = _next_id(connection, badges)
    all_codes: list[str] = []
    started = time.perf_counter()
    for start in range(0, count, BATCH):
        size = min(BATCH, count - start)
        batch_codes = [codes.new_code() for _ in range(size)]
        v_rows, r_rows, b_rows = [], [], []
        for i, code in enumerate(batch_codes):
            n = start + i
            v_rows.append(
                {
                    "id": first_visitor + n,
                    "name": chinese_name(n),
                    "email": f"v{n}.{show_id}@bench.example",
                    "company": f"公司{n % 5000}",
                    "locale": "zh",
                    "job_title": "",
                    "mobile": "",
                    "country": "CN",
                    "product_interests": "",
                    "created_at": stamp,
                    "updated_at": stamp,
                }
            )
            r_rows.append(
                {
                    "id": first_registration + n,
                    "visitor_id": first_visitor + n,
                    "show_id": show_id,
                    "category": CATEGORIES[n % len(CATEGORIES)],
                    "state": "active",
                    "source": "imported",
                    "inside": False,
                    "entry_count": 0,
                    "share_contact": False,
                    **_arrival(n, checked_in, stamp),
                    "marketing_consent": False,
                    "terms_accepted_at": stamp,
                    "created_at": stamp,
                    "updated_at": stamp,
                }
            )
            b_rows.append(
                {
                    "id": first_badge + n,
                    "registration_id": first_registration + n,
                    "code_hash": codes.code_hash(code),
                    "code_sealed": codes.seal(code, SECRET),
                    "qr_png": TINY_PNG,
                    "issued_at": stamp,
                    "revoke_reason": "",
                }
            )
        with db.engine.begin() as connection:
            connection.execute(visitors.insert(), v_rows)
            connection.execute(registrations.insert(), r_rows)
            connection.execute(badges.insert(), b_rows)
        all_codes.extend(batch_codes)
        if progress and count >= 100_000 and (start // BATCH) % 10 == 9:
            print(
                f"  seeded {start + size:,}/{count:,} ({time.perf_counter() - started:.0f} s)",
                file=sys.stderr,
            )
    fix_sequences("visitors", "registrations", "badges")
    return all_codes


def _arrival(n: int, share: float, stamp) -> dict:
    if share <= 0 or (n * 7919) % 1000 >= share * 1000:
        return {
            "first_checked_in_at": None,
            "first_gate": None,
            "last_scan_at": None,
            "inside": False,
            "entry_count": 0,
        }
    return {
        "first_checked_in_at": stamp - timedelta(minutes=(n * 37) % 600),
        "first_gate": f"W{n % 4 + 1}",
        "last_scan_at": stamp,
        "inside": n % 3 != 0,
        "entry_count": 1,
    }


def fix_sequences(*names: str) -> None:
    """Rows inserted with explicit ids: move PostgreSQL's sequences past them."""
    from expo_crm.db import db

    if db.engine.dialect.name != "postgresql":
        return
    with db.engine.begin() as connection:
        for name in names:
            connection.exec_driver_sql(
                f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), COALESCE((SELECT max(id) FROM {name}), 1))"
            )


def analyse() -> None:
    from expo_crm.db import db

    with db.engine.begin() as connection:
        connection.exec_driver_sql("ANALYZE")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def gunicorn(
    bench: BenchDatabase,
    *,
    workers: int = 4,
    threads: int = 4,
    app: str = "expo_crm:create_app()",
):
    """The app under gunicorn (gthread) on a loopback port; yields the base URL."""
    port = free_port()
    with open(bench.instance / f"gunicorn-{port}.log", "w") as log:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "-k",
                "gthread",
                "-w",
                str(workers),
                "--threads",
                str(threads),
                "-b",
                f"127.0.0.1:{port}",
                "--graceful-timeout",
                "5",
                "--timeout",
                "60",
                app,
            ],
            cwd=ROOT,
            env=server_environment(bench),
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            wait_for_port(port, process)
            wait_until_serving(port, workers * threads)
            yield f"http://127.0.0.1:{port}"
        finally:
            process.terminate()
            try:
                process.wait(15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def wait_for_port(port: int, process: subprocess.Popen | None = None, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"nothing answers on port {port}")


def wait_until_serving(port: int, concurrent: int, timeout: float = 120) -> None:
    """The port opens before gunicorn's workers have loaded the app: wait until `concurrent`
    simultaneous requests are all answered within a second (every worker is up)."""
    import http.client
    from concurrent.futures import ThreadPoolExecutor

    def answered(_n: int) -> bool:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
        try:
            connection.request("GET", "/bench-not-found")
            connection.getresponse().read()
            return True
        except OSError:
            return False
        finally:
            connection.close()

    deadline = time.monotonic() + timeout
    with ThreadPoolExecutor(concurrent) as pool:
        while time.monotonic() < deadline:
            if all(pool.map(answered, range(concurrent))):
                return
            time.sleep(0.5)
    raise RuntimeError(f"the server on port {port} did not start answering")


def percentile(values: list[float], fraction: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def staff_client(app, role: str = "admin"):
    """A test client logged in (through the real login form) as a new member of staff."""
    import re

    from expo_crm.auth.services import create_staff
    from expo_crm.db import db

    email = f"bench-{role}@bench.example"
    password = "bench-password-123456"
    with app.app_context():
        create_staff(email, "Bench", password, role, locale="zh")
        db.session.commit()
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page) or re.search(
        r'value="([^"]+)"[^>]*name="csrf_token"', page
    )
    response = client.post(
        "/login",
        data={"email": email, "password": password, "csrf_token": token.group(1) if token else ""},
    )
    if response.status_code != 302:
        raise RuntimeError(f"bench login failed with {response.status_code}")
    return client


CHINESE_SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
CHINESE_GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华建国志红玉兰春梅海燕文博浩然子轩欣怡思远雨桐"


def chinese_name(n: int) -> str:
    """A plausible Chinese personal name, different for neighbouring n."""
    given = CHINESE_GIVEN
    return (
        CHINESE_SURNAMES[n % len(CHINESE_SURNAMES)]
        + given[(n // 7) % len(given)]
        + given[(n * 13 + 5) % len(given)]
    )
