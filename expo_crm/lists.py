"""List pages of the staff, suppliers and partners areas: page numbers and the Excel switch."""

from __future__ import annotations

import math
from dataclasses import dataclass

import sqlalchemy as sa
from flask import request

from expo_crm.db import db

PER_PAGE = 25


def page_of(stmt: sa.Select, per_page: int = PER_PAGE):
    """One page of the query, the page number taken from ?page= (out of range: the last page)."""
    page = max(1, request.args.get("page", 1, type=int) or 1)
    return db.paginate(stmt, page=page, per_page=per_page, error_out=False, count=True)


def wants_excel() -> bool:
    return request.args.get("export") == "xlsx"


def all_rows(stmt: sa.Select, limit: int = 50000) -> list:
    """Every row of a filtered list, for export (capped so an export cannot exhaust memory)."""
    return list(db.session.scalars(stmt.limit(limit)))


def args() -> dict:
    """The list's filter arguments, as given (for the form and the export link)."""
    return {k: v for k, v in request.args.items() if k not in ("page", "export")}


@dataclass
class ListPage:
    """One page of rows computed in Python, with the attributes the pager macro reads."""

    items: list
    page: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.per_page))

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def prev_num(self) -> int:
        return self.page - 1

    @property
    def next_num(self) -> int:
        return self.page + 1


def page_of_rows(stmt: sa.Select, per_page: int = PER_PAGE) -> ListPage:
    """Like page_of, for a query of several entities or columns: each item a tuple. Only the
    page's rows are read; the count is one SELECT count(*) over the query."""
    total = db.session.scalar(
        sa.select(sa.func.count()).select_from(stmt.order_by(None).subquery())
    )
    pages = max(1, math.ceil(total / per_page))
    page = min(max(1, request.args.get("page", 1, type=int) or 1), pages)
    rows = db.session.execute(stmt.limit(per_page).offset((page - 1) * per_page))
    return ListPage([tuple(row) for row in rows], page, per_page, total)


def page_of_list(rows: list, per_page: int = PER_PAGE) -> ListPage:
    """Like page_of, for a list already in memory (out of range: the last page)."""
    pages = max(1, math.ceil(len(rows) / per_page))
    page = min(max(1, request.args.get("page", 1, type=int) or 1), pages)
    return ListPage(rows[(page - 1) * per_page : page * per_page], page, per_page, len(rows))
