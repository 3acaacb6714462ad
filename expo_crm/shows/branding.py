"""A show's branding on its public pages: the logo and the colour staff set.

A logo is a PNG, JPEG, GIF or WebP image that Pillow can read, or an SVG without anything that
runs or fetches (no script, no event attribute, no link out, no embedded document, no DTD); at
most 512 KB and 4,000 pixels a side. The colour is a hex colour dark enough for white text on it
(contrast at least 4.5:1), since buttons and the header are drawn with it.
"""

from __future__ import annotations

import io
import re
import xml.etree.ElementTree as ET

from flask import url_for
from flask_babel import gettext as _
from PIL import Image, UnidentifiedImageError

from expo_crm import clock
from expo_crm.db import db
from expo_crm.errors import UserError
from expo_crm.shows.models import Show, ShowBranding

DEFAULT_COLOUR = "#0b5cad"
MAX_LOGO_BYTES = 512 * 1024
MAX_SIDE = 4000
RASTER_TYPES = {"PNG": "image/png", "JPEG": "image/jpeg", "GIF": "image/gif", "WEBP": "image/webp"}
SVG_TYPE = "image/svg+xml"
_HEX = re.compile(r"^#[0-9a-fA-F]{6}$")
_SVG_FORBIDDEN = {"script", "foreignobject", "iframe", "object", "embed", "audio", "video"}


class BrandingError(UserError):
    """A logo or colour the show's pages cannot carry."""


def branding_of(show: Show) -> ShowBranding | None:
    return db.session.get(ShowBranding, show.id)


def colour_of(show: Show) -> str:
    branding = branding_of(show)
    return branding.colour if branding else DEFAULT_COLOUR


def _luminance(colour: str) -> float:
    def channel(hex_pair: str) -> float:
        c = int(hex_pair, 16) / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(colour[i : i + 2]) for i in (1, 3, 5))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_with_white(colour: str) -> float:
    return 1.05 / (_luminance(colour) + 0.05)


def check_colour(colour: str) -> str:
    colour = (colour or "").strip()
    if not _HEX.match(colour):
        raise BrandingError(_("The colour must be written as # and six hex digits, e.g. #0b5cad."))
    if contrast_with_white(colour) < 4.5:
        raise BrandingError(
            _(
                "White text on %(colour)s would be hard to read (contrast %(ratio).1f:1, at "
                "least 4.5:1 needed): please choose a darker colour.",
                colour=colour,
                ratio=contrast_with_white(colour),
            )
        )
    return colour.lower()


def _check_svg(data: bytes) -> None:
    text = data.decode("utf-8", errors="strict")
    if re.search(r"<!DOCTYPE|<!ENTITY", text, re.I):
        raise BrandingError(_("This SVG declares a document type; please save it without one."))
    try:
        root = ET.fromstring(text)
    except ET.ParseError as error:
        raise BrandingError(_("This SVG file cannot be read.")) from error
    if root.tag.rsplit("}", 1)[-1].lower() != "svg":
        raise BrandingError(_("This file is not an SVG image."))
    for element in root.iter():
        name = element.tag.rsplit("}", 1)[-1].lower()
        if name in _SVG_FORBIDDEN:
            raise BrandingError(_("An SVG logo may not contain scripts or embedded documents."))
        for attribute, value in element.attrib.items():
            attribute = attribute.rsplit("}", 1)[-1].lower()
            if attribute.startswith("on"):
                raise BrandingError(_("An SVG logo may not contain scripts or embedded documents."))
            if attribute == "href" and not value.strip().startswith(("#", "data:image/")):
                raise BrandingError(_("An SVG logo may not link to other files or pages."))
            if "javascript:" in value.lower() or "url(http" in value.lower().replace(" ", ""):
                raise BrandingError(_("An SVG logo may not link to other files or pages."))


def check_logo(data: bytes) -> str:
    """The logo's media type, or a BrandingError saying why the file is refused."""
    if not data:
        raise BrandingError(_("The logo file is empty."))
    if len(data) > MAX_LOGO_BYTES:
        raise BrandingError(_("The logo is larger than 512 KB; please upload a smaller file."))
    head = data[:512].lstrip()
    if head.startswith(b"<?xml") or head.startswith(b"<svg") or b"<svg" in head:
        try:
            _check_svg(data)
        except UnicodeDecodeError as error:
            raise BrandingError(_("This SVG file cannot be read.")) from error
        return SVG_TYPE
    try:
        with Image.open(io.BytesIO(data)) as image:
            image_format = image.format
            width, height = image.size
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as error:
        raise BrandingError(_("The logo must be a PNG, JPEG, GIF, WebP or SVG image.")) from error
    if image_format not in RASTER_TYPES:
        raise BrandingError(_("The logo must be a PNG, JPEG, GIF, WebP or SVG image."))
    if max(width, height) > MAX_SIDE:
        raise BrandingError(_("The logo is larger than 4,000 pixels on a side."))
    return RASTER_TYPES[image_format]


def set_branding(
    show: Show, *, colour: str, logo: bytes | None = None, remove_logo: bool = False
) -> ShowBranding:
    colour = check_colour(colour)
    logo_type = check_logo(logo) if logo else None
    branding = branding_of(show)
    if branding is None:
        branding = ShowBranding(show_id=show.id)
        db.session.add(branding)
    branding.colour = colour
    if logo:
        branding.logo, branding.logo_type = logo, logo_type
    elif remove_logo:
        branding.logo, branding.logo_type = None, None
    branding.updated_at = clock.now()
    db.session.flush()
    return branding


def public_brand(show: Show) -> dict:
    """What a public page of the show shows in its header: name, colour and logo address."""
    branding = branding_of(show)
    logo_url = None
    if branding is not None and branding.logo is not None:
        version = int(branding.updated_at.timestamp())
        logo_url = url_for("shows.show_logo", show_id=show.id, v=version)
    return {
        "name": show.name,
        "colour": branding.colour if branding else DEFAULT_COLOUR,
        "logo_url": logo_url,
    }
