"""On SQLite a migration that alters a table copies it and drops the old one: with foreign keys
on, that drop would delete every row pointing at it. Migrations keep those rows."""

import sqlalchemy as sa
from flask_migrate import downgrade, upgrade

from expo_crm.database import MIGRATIONS
from expo_crm.db import db
from expo_crm.exhibitors.models import Booth
from expo_crm.visitors.models import Registration
from tests.factories import create_booth, create_registration, create_show


def test_altering_the_shows_table_keeps_the_rows_that_point_at_it(app):
    show = create_show()
    create_booth(show)
    create_registration(show)
    db.session.commit()
    db.session.remove()
    # 0008 adds columns to `shows` (on SQLite: copy, drop, rename); go back before it and up.
    downgrade(directory=str(MIGRATIONS), revision="0007_customer_value")
    upgrade(directory=str(MIGRATIONS), revision="heads")
    counts = (
        db.session.scalar(sa.select(sa.func.count(Booth.id))),
        db.session.scalar(sa.select(sa.func.count(Registration.id))),
    )
    assert counts == (1, 1)
    if db.engine.dialect.name == "sqlite":  # and the keys are enforced again afterwards
        assert db.session.execute(sa.text("PRAGMA foreign_keys")).scalar() == 1
