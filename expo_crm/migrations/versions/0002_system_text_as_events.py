"""system text as event kinds with parameters, rendered in the reader's language

Interactions, tasks and complaints get `event` and `params`. The sentences the code wrote
until now (in English or Chinese, whichever the writer's locale was) become kind + params;
rows that are not recognised, such as everything a person typed, stay as they are.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-30 10:00:00

"""

import re

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

TABLES = ("interactions", "tasks", "complaints")

# Labels as the code of revision 0001 wrote them, English and Chinese, back to their codes.
BOOTH_TYPES = {"Shell scheme": "shell_scheme", "Raw space": "raw_space", "标摊": "shell_scheme",
               "光地": "raw_space"}  # fmt: skip
CATEGORIES = {
    "Booth and construction": "booth", "On-site service": "service", "Logistics": "logistics",
    "Billing and contract": "billing", "Visitor quality": "visitors", "Staff conduct": "staff",
    "Venue and facilities": "venue", "Other": "other", "展位与搭建": "booth", "现场服务": "service",
    "物流": "logistics", "账单与合同": "billing", "观众质量": "visitors", "员工表现": "staff",
    "场馆与设施": "venue", "其他": "other",
}  # fmt: skip
SEVERITIES = {"Low": "low", "Medium": "medium", "High": "high", "Critical": "critical",
              "低": "low", "中": "medium", "高": "high", "紧急": "critical"}  # fmt: skip
DELIVERABLES = {"Logo placement": "logo_placement", "Advertising": "advertising",
                "Buyer delegation": "buyer_delegation", "Mailing to members": "member_mailing",
                "Booth discount": "booth_discount", "Other": "other"}  # fmt: skip
DOCUMENTS = {"Business licence": "business_licence", "Insurance": "insurance",
             "Safety certificate": "safety_certificate"}  # fmt: skip

RETENTION_DETAILS = {
    "The relationship entered weakening: see why on its stage page and act on it.",
    "客户关系已进入弱化阶段：请在阶段页面查看原因并采取行动。",
    "The customer is lost: find out why and try to win them back.",
    "客户已消失：请查明原因，设法赢回客户。",
}


def _scores(text: str) -> dict | None:
    """ "NPS 9, satisfaction 4.5" / "NPS 9, 满意度 4.5" / "-" -> {"nps": 9, "satisfaction": "4.5"}."""
    params: dict = {"nps": None, "satisfaction": None}
    if text.strip() == "-":
        return params
    for part in text.split(", "):
        nps = re.fullmatch(r"NPS (\d+)", part)
        satisfaction = re.fullmatch(r"(?:satisfaction|满意度) ([0-9.]+)", part)
        if nps:
            params["nps"] = int(nps[1])
        elif satisfaction:
            params["satisfaction"] = satisfaction[1]
        else:
            return None
    return params


def _survey_event(params: dict) -> str:
    nps, satisfaction = params["nps"] is not None, params["satisfaction"] is not None
    if nps and satisfaction:
        return "surveys.answered_both"
    if nps:
        return "surveys.answered_nps"
    return "surveys.answered_satisfaction" if satisfaction else "surveys.answered"


def interaction_event(subject: str, source_key: str | None) -> tuple[str, dict] | None:
    """The event behind a system interaction's stored sentence, or None if not recognised."""
    if source_key and source_key.startswith("mail:"):
        return "mail.sent", {"subject": subject}
    if m := re.fullmatch(r"Registered for (\S+)", subject):
        return "visitors.registered", {"show": m[1]}
    if m := re.fullmatch(r"Checked in at gate (.+)", subject):
        return "visitors.checked_in", {"gate": m[1]}
    if m := re.fullmatch(r"Applied for ([0-9.]+) m² \((.+)\)|申请 ([0-9.]+) m²（(.+)）", subject):
        area, label = (m[1], m[2]) if m[1] else (m[3], m[4])
        if label in BOOTH_TYPES:
            return "exhibitors.applied", {"area": area, "booth_type": BOOTH_TYPES[label]}
    if m := re.fullmatch(r"Contract (\S+) signed|合同 (\S+) 已签订", subject):
        return "exhibitors.contract_signed", {"number": m[1] or m[2]}
    if m := re.fullmatch(r"Survey answered: (.+)|已填写问卷：(.+)", subject):
        params = _scores(m[1] or m[2])
        if params is not None:
            return _survey_event(params), params
    m = re.fullmatch(r"Complaint: (.+)|投诉：(.+)", subject)
    if m and (m[1] or m[2]) in CATEGORIES:
        return "relationships.complaint", {"category": CATEGORIES[m[1] or m[2]]}
    return None


def _english_half(title: str) -> str:
    # Partner and supplier tasks were written "中文 / English".
    return title.rsplit(" / ", 1)[-1]


def task_event(title: str, description: str) -> tuple[str, dict, str] | None:
    """(event, params, description to keep) behind a system task's title, or None."""
    if m := re.fullmatch(r"Complaint: (.+) \((.+)\)|投诉：(.+)（(.+)）", title):
        category, severity = (m[1], m[2]) if m[1] else (m[3], m[4])
        if category in CATEGORIES and severity in SEVERITIES:
            params = {"category": CATEGORIES[category], "severity": SEVERITIES[severity]}
            return "relationships.complaint_task", params, description
    if description in RETENTION_DETAILS:
        if m := re.fullmatch(r"(?:Retention|客户挽留): (.*)", title):
            return "relationships.retention", {"name": m[1]}, ""
        if m := re.fullmatch(r"(?:Win-back|客户赢回): (.*)", title):
            return "relationships.win_back", {"name": m[1]}, ""
    english = _english_half(title)
    m = re.fullmatch(r"(.+): (.+) overdue since (\d{4}-\d{2}-\d{2})", english)
    if m and m[2] in DELIVERABLES:
        params = {"partner": m[1], "deliverable": DELIVERABLES[m[2]], "day": m[3]}
        return "partners.deliverable_overdue", params, description
    dates = re.fullmatch(r"(\S+): (\d{4}-\d{2}-\d{2}) – (\d{4}-\d{2}-\d{2})", description)
    if dates:
        show = {"show": dates[1], "move_in": dates[2], "move_out": dates[3]}
        m = re.fullmatch(r"(.+): (.+) missing for (\S+)", english)
        if m and m[2] in DOCUMENTS:
            params = {"supplier": m[1], "doc": DOCUMENTS[m[2]]} | show
            return "suppliers.document_missing", params, ""
        pattern = r"(.+): (.+) expires (\d{4}-\d{2}-\d{2}), before the end of (\S+)"
        if (m := re.fullmatch(pattern, english)) and m[2] in DOCUMENTS:
            params = {"supplier": m[1], "doc": DOCUMENTS[m[2]], "day": m[3]} | show
            return "suppliers.document_expires", params, ""
    return None


def complaint_event(description: str) -> tuple[str, dict, str] | None:
    first, _, rest = description.partition("\n")
    if m := re.fullmatch(r"Low survey score \((.+)\)\.|问卷评分偏低（(.+)）。", first):
        params = _scores(m[1] or m[2])
        if params is not None:
            return "surveys.low_score", params, rest
    return None


def _convert(connection, table: sa.Table, rows, decide) -> None:
    for row in rows:
        found = decide(row)
        if found is not None:
            connection.execute(
                table.update().where(table.c.id == row.id).values(**found),
            )


def upgrade():
    for name in TABLES:
        with op.batch_alter_table(name, schema=None) as batch_op:
            batch_op.add_column(sa.Column("event", sa.String(length=64), nullable=True))
            batch_op.add_column(sa.Column("params", sa.JSON(), nullable=True))

    connection = op.get_bind()
    meta = sa.MetaData()
    interactions = sa.Table(
        "interactions", meta, sa.Column("id", sa.Integer), sa.Column("subject", sa.String),
        sa.Column("source_key", sa.String), sa.Column("staff_id", sa.Integer),
        sa.Column("event", sa.String), sa.Column("params", sa.JSON),
    )  # fmt: skip
    tasks = sa.Table(
        "tasks", meta, sa.Column("id", sa.Integer), sa.Column("title", sa.String),
        sa.Column("description", sa.Text), sa.Column("created_by_id", sa.Integer),
        sa.Column("event", sa.String), sa.Column("params", sa.JSON),
    )  # fmt: skip
    complaints = sa.Table(
        "complaints", meta, sa.Column("id", sa.Integer), sa.Column("description", sa.Text),
        sa.Column("source", sa.String), sa.Column("event", sa.String), sa.Column("params", sa.JSON),
    )  # fmt: skip
    application_events = sa.Table(
        "exhibitor_application_events", meta, sa.Column("from_state", sa.String),
        sa.Column("reason", sa.Text),
    )  # fmt: skip

    def on_interaction(row):
        found = interaction_event(row.subject, row.source_key)
        return found and {"event": found[0], "params": found[1], "subject": ""}

    def on_task(row):
        found = task_event(row.title, row.description)
        return found and {
            "event": found[0],
            "params": found[1],
            "title": "",
            "description": found[2],
        }

    def on_complaint(row):
        found = complaint_event(row.description)
        return found and {"event": found[0], "params": found[1], "description": found[2]}

    # System rows have no staff author; what staff logged or created stays as typed.
    _convert(
        connection,
        interactions,
        list(connection.execute(sa.select(interactions).where(interactions.c.staff_id.is_(None)))),
        on_interaction,
    )
    _convert(
        connection,
        tasks,
        list(connection.execute(sa.select(tasks).where(tasks.c.created_by_id.is_(None)))),
        on_task,
    )
    _convert(
        connection,
        complaints,
        list(connection.execute(sa.select(complaints).where(complaints.c.source == "survey"))),
        on_complaint,
    )
    # The receipt of an application is now read from the event itself, not from its reason.
    connection.execute(
        application_events.update()
        .where(
            application_events.c.from_state.is_(None),
            application_events.c.reason.in_(["Application received.", "已收到参展申请。"]),
        )
        .values(reason="")
    )


def downgrade():
    # Rows written as events get back a sentence (in English) so nothing reads empty.
    from flask_babel import force_locale

    from expo_crm import events

    connection = op.get_bind()
    meta = sa.MetaData()
    targets = {
        "interactions": ("subject", None),
        "tasks": ("title", "description"),
        "complaints": (None, "description"),
    }
    with force_locale("en"):
        for name, (title_column, detail_column) in targets.items():
            table = sa.Table(name, meta, autoload_with=connection)
            rows = connection.execute(sa.select(table).where(table.c.event.is_not(None))).mappings()
            for row in list(rows):
                values = {}
                text = events.render(row["event"], row["params"] or {})
                if title_column:
                    values[title_column] = text[:200]
                if detail_column:
                    detail = events.render_detail(row["event"], row["params"] or {})
                    if name == "complaints":
                        detail = "\n".join(filter(None, [text, row[detail_column]]))
                    values[detail_column] = detail or row[detail_column]
                connection.execute(table.update().where(table.c.id == row["id"]).values(**values))
    events_table = sa.Table("exhibitor_application_events", meta, autoload_with=connection)
    connection.execute(
        events_table.update()
        .where(events_table.c.from_state.is_(None), events_table.c.reason == "")
        .values(reason="Application received.")
    )
    for name in TABLES:
        with op.batch_alter_table(name, schema=None) as batch_op:
            batch_op.drop_column("params")
            batch_op.drop_column("event")
