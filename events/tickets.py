"""What the QR codes at the meeting-room door hold, and the codes themselves (segno).

A ticket (受付票) holds ``KYOSO-T:<token>``: the registration's secret, never an id, short enough
for a handheld scanner that types it into a field (keyboard wedge). The door poster holds the URL
of the meeting's self check-in page with the meeting's own secret, for a member's phone camera.
"""

from __future__ import annotations

import io
from email.mime.image import MIMEImage

import segno
from django.conf import settings
from django.core.mail import EmailMultiAlternatives

TICKET_PREFIX = "KYOSO-T:"


def ticket_payload(token: str) -> str:
    return f"{TICKET_PREFIX}{token}"


def token_from_scan(scanned: str) -> str:
    """The token in what a camera or a scanner read; tolerant of the scanner's surroundings
    (whitespace, a trailing Enter, a lower-cased prefix) but never of a different token."""
    text = scanned.strip()
    if text.upper().startswith(TICKET_PREFIX):
        text = text[len(TICKET_PREFIX) :]
    return text.strip()


def qr_svg(data: str, *, scale: int = 4, title: str = "") -> str:
    """An inline ``<svg>`` of ``data`` (error correction M), without the XML declaration."""
    qr = segno.make(data, error="m")
    out = io.BytesIO()
    qr.save(
        out,
        kind="svg",
        scale=scale,
        border=2,
        xmldecl=False,
        svgns=True,
        title=title or None,
        svgclass="qr",
        lineclass=None,
        omitsize=True,
    )
    return out.getvalue().decode("utf-8")


def qr_png(data: str, *, scale: int = 6) -> bytes:
    """The same code as PNG bytes, for e-mail clients that do not show SVG."""
    out = io.BytesIO()
    segno.make(data, error="m").save(out, kind="png", scale=scale, border=2)
    return out.getvalue()


TICKET_CONTENT_ID = "ticket@kyoso"


def ticket_email(
    *, subject: str, body: str, html: str, to: list[str], token: str, label: str
) -> EmailMultiAlternatives:
    """An e-mail that carries a ticket: the text ``body``, an ``html`` part that shows the QR
    code inline (``<img src="cid:ticket@kyoso">``, a PNG, since mail clients do not show inline
    SVG), and the code as an SVG attachment to print. ``label`` names the code (its title)."""
    payload = ticket_payload(token)
    message = EmailMultiAlternatives(subject, body, settings.DEFAULT_FROM_EMAIL, to)
    message.attach_alternative(html, "text/html")
    message.mixed_subtype = "related"  # the PNG belongs to the HTML part
    image = MIMEImage(qr_png(payload), "png")
    image.add_header("Content-ID", f"<{TICKET_CONTENT_ID}>")
    image.add_header("Content-Disposition", "inline", filename="ticket.png")
    message.attach(image)
    message.attach("ticket.svg", qr_svg(payload, scale=8, title=label).encode(), "image/svg+xml")
    return message
