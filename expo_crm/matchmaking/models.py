"""Meetings, the slots they occupy, recommendations, hosted buyers and meeting hours."""

from __future__ import annotations

import json
from datetime import datetime, time

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from expo_crm import events
from expo_crm.db import LabeledEnum, TimestampMixin, UTCDateTime, db, enum_type

DEFAULT_OPENS = time(9, 0)
DEFAULT_CLOSES = time(17, 0)
DEFAULT_SLOT_MINUTES = 30


class MeetingState(LabeledEnum):
    requested = "requested"
    accepted = "accepted"
    declined = "declined"
    cancelled = "cancelled"
    held = "held"
    no_show = "no_show"

    @classmethod
    def labels(cls) -> dict:
        return {
            "requested": _l("Awaiting answer"),
            "accepted": _l("Confirmed"),
            "declined": _l("Declined"),
            "cancelled": _l("Cancelled"),
            "held": _l("Held"),
            "no_show": _l("No-show"),
        }


class Party(LabeledEnum):
    visitor = "visitor"
    exhibitor = "exhibitor"
    organiser = "organiser"

    @classmethod
    def labels(cls) -> dict:
        return {
            "visitor": _l("Visitor"),
            "exhibitor": _l("Exhibitor"),
            "organiser": _l("Organiser"),
        }


class MeetingHours(db.Model):
    """When meetings may take place on each open day of a show (local time), and how long a
    slot is. A show without a row uses 09:00–17:00 in 30-minute slots."""

    __tablename__ = "meeting_hours"

    show_id: Mapped[int] = mapped_column(
        sa.ForeignKey("shows.id", ondelete="CASCADE"), primary_key=True
    )
    opens: Mapped[time] = mapped_column(sa.Time, default=DEFAULT_OPENS)
    closes: Mapped[time] = mapped_column(sa.Time, default=DEFAULT_CLOSES)
    slot_minutes: Mapped[int] = mapped_column(default=DEFAULT_SLOT_MINUTES)

    __table_args__ = (
        sa.CheckConstraint("opens < closes", name="opens_before_closing"),
        sa.CheckConstraint("slot_minutes BETWEEN 10 AND 240", name="slot_length"),
    )


class BoothCapacity(db.Model):
    """How many meetings an exhibitor's booth holds at once at a show (default one)."""

    __tablename__ = "meeting_capacities"

    company_id: Mapped[int] = mapped_column(
        sa.ForeignKey("companies.id", ondelete="CASCADE"), primary_key=True
    )
    show_id: Mapped[int] = mapped_column(
        sa.ForeignKey("shows.id", ondelete="CASCADE"), primary_key=True
    )
    capacity: Mapped[int] = mapped_column(default=1)

    __table_args__ = (sa.CheckConstraint("capacity BETWEEN 1 AND 50", name="capacity_range"),)


class Meeting(TimestampMixin, db.Model):
    """A meeting between a trade visitor and an exhibitor at its booth, in one time slot."""

    __tablename__ = "meetings"

    id: Mapped[int] = mapped_column(primary_key=True)
    show_id: Mapped[int] = mapped_column(sa.ForeignKey("shows.id", ondelete="CASCADE"), index=True)
    company_id: Mapped[int] = mapped_column(
        sa.ForeignKey("companies.id", ondelete="CASCADE"), index=True
    )
    visitor_id: Mapped[int] = mapped_column(
        sa.ForeignKey("visitors.id", ondelete="CASCADE"), index=True
    )
    registration_id: Mapped[int] = mapped_column(
        sa.ForeignKey("registrations.id", ondelete="CASCADE"), index=True
    )
    state: Mapped[MeetingState] = mapped_column(
        enum_type(MeetingState, "meeting_state"), default=MeetingState.requested, index=True
    )
    requested_by: Mapped[Party] = mapped_column(enum_type(Party, "meeting_requested_by"))
    # Whose answer the request waits for: the other side, or the proposer's after a new slot.
    awaiting: Mapped[Party | None] = mapped_column(enum_type(Party, "meeting_awaiting"))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # What the requester wrote, kept as typed.
    message: Mapped[str] = mapped_column(sa.Text, default="")
    hosted: Mapped[bool] = mapped_column(default=False)
    responded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    cancelled_by: Mapped[Party | None] = mapped_column(enum_type(Party, "meeting_cancelled_by"))
    held_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    no_show_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Raised at every change: a link made for an earlier version of the meeting does nothing.
    version: Mapped[int] = mapped_column(default=1)

    show = relationship("Show")
    company = relationship("Company")
    visitor = relationship("Visitor")
    registration = relationship("Registration")

    __table_args__ = (
        sa.CheckConstraint("starts_at < ends_at", name="starts_before_end"),
        sa.CheckConstraint("requested_by <> 'organiser' OR hosted", name="organiser_hosts"),
        sa.CheckConstraint("(state = 'held') = (held_at IS NOT NULL)", name="held_when_held"),
        sa.CheckConstraint(
            "(state = 'cancelled') = (cancelled_at IS NOT NULL)", name="cancelled_when_cancelled"
        ),
        sa.Index("ix_meetings_show_id_starts_at", "show_id", "starts_at"),
    )


class SlotBooking(db.Model):
    """The slot an accepted meeting occupies, for the booth (one seat of its capacity) and for
    the visitor. The unique keys are what refuse a double booking, on every database."""

    __tablename__ = "meeting_slot_bookings"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(
        sa.ForeignKey("meetings.id", ondelete="CASCADE"), unique=True
    )
    show_id: Mapped[int] = mapped_column(sa.ForeignKey("shows.id", ondelete="CASCADE"))
    company_id: Mapped[int] = mapped_column(sa.ForeignKey("companies.id", ondelete="CASCADE"))
    visitor_id: Mapped[int] = mapped_column(sa.ForeignKey("visitors.id", ondelete="CASCADE"))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime())
    seat: Mapped[int] = mapped_column(default=1)

    __table_args__ = (
        sa.UniqueConstraint(
            "show_id", "company_id", "starts_at", "seat", name="uq_meeting_slot_bookings_booth"
        ),
        sa.UniqueConstraint(
            "show_id", "visitor_id", "starts_at", name="uq_meeting_slot_bookings_visitor"
        ),
        sa.CheckConstraint("seat >= 1", name="seat_positive"),
    )


class Recommendation(db.Model):
    """A visitor–exhibitor pair worth a meeting, with its score and the reason as an event."""

    __tablename__ = "meeting_recommendations"

    id: Mapped[int] = mapped_column(primary_key=True)
    show_id: Mapped[int] = mapped_column(sa.ForeignKey("shows.id", ondelete="CASCADE"))
    visitor_id: Mapped[int] = mapped_column(
        sa.ForeignKey("visitors.id", ondelete="CASCADE"), index=True
    )
    company_id: Mapped[int] = mapped_column(
        sa.ForeignKey("companies.id", ondelete="CASCADE"), index=True
    )
    score: Mapped[float] = mapped_column(sa.Float)
    event: Mapped[str] = mapped_column(sa.String(64))
    # The event's parameters as JSON text, serialised once per distinct reason when a show's
    # hundred thousand pairs are stored (a JSON column would encode every row on its own).
    params_json: Mapped[str] = mapped_column(sa.Text, default="{}")
    computed_at: Mapped[datetime] = mapped_column(UTCDateTime())

    __table_args__ = (
        sa.UniqueConstraint("show_id", "visitor_id", "company_id"),
        sa.CheckConstraint("score > 0", name="score_positive"),
    )

    @property
    def params(self) -> dict:
        return json.loads(self.params_json or "{}")


class HostedBuyer(db.Model):
    """A VIP buyer the organiser invites to a show and whose meetings staff schedule."""

    __tablename__ = "hosted_buyers"

    id: Mapped[int] = mapped_column(primary_key=True)
    show_id: Mapped[int] = mapped_column(sa.ForeignKey("shows.id", ondelete="CASCADE"))
    visitor_id: Mapped[int] = mapped_column(
        sa.ForeignKey("visitors.id", ondelete="CASCADE"), index=True
    )
    invited_at: Mapped[datetime] = mapped_column(UTCDateTime())
    invited_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("staff_users.id", ondelete="SET NULL")
    )
    # What staff noted about the buyer (hotel, programme), kept as typed.
    note: Mapped[str] = mapped_column(sa.Text, default="")

    visitor = relationship("Visitor")

    __table_args__ = (sa.UniqueConstraint("show_id", "visitor_id"),)


# --- text the system writes (see expo_crm.events) ----------------------------------------------

# A visitor's purchasing authority as a reason reads it ("purchasing authority: decides").
AUTHORITY_WORDS = {
    "decides": _l("decides"),
    "recommends": _l("recommends"),
    "none": _l("none"),
}
REASON = events.register(
    "matchmaking.reason",
    _l("seeks %(category)s, which you offer; purchasing authority: %(authority)s"),
    codes={"authority": AUTHORITY_WORDS},
).name
REASON_PLAIN = events.register(
    "matchmaking.reason_plain", _l("seeks %(category)s, which you offer")
).name
REASON_FOR_VISITOR = events.register(
    "matchmaking.reason_for_visitor",
    _l("offers %(category)s, which you seek"),
).name
MEETING_REQUESTED = events.register(
    "matchmaking.requested", _l("Meeting requested for %(when)s")
).name
MEETING_CONFIRMED = events.register(
    "matchmaking.confirmed", _l("Meeting confirmed for %(when)s with %(other)s")
).name
MEETING_PROPOSED = events.register(
    "matchmaking.proposed", _l("Another time proposed for the meeting: %(when)s")
).name
MEETING_DECLINED = events.register("matchmaking.declined", _l("Meeting request declined")).name
MEETING_CANCELLED = events.register(
    "matchmaking.cancelled",
    _l("Meeting of %(when)s cancelled by the %(party)s"),
    codes={"party": Party},
).name
MEETING_HELD = events.register("matchmaking.held", _l("Meeting held with %(other)s")).name
MEETING_NO_SHOW = events.register(
    "matchmaking.no_show", _l("No-show at the meeting of %(when)s")
).name
