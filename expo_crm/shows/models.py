from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from expo_crm.db import LabeledEnum, TimestampMixin, UTCDateTime, db


class ServiceStage(LabeledEnum):
    pre_show = "pre_show"
    in_show = "in_show"
    post_show = "post_show"

    @classmethod
    def labels(cls) -> dict:
        return {
            "pre_show": _l("Pre-show"),
            "in_show": _l("In-show"),
            "post_show": _l("Post-show"),
        }


class Show(TimestampMixin, db.Model):
    """One edition of an exhibition. Dates are local dates in the show's time zone."""

    __tablename__ = "shows"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(32), unique=True)
    # Editions of the same exhibition share a series; the life cycle counts editions in it.
    series: Mapped[str] = mapped_column(sa.String(64), index=True)
    name_zh: Mapped[str] = mapped_column(sa.String(200))
    name_en: Mapped[str] = mapped_column(sa.String(200))
    venue: Mapped[str] = mapped_column(sa.String(200), default="")
    timezone: Mapped[str] = mapped_column(sa.String(64), default="Asia/Shanghai")
    move_in_date: Mapped[date]
    open_from: Mapped[date]
    open_to: Mapped[date]
    move_out_date: Mapped[date]
    # The hours the halls are open for building booths on move-in days, local times.
    move_in_opens: Mapped[time | None] = mapped_column(sa.Time())
    move_in_closes: Mapped[time | None] = mapped_column(sa.Time())
    rebooking_deadline: Mapped[date | None]
    reentry_allowed: Mapped[bool] = mapped_column(default=True)
    registration_open: Mapped[bool] = mapped_column(default=True)
    # A show that is over is closed for sale (applications, booths, contracts) unless an
    # administrator reopened it: who, when and why are kept here and in the audit log.
    sales_reopened_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    sales_reopened_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("staff_users.id", ondelete="SET NULL")
    )
    sales_reopened_reason: Mapped[str] = mapped_column(sa.Text, default="")

    sales_reopened_by = relationship("StaffUser", foreign_keys=[sales_reopened_by_id])

    __table_args__ = (
        sa.CheckConstraint("move_in_date <= open_from", name="move_in_before_open"),
        sa.CheckConstraint("open_from <= open_to", name="open_days_ordered"),
        sa.CheckConstraint("open_to <= move_out_date", name="move_out_after_close"),
        sa.CheckConstraint(
            "move_in_opens IS NULL OR move_in_closes IS NULL OR move_in_opens < move_in_closes",
            name="move_in_hours_ordered",
        ),
    )

    @property
    def name(self) -> str:
        locale = get_locale()
        return self.name_zh if locale is not None and locale.language == "zh" else self.name_en

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def local_start(self, day: date) -> datetime:
        """The first instant of a local day, as an aware datetime."""
        return datetime.combine(day, time.min, tzinfo=self.tz)

    def local_end(self, day: date) -> datetime:
        return self.local_start(day + timedelta(days=1))

    def stage_at(self, moment: datetime) -> ServiceStage:
        if moment < self.local_start(self.move_in_date):
            return ServiceStage.pre_show
        if moment < self.local_end(self.move_out_date):
            return ServiceStage.in_show
        return ServiceStage.post_show

    def is_open_at(self, moment: datetime) -> bool:
        """Visitors may enter: within the open days, in the show's own time zone."""
        return self.local_start(self.open_from) <= moment < self.local_end(self.open_to)

    def is_over_at(self, moment: datetime) -> bool:
        return moment >= self.local_end(self.move_out_date)

    def closed_for_sale_at(self, moment: datetime) -> bool:
        """Over, and not reopened for sale by an administrator."""
        return self.is_over_at(moment) and self.sales_reopened_at is None

    def local_date(self, moment: datetime) -> date:
        return moment.astimezone(self.tz).date()

    @property
    def last_move_in_day(self) -> date:
        """Exhibitors build their booths from move-in to the day before opening (or on the
        opening day itself when move-in is that day)."""
        return max(self.move_in_date, self.open_from - timedelta(days=1))

    @property
    def stage(self) -> ServiceStage:
        from expo_crm import clock

        return self.stage_at(clock.now())

    def __repr__(self) -> str:
        return f"<Show {self.code}>"


class ShowBranding(db.Model):
    """What the show's public pages carry: its logo and its colour, set by staff."""

    __tablename__ = "show_brandings"

    show_id: Mapped[int] = mapped_column(
        sa.ForeignKey("shows.id", ondelete="CASCADE"), primary_key=True
    )
    colour: Mapped[str] = mapped_column(sa.String(7), default="#0b5cad")
    logo: Mapped[bytes | None] = mapped_column(sa.LargeBinary)
    logo_type: Mapped[str | None] = mapped_column(sa.String(40))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())

    __table_args__ = (
        sa.CheckConstraint("length(colour) = 7", name="colour_hex"),
        sa.CheckConstraint("(logo IS NULL) = (logo_type IS NULL)", name="logo_with_its_type"),
    )
