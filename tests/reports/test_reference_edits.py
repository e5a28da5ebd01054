"""Edits of what the roll-up reads besides attendance — an organisation's 区分 and 市内, a
subcommittee's parent, memberships, a person's organisation — are domain events: after each,
the stored rows equal a full roll-up, wherever the edit came from."""

import datetime as dt
import random

import pytest

from events import services as events
from events.models import Attendance, AttendanceStatus, Meeting
from members import services as members
from members.models import Membership, Sector
from reports import services as reports
from tests.factories import PersonFactory

from .test_incremental import FY, recomputed, rolled, stored  # noqa: F401 - fixture

YEARS = (2017, FY, 2019)


@pytest.fixture(autouse=True)
def _fy2017_rolled_up(rolled):
    """m0 (2018-03-31) is FY2017: its year is rolled up too, so moves reach three years."""
    reports.rollup_fiscal_year_compute(fiscal_year=2017)


def _all_equal(step=None) -> None:
    for year in YEARS:
        have, want = stored(year), recomputed(year)
        differ = {
            (group, name): (have.get(group, {}).get(name), value)
            for group, row in want.items()
            for name, value in row.items()
            if have.get(group, {}).get(name) != value
        }
        assert have == want, (year, step, differ)


def test_reclassifying_an_organisation_then_unticking_keeps_every_row_right(
    rolled, django_capture_on_commit_callbacks
):
    """The review's probe: a university reclassified as a company, then an untick on the sheet
    raised ``CHECK constraint failed: universities``."""
    university = rolled.orgs.U
    with django_capture_on_commit_callbacks(execute=True):
        members.organisation_update(
            organisation=university, changed_by=None, fields={"sector": Sector.COMPANY}
        )
    _all_equal()
    assert stored()[None]["universities"] == 0
    meeting = Meeting.objects.get(study_group=rolled.s1, fiscal_year=FY)
    person = Attendance.objects.get(meeting=meeting, organisation=university).person
    with django_capture_on_commit_callbacks(execute=True):
        events.attendance_clear(meeting=meeting, person=person)
    _all_equal()


def test_moving_a_subcommittee_under_another_parent_recounts_both_families(
    rolled, django_capture_on_commit_callbacks
):
    """The review's probe: the consortium row showed 3 meetings / のべ 3 against 2 / 2."""
    before = stored()[rolled.p.pk]["meetings"]
    rolled.s1.parent = rolled.q
    with django_capture_on_commit_callbacks(execute=True):
        members.study_group_save(group=rolled.s1)
    _all_equal()
    assert stored()[rolled.p.pk]["meetings"] == before - 1
    assert stored()[rolled.q.pk]["meetings"] == 1


def test_a_membership_ended_or_changed_in_the_site_is_rolled_up(
    rolled, django_capture_on_commit_callbacks
):
    membership = Membership.objects.get(organisation=rolled.orgs.A)
    with django_capture_on_commit_callbacks(execute=True):
        members.membership_update(
            membership=membership, role=Membership.Role.CHAIR, joined_on=dt.date(2017, 6, 1)
        )
    _all_equal()
    with django_capture_on_commit_callbacks(execute=True):
        members.membership_end(membership=membership, left_on=dt.date(2018, 9, 30))
    _all_equal()


def _reference_edit(rng: random.Random, rolled, people: list) -> str:
    """One random edit of what the roll-up reads, through the members services."""
    orgs = list(vars(rolled.orgs).values())
    action = rng.choice(["reclassify", "local", "regroup", "membership", "end", "move"])
    if action == "reclassify":
        org = rng.choice(orgs)
        sector = rng.choice([s for s in Sector.values if s != org.sector])
        members.organisation_update(organisation=org, changed_by=None, fields={"sector": sector})
    elif action == "local":
        org = rng.choice(orgs)
        members.organisation_update(
            organisation=org, changed_by=None, fields={"is_local": not org.is_local}
        )
    elif action == "regroup":
        group = rng.choice([rolled.s1, rolled.s2])
        group.refresh_from_db()
        group.parent = rng.choice([p for p in (rolled.p, rolled.q, None) if p != group.parent])
        members.study_group_save(group=group)
    elif action == "membership":
        members.membership_start(
            organisation=rng.choice(orgs),
            study_group=rng.choice([rolled.p, rolled.s1, rolled.s2, rolled.q]),
            joined_on=dt.date(2018, rng.randint(4, 12), rng.randint(1, 28)),
            role=rng.choice(Membership.Role.values),
        )
    elif action == "end":
        active = list(Membership.objects.filter(left_on__isnull=True))
        if active:
            membership = rng.choice(active)
            left = max(membership.joined_on, dt.date(2018, rng.randint(4, 12), 28))
            members.membership_end(membership=membership, left_on=left)
    else:
        person = rng.choice(people)
        members.person_set_organisation(person=person, organisation=rng.choice(orgs))
    return action


@pytest.mark.parametrize("seed", range(4))
def test_any_mix_of_sheet_and_reference_edits_matches_a_full_rollup(
    rolled, seed, django_capture_on_commit_callbacks
):
    """Random reference edits between random ticks and unticks: after each step every stored
    row of FY2017–FY2019 equals a full recomputation."""
    rng = random.Random(seed)
    people = list({a.person for a in Attendance.objects.select_related("person")})
    people += [PersonFactory(organisation=org) for org in vars(rolled.orgs).values()]
    with django_capture_on_commit_callbacks(execute=True):
        members.membership_start(
            organisation=rolled.orgs.U, study_group=rolled.s2, joined_on=dt.date(2018, 5, 1)
        )
    for step in range(20):
        with django_capture_on_commit_callbacks(execute=True):
            if rng.random() < 0.5:
                action = _reference_edit(rng, rolled, people)
            else:
                action = "tick"
                meeting = rng.choice(list(Meeting.objects.filter(fiscal_year=FY)))
                person = rng.choice(people)
                person.refresh_from_db()
                if rng.random() < 0.7:
                    events.attendance_set(
                        meeting=meeting,
                        person=person,
                        status=rng.choice(AttendanceStatus.values),
                        recorded_by=None,
                    )
                else:
                    events.attendance_clear(meeting=meeting, person=person)
        _all_equal((step, action))
