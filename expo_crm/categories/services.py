"""The category tree: listing, editing, and import from a spreadsheet (all rows or none)."""

from __future__ import annotations

import re
from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import gettext as _

from expo_crm import audit
from expo_crm.categories.models import Category
from expo_crm.db import db
from expo_crm.documents.tabular import ImportCheck, RowResult, header_key, read_columns, text
from expo_crm.errors import UserError

CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,39}$")
COLUMNS = ("code", "name_zh", "name_en", "parent_code")
HEADERS = {
    "code": ("code", "编码", "代码"),
    "name_zh": ("name_zh", "chinese name", "中文名称", "中文名"),
    "name_en": ("name_en", "english name", "英文名称", "英文名"),
    "parent_code": ("parent_code", "parent", "上级编码", "上级"),
}


class CategoryError(UserError):
    """A category that cannot be saved as given."""


@dataclass(frozen=True)
class TreeRow:
    category: Category
    depth: int


def all_categories() -> list[Category]:
    return list(db.session.scalars(sa.select(Category).order_by(Category.code)))


def tree() -> list[TreeRow]:
    """Every category, parents before their children, siblings by code."""
    categories = all_categories()
    children: dict[int | None, list[Category]] = {}
    for category in categories:
        children.setdefault(category.parent_id, []).append(category)
    rows: list[TreeRow] = []

    def walk(parent_id: int | None, depth: int) -> None:
        for category in children.get(parent_id, []):
            rows.append(TreeRow(category, depth))
            walk(category.id, depth + 1)

    walk(None, 0)
    return rows


def choices() -> list[tuple[int, str]]:
    """(id, indented name) for a picker, in tree order."""
    return [(row.category.id, "\u3000" * row.depth + row.category.name) for row in tree()]


def by_ids(ids) -> list[Category]:
    ids = {int(i) for i in ids or ()}
    if not ids:
        return []
    return list(db.session.scalars(sa.select(Category).where(Category.id.in_(ids))))


def known_ids(ids) -> list[int]:
    """The ids given that name a category, sorted; unknown ones are dropped."""
    return sorted(c.id for c in by_ids(ids))


def _check(code: str, name_zh: str, name_en: str) -> None:
    if not CODE.fullmatch(code):
        raise CategoryError(
            _("A code is 1 to 40 letters, digits, dots, dashes or underscores, e.g. LOCK.DOOR.")
        )
    if not name_zh and not name_en:
        raise CategoryError(_("Please give the category a Chinese or an English name."))


def save_category(
    *,
    code: str,
    name_zh: str,
    name_en: str,
    parent_id: int | None,
    category: Category | None = None,
) -> Category:
    code, name_zh, name_en = code.strip(), name_zh.strip()[:120], name_en.strip()[:120]
    _check(code, name_zh, name_en)
    clash = db.session.scalar(sa.select(Category).where(Category.code == code))
    if clash is not None and clash is not category:
        raise CategoryError(_("The code %(code)s is already used.", code=code))
    parent = db.session.get(Category, parent_id) if parent_id else None
    if parent_id and parent is None:
        raise CategoryError(_("The parent category does not exist."))
    if category is not None and parent is not None and _is_within(parent, category):
        raise CategoryError(_("A category cannot sit under itself or one of its subcategories."))
    created = category is None
    if category is None:
        category = Category()
        db.session.add(category)
    category.code, category.name_zh, category.name_en = code, name_zh, name_en
    category.parent = parent
    db.session.flush()
    audit.record("category.create" if created else "category.update", category)
    return category


def _is_within(candidate: Category, ancestor: Category) -> bool:
    seen = set()
    node: Category | None = candidate
    while node is not None and node.id not in seen:
        if node.id == ancestor.id:
            return True
        seen.add(node.id)
        node = node.parent
    return False


# --- import --------------------------------------------------------------------------------


def _lookup() -> dict[str, str]:
    return {header_key(title): column for column, titles in HEADERS.items() for title in titles}


def check_import(filename: str, content: bytes) -> ImportCheck:
    """Every row checked against the tree and the file itself; nothing written."""
    result = ImportCheck()
    existing = {c.code: c for c in all_categories()}
    in_file: dict[str, int] = {}
    rows = []
    for line, raw in read_columns(
        result,
        filename,
        content,
        _lookup(),
        list(COLUMNS),
        needs=((("code",), _("The file needs a code column.")),),
    ):
        values = {column: text(raw.get(column)) for column in COLUMNS}
        row = RowResult(line=line, values=values)
        code = values["code"]
        try:
            _check(code, values["name_zh"], values["name_en"])
        except CategoryError as error:
            row.errors.append(str(error))
        if code in in_file:
            row.errors.append(_("The code %(code)s appears twice in the file.", code=code))
        in_file[code] = line
        row.action = "update" if code in existing else "create"
        row.existing_id = existing[code].id if code in existing else None
        rows.append(row)
    for row in rows:
        parent = row.values["parent_code"]
        if parent and parent not in existing and parent not in in_file:
            row.errors.append(_("The parent code %(code)s is not known.", code=parent))
        if parent and parent == row.values["code"]:
            row.errors.append(_("A category cannot sit under itself or one of its subcategories."))
    result.rows = rows
    if not result.file_errors and not result.row_errors and _has_cycle(rows, existing):
        result.file_errors.append(
            _("A category cannot sit under itself or one of its subcategories.")
        )
    return result


def _has_cycle(rows: list[RowResult], existing: dict[str, Category]) -> bool:
    parent_of = {code: (c.parent.code if c.parent else "") for code, c in existing.items()}
    parent_of.update({r.values["code"]: r.values["parent_code"] for r in rows})
    for start in parent_of:
        seen, node = set(), start
        while node:
            if node in seen:
                return True
            seen.add(node)
            node = parent_of.get(node, "")
    return False


def import_categories(filename: str, content: bytes) -> ImportCheck:
    """Create or update every row, parents linked after all exist; refused whole on any error."""
    result = check_import(filename, content)
    if not result.ok:
        raise CategoryError(_("Nothing was imported: please correct the file first."))
    by_code = {c.code: c for c in all_categories()}
    for row in result.rows:
        category = by_code.get(row.values["code"])
        if category is None:
            category = Category(code=row.values["code"])
            db.session.add(category)
            by_code[category.code] = category
        category.name_zh = row.values["name_zh"][:120]
        category.name_en = row.values["name_en"][:120]
    for row in result.rows:
        parent = row.values["parent_code"]
        by_code[row.values["code"]].parent = by_code[parent] if parent else None
    db.session.flush()
    audit.record(
        "category.import",
        None,
        after={"created": result.count("create"), "updated": result.count("update")},
    )
    return result


def export_rows() -> tuple[list[str], list[list]]:
    """The tree as a workbook the import reads back."""
    rows = [
        [
            row.category.code,
            row.category.name_zh,
            row.category.name_en,
            row.category.parent.code if row.category.parent else "",
        ]
        for row in tree()
    ]
    return list(COLUMNS), rows
