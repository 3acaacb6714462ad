"""The drawn hall plan: hall outlines, booth geometry (position, size, rotation in metres), the
checks that keep booths apart and inside their hall, renumbering, and import from Excel/CSV.
The list of booths and the plan read the same rows; selling from the plan is booths.assign_booth."""

from __future__ import annotations

import math
from decimal import Decimal, InvalidOperation

import sqlalchemy as sa
from flask_babel import gettext as _

from expo_crm import audit
from expo_crm.db import db
from expo_crm.documents.tabular import ImportCheck, RowResult, header_key, read_columns, text
from expo_crm.exhibitors.booking_models import HallOutline
from expo_crm.exhibitors.booths import booths_for_show, create_booth
from expo_crm.exhibitors.models import Booth, BoothStatus, BoothType
from expo_crm.exhibitors.services import ExhibitorError

CM = Decimal("0.01")
# Two booths that only touch along an edge do not overlap: a tolerance of 1 mm².
EPSILON = 1e-6
Point = tuple[float, float]


class GeometryError(ExhibitorError):
    """A booth or hall drawn where it cannot be; str(error) says why."""


# --- geometry --------------------------------------------------------------------------------


def corners(x, y, width, depth, rotation: int = 0) -> list[Point]:
    """The four corners of a booth, rotated about its first corner (x, y)."""
    angle = math.radians(rotation or 0)
    cos, sin = math.cos(angle), math.sin(angle)
    x, y, w, d = float(x), float(y), float(width), float(depth)
    local = [(0.0, 0.0), (w, 0.0), (w, d), (0.0, d)]
    return [(x + px * cos - py * sin, y + px * sin + py * cos) for px, py in local]


def polygon_area(points: list[Point]) -> float:
    return abs(
        sum(a[0] * b[1] - b[0] * a[1] for a, b in zip(points, points[1:] + points[:1], strict=True))
        / 2
    )


def _projection(points: list[Point], axis: Point) -> tuple[float, float]:
    values = [p[0] * axis[0] + p[1] * axis[1] for p in points]
    return min(values), max(values)


def rectangles_overlap(a: list[Point], b: list[Point]) -> bool:
    """Separating axis test for two convex quadrilaterals; touching edges do not overlap."""
    for polygon in (a, b):
        for p, q in zip(polygon, polygon[1:] + polygon[:1], strict=True):
            axis = (q[1] - p[1], p[0] - q[0])
            length = math.hypot(*axis) or 1.0
            axis = (axis[0] / length, axis[1] / length)
            a_min, a_max = _projection(a, axis)
            b_min, b_max = _projection(b, axis)
            if a_max <= b_min + 1e-3 or b_max <= a_min + 1e-3:
                return False
    return True


def _on_segment(p: Point, a: Point, b: Point) -> bool:
    cross = (b[0] - a[0]) * (p[1] - a[1]) - (b[1] - a[1]) * (p[0] - a[0])
    if abs(cross) > 1e-6 * max(1.0, math.dist(a, b)):
        return False
    return min(a[0], b[0]) - 1e-6 <= p[0] <= max(a[0], b[0]) + 1e-6 and (
        min(a[1], b[1]) - 1e-6 <= p[1] <= max(a[1], b[1]) + 1e-6
    )


def point_in_polygon(point: Point, polygon: list[Point]) -> bool:
    """Inside or on the edge."""
    edges = list(zip(polygon, polygon[1:] + polygon[:1], strict=True))
    if any(_on_segment(point, a, b) for a, b in edges):
        return True
    inside = False
    x, y = point
    for (x1, y1), (x2, y2) in edges:
        if (y1 > y) != (y2 > y) and x < (x2 - x1) * (y - y1) / (y2 - y1) + x1:
            inside = not inside
    return inside


def _segments_cross(p1: Point, p2: Point, q1: Point, q2: Point) -> bool:
    """A proper crossing (each segment strictly separates the other's ends)."""

    def side(a, b, c):
        return (b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0])

    d1, d2 = side(q1, q2, p1), side(q1, q2, p2)
    d3, d4 = side(p1, p2, q1), side(p1, p2, q2)
    return d1 * d2 < -EPSILON and d3 * d4 < -EPSILON


def inside_outline(booth: list[Point], outline: list[Point]) -> bool:
    if not all(point_in_polygon(p, outline) for p in booth):
        return False
    booth_edges = list(zip(booth, booth[1:] + booth[:1], strict=True))
    hall_edges = list(zip(outline, outline[1:] + outline[:1], strict=True))
    return not any(_segments_cross(*e, *f) for e in booth_edges for f in hall_edges)


# --- halls -----------------------------------------------------------------------------------


def parse_points(raw: str) -> list[list[float]]:
    """'0,0 60,0 60,40 0,40' (or with ; between points) as [[0, 0], [60, 0], ...]."""
    points = []
    for pair in raw.replace(";", " ").split():
        try:
            x, y = (float(v) for v in pair.split(","))
        except ValueError:
            raise GeometryError(
                _(
                    "Write the outline as points “x,y” separated by spaces, e.g. 0,0 60,0 60,40 0,40."
                )
            ) from None
        if not (math.isfinite(x) and math.isfinite(y)) or abs(x) > 99999 or abs(y) > 99999:
            raise GeometryError(_("The outline's points must be within 99,999 m."))
        points.append([round(x, 2), round(y, 2)])
    return points


def outlines(show_id: int) -> dict[str, HallOutline]:
    return {
        o.hall: o
        for o in db.session.scalars(
            sa.select(HallOutline).where(HallOutline.show_id == show_id).order_by(HallOutline.hall)
        )
    }


def set_outline(show_id: int, hall: str, points: list) -> HallOutline:
    hall = hall.strip().upper()
    if not hall:
        raise GeometryError(_("A hall needs a name."))
    if len(points) < 3 or polygon_area([tuple(p) for p in points]) <= EPSILON:
        raise GeometryError(_("A hall's outline needs at least three points enclosing an area."))
    outline = db.session.scalar(
        sa.select(HallOutline).where(HallOutline.show_id == show_id, HallOutline.hall == hall)
    )
    before = outline.points if outline else None
    if outline is None:
        outline = HallOutline(show_id=show_id, hall=hall, points=points)
        db.session.add(outline)
    outline.points = points
    polygon = [tuple(p) for p in points]
    for booth in _placed(show_id, hall):
        if not inside_outline(_booth_corners(booth), polygon):
            raise GeometryError(
                _("Booth %(number)s would be outside the hall's new outline.", number=booth.number)
            )
    db.session.flush()
    audit.record("hall.outline", outline, {"points": before}, {"points": points})
    return outline


# --- booths ----------------------------------------------------------------------------------


def _placed(show_id: int, hall: str, exclude_id: int | None = None) -> list[Booth]:
    query = sa.select(Booth).where(
        Booth.show_id == show_id, Booth.hall == hall, Booth.width.is_not(None)
    )
    if exclude_id is not None:
        query = query.where(Booth.id != exclude_id)
    return list(db.session.scalars(query))


def _booth_corners(booth: Booth) -> list[Point]:
    return corners(booth.x, booth.y, booth.width, booth.depth, booth.rotation)


def _number(value, label: str) -> Decimal:
    try:
        number = Decimal(str(value)).quantize(CM)
    except (InvalidOperation, ValueError):
        raise GeometryError(_("%(field)s must be a number of metres.", field=label)) from None
    if not number.is_finite() or abs(number) > 99999:
        raise GeometryError(_("%(field)s must be a number of metres.", field=label))
    return number


def check_geometry(
    show_id: int, hall: str, x, y, width, depth, rotation: int, exclude_id: int | None = None
) -> tuple[Decimal, Decimal, Decimal, Decimal, int]:
    """Refuse a booth of zero area, outside its hall or overlapping another; the values, rounded."""
    x, y = _number(x, "x"), _number(y, "y")
    width, depth = _number(width, _("Width")), _number(depth, _("Depth"))
    if width <= 0 or depth <= 0:
        raise GeometryError(_("A booth must have an area: its width and depth must be above 0 m."))
    rotation = int(rotation or 0) % 360
    outline = db.session.scalar(
        sa.select(HallOutline.points).where(
            HallOutline.show_id == show_id, HallOutline.hall == hall
        )
    )
    if outline is None:
        raise GeometryError(
            _("Draw the outline of hall %(hall)s before placing booths.", hall=hall)
        )
    shape = corners(x, y, width, depth, rotation)
    if not inside_outline(shape, [tuple(p) for p in outline]):
        raise GeometryError(_("The booth would be outside hall %(hall)s.", hall=hall))
    for other in _placed(show_id, hall, exclude_id):
        if rectangles_overlap(shape, _booth_corners(other)):
            raise GeometryError(_("The booth would overlap booth %(number)s.", number=other.number))
    return x, y, width, depth, rotation


def draw_booth(
    show_id: int,
    *,
    hall: str,
    number: str,
    x,
    y,
    width,
    depth,
    rotation: int = 0,
    booth_type: BoothType | str = BoothType.shell_scheme,
    price_per_m2=0,
) -> Booth:
    """A new booth drawn on the plan: its area is its width × depth."""
    hall = hall.strip().upper()
    x, y, width, depth, rotation = check_geometry(show_id, hall, x, y, width, depth, rotation)
    booth = create_booth(
        show_id,
        hall=hall,
        number=number,
        area_m2=(width * depth).quantize(CM),
        booth_type=booth_type,
        price_per_m2=price_per_m2,
    )
    booth.x, booth.y, booth.width, booth.depth, booth.rotation = x, y, width, depth, rotation
    db.session.flush()
    return booth


def place_booth(booth: Booth, *, x, y, width, depth, rotation: int = 0) -> Booth:
    """Move, resize or turn a booth on the plan. A taken booth may move but not change size."""
    x, y, width, depth, rotation = check_geometry(
        booth.show_id, booth.hall, x, y, width, depth, rotation, exclude_id=booth.id
    )
    area = (width * depth).quantize(CM)
    if area != booth.area_m2 and booth.status in (
        BoothStatus.reserved,
        BoothStatus.sold,
        BoothStatus.held,
    ):
        raise GeometryError(
            _(
                "Booth %(number)s is taken: it may move but not change its area.",
                number=booth.number,
            )
        )
    before = audit.snapshot(booth, "x", "y", "width", "depth", "rotation", "area_m2")
    booth.x, booth.y, booth.width, booth.depth, booth.rotation = x, y, width, depth, rotation
    booth.area_m2 = area
    db.session.flush()
    audit.record(
        "booth.place",
        booth,
        before,
        audit.snapshot(booth, "x", "y", "width", "depth", "rotation", "area_m2"),
    )
    return booth


def renumber_booth(booth: Booth, number: str) -> Booth:
    number = number.strip().upper()
    if not number:
        raise ExhibitorError(_("A booth needs a number."))
    if number == booth.number:
        return booth
    taken = db.session.scalar(
        sa.select(Booth.id).where(Booth.show_id == booth.show_id, Booth.number == number)
    )
    if taken:
        raise ExhibitorError(_("Booth %(number)s already exists in this show.", number=number))
    old = booth.number
    booth.number = number
    db.session.flush()
    audit.record("booth.renumber", booth, {"number": old}, {"number": number})
    return booth


# --- the plan as data for the page ---------------------------------------------------------

HALL_GAP = 10.0


def plan_data(show_id: int, *, with_companies: bool = True) -> dict:
    """Halls laid out side by side (each at an x offset), and every placed booth. The portal
    asks without companies: an exhibitor sees which booths are free, not who took the others."""
    halls = []
    offset = 0.0
    for hall, outline in outlines(show_id).items():
        xs = [p[0] for p in outline.points]
        ys = [p[1] for p in outline.points]
        halls.append(
            {
                "hall": hall,
                "points": outline.points,
                "dx": offset - min(xs),
                "x0": min(xs),
                "y0": min(ys),
                "w": max(xs) - min(xs),
                "h": max(ys) - min(ys),
            }
        )
        offset += max(xs) - min(xs) + HALL_GAP
    booths, unplaced = [], []
    for booth, company in booths_for_show(show_id):
        row = {
            "id": booth.id,
            "n": booth.number,
            "h": booth.hall,
            "r": booth.rotation,
            "s": booth.status.value,
            "a": str(booth.area_m2),
            "t": booth.booth_type.label,
        }
        if with_companies and company is not None:
            row["c"] = company.name
        if booth.width is None:
            unplaced.append(row)
            continue
        row.update(x=float(booth.x), y=float(booth.y), w=float(booth.width), d=float(booth.depth))
        booths.append(row)
    return {
        "halls": halls,
        "booths": booths,
        "unplaced": unplaced,
        "width": max(offset - HALL_GAP, 1.0),
        "height": max([h["h"] for h in halls] or [1.0]),
    }


# --- import from Excel / CSV ---------------------------------------------------------------

COLUMNS = {
    "hall": ("hall", "展馆"),
    "number": ("number", "booth", "展位号"),
    "x": ("x",),
    "y": ("y",),
    "width": ("width", "宽"),
    "depth": ("depth", "深"),
    "rotation": ("rotation", "旋转"),
    "booth_type": ("boothtype", "type", "类型"),
    "price_per_m2": ("pricepersqm", "pricepm2", "priceperm2", "单价"),
    "outline": ("outline", "轮廓"),
}
LOOKUP = {header_key(alias): column for column, aliases in COLUMNS.items() for alias in aliases}
TYPES = {
    "shell_scheme": "shell_scheme",
    "标摊": "shell_scheme",
    "raw_space": "raw_space",
    "光地": "raw_space",
}


def import_plan(show_id: int, filename: str, content: bytes) -> ImportCheck:
    """Rows with an outline set a hall's outline; rows with a number draw or move a booth.
    All or nothing: the first refused row rolls the whole file back (the caller's transaction)."""
    result = ImportCheck()
    rows = list(
        read_columns(
            result,
            filename,
            content,
            LOOKUP,
            list(COLUMNS),
            needs=((("hall",), _("The file needs a “hall” column.")),),
        )
    )
    # Outlines first, so that booths of the same file are checked against them.
    ordered = sorted(rows, key=lambda row: 0 if text(row[1].get("outline")) else 1)
    for line, values in ordered:
        row = RowResult(line, {k: text(v) for k, v in values.items()})
        result.rows.append(row)
        try:
            with db.session.begin_nested():
                _import_row(show_id, row)
        except ExhibitorError as refused:
            row.errors.append(str(refused))
    result.rows.sort(key=lambda r: r.line)
    return result


def _price(value) -> Decimal:
    try:
        price = Decimal(str(value or 0)).quantize(CM)
    except (InvalidOperation, ValueError):
        raise ExhibitorError(_("The price per m² must be a number.")) from None
    if not price.is_finite():
        raise ExhibitorError(_("The price per m² must be a number."))
    return price


def _import_row(show_id: int, row: RowResult) -> None:
    values = row.values
    hall = values.get("hall", "").upper()
    if values.get("outline"):
        set_outline(show_id, hall, parse_points(values["outline"]))
        row.action = "outline"
        return
    number = values.get("number", "").upper()
    if not number:
        raise ExhibitorError(_("A row needs a booth number or a hall outline."))
    geometry = {k: values.get(k) or "0" for k in ("x", "y", "width", "depth")}
    rotation = int(_number(values.get("rotation") or 0, _("Rotation")))
    existing = db.session.scalar(
        sa.select(Booth).where(Booth.show_id == show_id, Booth.number == number)
    )
    if existing is not None:
        if existing.hall != hall:
            raise ExhibitorError(
                _("Booth %(number)s is in hall %(hall)s.", number=number, hall=existing.hall)
            )
        place_booth(existing, rotation=rotation, **geometry)
        row.action, row.existing_id = "update", existing.id
        return
    booth_type = TYPES.get(values.get("booth_type") or "shell_scheme")
    if booth_type is None:
        raise ExhibitorError(_("The booth type must be shell_scheme (标摊) or raw_space (光地)."))
    draw_booth(
        show_id,
        hall=hall,
        number=number,
        rotation=rotation,
        booth_type=booth_type,
        price_per_m2=_price(values.get("price_per_m2")),
        **geometry,
    )
    row.action = "create"
