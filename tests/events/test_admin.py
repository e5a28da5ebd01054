"""The Django admin changes meetings through the events services: a meeting moved to another
fiscal year there reaches the reports as it does from the site."""

import datetime as dt

import pytest
from django.contrib import admin
from django.test import RequestFactory

from events.models import Attendance, Meeting
from events.signals import attendance_changed
from tests.events.factories import MeetingFactory, tokyo

pytestmark = pytest.mark.django_db


def _received():
    received = []

    def receiver(sender, fiscal_years=(), **kwargs):
        received.append(set(fiscal_years))

    return received, receiver


def test_moving_a_meeting_in_the_admin_announces_both_years(people, study_group):
    meeting = MeetingFactory(study_group=study_group, starts_at=tokyo(2018, 6, 15, 14, 0))
    meeting_admin = admin.site._registry[Meeting]
    request = RequestFactory().post("/admin/")
    request.user = people["staff"]
    received, receiver = _received()
    attendance_changed.connect(receiver)
    try:
        meeting.starts_at = tokyo(2019, 6, 15, 14, 0)
        meeting_admin.save_model(request, meeting, form=None, change=True)
        meeting_admin.delete_model(request, meeting)
    finally:
        attendance_changed.disconnect(receiver)
    assert {2018, 2019} in received
    assert {2019} in received
    assert not Meeting.objects.filter(pk=meeting.pk).exists()
    assert meeting.date == dt.date(2019, 6, 15)


def test_attendance_is_read_only_in_the_admin(people):
    request = RequestFactory().get("/admin/")
    request.user = people["admin"]
    attendance_admin = admin.site._registry[Attendance]
    assert not attendance_admin.has_add_permission(request)
    assert not attendance_admin.has_change_permission(request)
    assert not attendance_admin.has_delete_permission(request)


def test_an_admin_save_raises_the_calendar_revision_only_when_the_calendar_changes(
    people, study_group
):
    meeting = MeetingFactory(study_group=study_group, starts_at=tokyo(2018, 6, 15, 14, 0))
    meeting_admin = admin.site._registry[Meeting]
    request = RequestFactory().post("/admin/")
    request.user = people["admin"]

    def admin_save(**changes):
        obj = Meeting.objects.get(pk=meeting.pk)
        for name, value in changes.items():
            setattr(obj, name, value)
        meeting_admin.save_model(request, obj, form=None, change=True)
        return Meeting.objects.get(pk=meeting.pk)

    assert admin_save(minutes="議事録").sequence == 0
    assert admin_save(title="第1部会（会場変更）", venue="平塚市中央公民館").sequence == 1
    # A reverted old version carries its own old sequence: the stored one still rises.
    assert admin_save(title="第1部会", sequence=0).sequence == 2
