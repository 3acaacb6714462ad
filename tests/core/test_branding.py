"""Issue 20, item 4: a show's public pages carry its name, logo and colour set by staff; a logo
that is not an image, too large, or an SVG with script is refused and nothing is stored."""

import io

import pytest
import sqlalchemy as sa
from flask_babel import force_locale
from PIL import Image

from expo_crm.auth.permissions import Role
from expo_crm.db import db
from expo_crm.shows import branding
from expo_crm.shows.models import ShowBranding
from tests.factories import create_show, create_staff
from tests.helpers import csrf_from, login, text_of


def _png(width=120, height=40) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (11, 92, 173)).save(out, "PNG")
    return out.getvalue()


CLEAN_SVG = b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><rect width="10" height="10" fill="#123"/></svg>'


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"just some text, not an image", "must be a PNG, JPEG, GIF, WebP or SVG image"),
        (b"", "empty"),
        (b"\x89PNG" + b"0" * (600 * 1024), "larger than 512 KB"),
        (
            b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
            "may not contain scripts",
        ),
        (
            b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><rect/></svg>',
            "may not contain scripts",
        ),
        (
            b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:x="http://www.w3.org/1999/xlink">'
            b'<image x:href="https://evil.example/t.png"/></svg>',
            "may not link",
        ),
        (
            b'<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY a "b">]><svg xmlns="http://www.w3.org/2000/svg"/>',
            "document type",
        ),
    ],
)
def test_a_bad_logo_is_refused_with_its_reason(app, content, message):
    with force_locale("en"), pytest.raises(branding.BrandingError, match=message):
        branding.check_logo(content)


def test_images_and_a_clean_svg_are_accepted_with_their_type(app):
    with force_locale("en"):
        _accepted()


def _accepted():
    assert branding.check_logo(_png()) == "image/png"
    assert branding.check_logo(CLEAN_SVG) == "image/svg+xml"
    with pytest.raises(branding.BrandingError, match="4,000 pixels"):
        branding.check_logo(_png(4100, 10))


def test_a_colour_too_light_for_white_text_is_refused(app):
    with force_locale("en"):
        _colours()


def _colours():
    assert branding.check_colour("#0B5CAD") == "#0b5cad"
    with pytest.raises(branding.BrandingError, match="hard to read"):
        branding.check_colour("#ffee00")
    with pytest.raises(branding.BrandingError, match="six hex digits"):
        branding.check_colour("blue")


def _post_branding(client, show, **data):
    page = client.get(f"/shows/{show.id}/branding").get_data(as_text=True)
    return client.post(
        f"/shows/{show.id}/branding",
        data={"csrf_token": csrf_from(page), **data},
        content_type="multipart/form-data",
    )


def test_staff_set_the_logo_and_colour_and_the_public_pages_carry_them(client):
    show = create_show(name_en="China Hardware Fair 2027", name_zh="2027中国五金博览会")
    login(client, create_staff(Role.admin, locale="en").email)
    response = _post_branding(client, show, colour="#7a1f2b", logo=(io.BytesIO(_png()), "logo.png"))
    assert response.status_code == 302
    client.post(
        "/logout", data={"csrf_token": csrf_from(client.get("/shows/").get_data(as_text=True))}
    )
    html = client.get(f"/visit/{show.id}/register?lang=en").get_data(as_text=True)
    assert ":root { --brand: #7a1f2b; }" in html
    assert "<title>Visitor registration · China Hardware Fair 2027</title>" in html
    logo_src = html.split('class="brand show-brand"><img src="', 1)[1].split('"', 1)[0]
    logo = client.get(logo_src)
    assert logo.status_code == 200 and logo.mimetype == "image/png" and logo.data == _png()
    assert "sandbox" in logo.headers["Content-Security-Policy"]
    chinese = client.get(f"/visit/{show.id}/register?lang=zh").get_data(as_text=True)
    header = chinese.split("</header>", 1)[0]
    assert "<span>2027中国五金博览会</span>" in header and ">expo-crm<" not in header


def test_a_refused_logo_stores_nothing_and_says_why(client):
    show = create_show()
    login(client, create_staff(Role.admin, locale="en").email)
    _post_branding(client, show, colour="#7a1f2b", logo=(io.BytesIO(_png()), "logo.png"))
    svg = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
    response = _post_branding(client, show, colour="#224466", logo=(io.BytesIO(svg), "x.svg"))
    assert response.status_code in (200, 302)
    page = client.get(f"/shows/{show.id}/branding") if response.status_code == 302 else response
    assert "An SVG logo may not contain scripts or embedded documents." in text_of(page)
    db.session.rollback()
    [row] = db.session.scalars(sa.select(ShowBranding))
    assert (row.colour, row.logo_type, row.logo) == ("#7a1f2b", "image/png", _png())


def test_without_a_logo_the_logo_address_is_404_and_only_admins_may_brand(client):
    show = create_show()
    assert client.get(f"/shows/{show.id}/logo").status_code == 404
    login(client, create_staff(Role.sales).email)
    assert client.get(f"/shows/{show.id}/branding").status_code == 403
