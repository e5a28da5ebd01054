"""Reports in a real browser: Chart.js draws every dashboard chart from the json_script data
(no CSP violation, checked by the ``tablet`` fixture), and the status panel refreshes itself
while a roll-up is queued or running."""

import datetime as dt

import pytest
from django.conf import settings
from django.test import Client

from reports.models import RollupState
from tests.e2e.rollups import roll_up
from tests.factories import UserFactory
from tests.reports.factories import AttendanceFactory, FundingFactory, MeetingFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def sign_in_as_superuser(page, live_server) -> None:
    client = Client()
    client.force_login(UserFactory(username="chief", is_superuser=True))
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    page.context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": live_server.url}]
    )


def test_dashboard_draws_every_chart_beside_its_table(live_server, tablet, shot):
    for fy in (2023, 2024):
        AttendanceFactory(meeting=MeetingFactory(date=dt.date(fy, 6, 1), unnamed_headcount=3))
        FundingFactory(fiscal_year=fy)
        roll_up(fy)
    sign_in_as_superuser(tablet, live_server)
    tablet.goto(live_server.url + "/reports/")
    tablet.wait_for_function("() => window.Chart !== undefined")
    drawn = tablet.evaluate(
        "() => Array.from(document.querySelectorAll('canvas[data-chart]'))"
        ".map(c => Boolean(window.Chart.getChart(c)))"
    )
    shot(tablet, "dashboard")
    assert drawn == [True, True, True, True]
    # Each chart beside its table; the 実績指標 table below draws its small charts itself (SVG).
    assert tablet.locator("section:has(canvas[data-chart]) table caption").count() == 4
    assert tablet.locator("table.indicators caption").count() == 1


def test_status_panel_refreshes_itself_until_runs_are_done(live_server, tablet):
    RollupState.objects.create(fiscal_year=2023, state="idle")
    RollupState.objects.create(fiscal_year=2024, state="running")
    sign_in_as_superuser(tablet, live_server)
    tablet.goto(live_server.url + "/reports/status/")
    assert tablet.locator("#rollup-status progress").count() == 1
    RollupState.objects.filter(fiscal_year=2024).update(state="idle")
    tablet.locator("#rollup-status progress").wait_for(state="detached", timeout=6000)
    assert tablet.locator("#rollup-status .badge--warn").count() == 0
