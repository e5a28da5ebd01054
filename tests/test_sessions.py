import time

import pytest

from consortium.sessions import LOGIN_AT, SEEN_AT
from tests.factories import staff_user

pytestmark = pytest.mark.django_db


def _age_session(client, *, login_ago: int, seen_ago: int) -> None:
    session = client.session
    now = int(time.time())
    session[LOGIN_AT] = now - login_ago
    session[SEEN_AT] = now - seen_ago
    session.save()


def test_login_stamps_the_session(client):
    client.force_login(staff_user())
    assert {LOGIN_AT, SEEN_AT} <= set(client.session.keys())


def test_session_ends_after_inactivity(client, settings):
    client.force_login(staff_user())
    _age_session(
        client,
        login_ago=settings.KYOSO_SESSION_IDLE_SECONDS + 10,
        seen_ago=settings.KYOSO_SESSION_IDLE_SECONDS + 10,
    )
    client.get("/")
    assert "_auth_user_id" not in client.session


def test_session_ends_after_absolute_lifetime_even_when_active(client, settings):
    client.force_login(staff_user())
    _age_session(client, login_ago=settings.KYOSO_SESSION_ABSOLUTE_SECONDS + 10, seen_ago=5)
    client.get("/")
    assert "_auth_user_id" not in client.session


def test_active_session_stays_signed_in(client):
    client.force_login(staff_user())
    _age_session(client, login_ago=600, seen_ago=400)
    client.get("/")
    assert "_auth_user_id" in client.session
    assert int(time.time()) - client.session[SEEN_AT] < 5  # refreshed


def test_beat_purges_expired_sessions_every_night(settings):
    from members.tasks import purge_expired_sessions

    entry = settings.CELERY_BEAT_SCHEDULE["members-purge-expired-sessions"]
    assert entry["task"] == purge_expired_sessions.name
    assert entry["schedule"].hour == {3}


def test_session_purge_deletes_expired_sessions_only(client):
    import datetime as dt

    from django.contrib.sessions.models import Session
    from django.utils import timezone

    from members.tasks import purge_expired_sessions

    client.force_login(staff_user())
    live = client.session.session_key
    Session.objects.create(
        session_key="expired-session-key",
        session_data="",
        expire_date=timezone.now() - dt.timedelta(seconds=1),
    )

    purge_expired_sessions.apply()  # run here, as a worker would

    assert list(Session.objects.values_list("session_key", flat=True)) == [live]
