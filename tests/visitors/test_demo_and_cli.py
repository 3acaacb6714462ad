"""Demo data, CLI export of badge codes (audited) and import of visitors."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import sqlalchemy as sa
from openpyxl import Workbook

from expo_crm import clock
from expo_crm.audit.models import AuditEvent
from expo_crm.auth.permissions import Role
from expo_crm.db import db
from expo_crm.demo import DemoContext
from expo_crm.visitors import demo, services
from expo_crm.visitors.models import Registration, Scan, Visitor
from tests.factories import create_open_show, create_registration, create_show, create_staff


def test_demo_seeds_visitors_across_editions_with_checkins_today(app):
    today = clock.now().date()
    shows = [
        create_show(open_from=today + timedelta(days=d), series="CIHF")
        for d in (-730, -365, -1, 75)
    ]
    ctx = DemoContext(
        earlier=shows[0],
        past=shows[1],
        current=shows[2],
        future=shows[3],
        staff={"sales": [create_staff(Role.sales)]},
        exhibitors=0,
        visitors=40,
    )
    demo.seed(ctx)
    db.session.commit()
    assert db.session.scalar(sa.select(sa.func.count(Visitor.id))) == 40
    assert any("\u4e00" <= v.name[0] <= "\u9fff" for v in db.session.scalars(sa.select(Visitor)))
    checked_in_past = services.checked_in_registrations(ctx.past.id)
    assert len(checked_in_past) > 5
    today_at_current = [
        r
        for r in services.checked_in_registrations(ctx.current.id)
        if ctx.current.local_date(r.first_checked_in_at) == ctx.current.local_date(clock.now())
    ]
    assert today_at_current
    gates = set(db.session.scalars(sa.select(Scan.gate)))
    assert len(gates) >= 3
    assert any("ecg_" in note for note in ctx.notes)


def _cli(app, *args):
    from expo_crm.cli import cli

    runner = app.test_cli_runner()
    return runner.invoke(cli, list(args), catch_exceptions=False)


def test_cli_exports_badge_codes_for_print_vendors_and_audits_it(app, tmp_path):
    show = create_open_show()
    _, code = create_registration(show, name="王芳", company="宁波工具")
    output = tmp_path / "badges.csv"
    result = _cli(app, "export", "badges", "--show", str(show.id), "-o", str(output))
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(output.read_text(encoding="utf-8"))))
    assert [(r["code"], r["name"], r["company"], r["category"]) for r in rows] == [
        (code, "王芳", "宁波工具", "professional")
    ]
    db.session.rollback()
    assert db.session.scalar(
        sa.select(AuditEvent.action).where(AuditEvent.action == "visitors.export_badges")
    )


def test_cli_imports_visitors_from_xlsx_and_csv(app, tmp_path):
    show = create_show()
    book = Workbook()
    book.active.append(["name", "email", "company", "mobile"])
    book.active.append(["赵敏", "zhao@example.cn", "义乌进出口", "+86 138 0000 0000"])
    book.active.append(["Bad Row", "not-an-email", "", ""])
    xlsx = tmp_path / "visitors.xlsx"
    book.save(xlsx)
    refused = _cli(app, "import", "visitors", str(xlsx), "--show", str(show.id))
    assert refused.exit_code != 0 and "row 3" in refused.output
    assert "nothing was imported" in refused.output  # all or nothing
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count(Registration.id))) == 0
    book.active.delete_rows(3)
    book.save(xlsx)
    preview = _cli(app, "import", "visitors", str(xlsx), "--show", str(show.id), "--dry-run")
    assert "would register 1, already registered 0" in preview.output
    result = _cli(app, "import", "visitors", str(xlsx), "--show", str(show.id))
    assert result.exit_code == 0, result.output
    assert "created 1, already registered 0" in result.output
    data = tmp_path / "visitors.csv"
    # Chinese Excel saves CSV in GBK (GB18030)
    data.write_bytes(
        "姓名,邮箱,公司\n赵敏,zhao@example.cn,义乌进出口\nLiam Ng,liam@example.com,ToolPoint\n".encode(
            "gb18030"
        )
    )
    result = _cli(app, "import", "visitors", str(data), "--show", str(show.id))
    assert "created 1, already registered 1" in result.output
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count(Registration.id))) == 2
    assert all(r.active_badge is not None for r in db.session.scalars(sa.select(Registration)))
