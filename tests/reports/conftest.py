"""A hand-counted fiscal year FY2018 (平成30年度) around the Hiratsuka study group.

Study group P (研究会) with subcommittees S1 and S2; a project X without a study group.

| meeting | date       | by | unnamed | attendances (person/organisation)                 |
|---------|------------|----|---------|---------------------------------------------------|
| m0      | 2018-03-31 | P  | 0       | p1/L1 attended (FY2017: must not count)           |
| m1      | 2018-04-01 | P  | 5       | p1/L1, p2/U attended; p3/O1 absent; p4/G excused  |
| m2      | 2018-10-10 | S1 | 0       | p1/L1, p2/U attended                              |
| m3      | 2019-03-31 | S2 | 2       | p1/L2 attended (a second org for p1), p3/O1       |
| m4      | 2018-12-01 | X  | 10      | p4/G, p5/F attended                               |
| m5      | 2019-04-01 | S1 | 0       | p2/U attended (FY2019)                            |

Memberships: A joins P 2018-04-01; L1 joins S1 2018-06-01 and P 2019-03-31; O1 joins P 2019-04-01.
"""

import datetime as dt
from types import SimpleNamespace

import pytest

from events.models import Attendance
from members.models import Sector
from tests.factories import MembershipFactory, PersonFactory, StudyGroupFactory

from .factories import AttendanceFactory, MeetingFactory, ProjectFactory, organisation

ABSENT, EXCUSED = Attendance.Status.ABSENT, Attendance.Status.EXCUSED


@pytest.fixture
def fy2018(db):
    p = StudyGroupFactory(name="海洋エネルギー研究会", order=1)
    s1 = StudyGroupFactory(name="第1部会", parent=p, order=1)
    s2 = StudyGroupFactory(name="第2部会", parent=p, order=2)
    q = StudyGroupFactory(name="休眠研究会", order=2)
    x = ProjectFactory(name="波力発電の実証事業")
    orgs = SimpleNamespace(
        L1=organisation("市内A社"),
        L2=organisation("市内B社"),
        O1=organisation("市外C社", local=False),
        U=organisation("東京大学生産技術研究所", Sector.UNIVERSITY),
        G=organisation("平塚市", Sector.GOVERNMENT),
        F=organisation("NEDO", Sector.FINANCIAL),
        A=organisation("平塚漁業協同組合", Sector.ASSOCIATION),
    )
    p1 = PersonFactory(organisation=orgs.L1)
    p2 = PersonFactory(organisation=orgs.U)
    p3 = PersonFactory(organisation=orgs.O1)
    p4 = PersonFactory(organisation=orgs.G)
    p5 = PersonFactory(organisation=orgs.F)
    m0 = MeetingFactory(study_group=p, date=dt.date(2018, 3, 31))
    m1 = MeetingFactory(study_group=p, date=dt.date(2018, 4, 1), unnamed_headcount=5)
    m2 = MeetingFactory(study_group=s1, date=dt.date(2018, 10, 10))
    m3 = MeetingFactory(study_group=s2, date=dt.date(2019, 3, 31), unnamed_headcount=2)
    m4 = MeetingFactory(
        study_group=None, project=x, date=dt.date(2018, 12, 1), unnamed_headcount=10
    )
    m5 = MeetingFactory(study_group=s1, date=dt.date(2019, 4, 1))
    AttendanceFactory(meeting=m0, person=p1)
    AttendanceFactory(meeting=m1, person=p1)
    AttendanceFactory(meeting=m1, person=p2)
    AttendanceFactory(meeting=m1, person=p3, status=ABSENT)
    AttendanceFactory(meeting=m1, person=p4, status=EXCUSED)
    AttendanceFactory(meeting=m2, person=p1)
    AttendanceFactory(meeting=m2, person=p2)
    AttendanceFactory(meeting=m3, person=p1, organisation=orgs.L2)
    AttendanceFactory(meeting=m3, person=p3)
    AttendanceFactory(meeting=m4, person=p4)
    AttendanceFactory(meeting=m4, person=p5)
    AttendanceFactory(meeting=m5, person=p2)
    MembershipFactory(organisation=orgs.A, study_group=p, joined_on=dt.date(2018, 4, 1))
    MembershipFactory(organisation=orgs.L1, study_group=s1, joined_on=dt.date(2018, 6, 1))
    MembershipFactory(organisation=orgs.L1, study_group=p, joined_on=dt.date(2019, 3, 31))
    MembershipFactory(organisation=orgs.O1, study_group=p, joined_on=dt.date(2019, 4, 1))
    return SimpleNamespace(p=p, s1=s1, s2=s2, q=q, x=x, orgs=orgs)


@pytest.fixture(autouse=True)
def _eager_celery(request):
    """Unit tests run tasks eagerly even when REDIS_URL is set (CI); worker tests opt out."""
    from consortium.celery import app
    from reports import broker

    eager = request.node.get_closest_marker("worker") is None
    previous = app.conf.task_always_eager
    app.conf.task_always_eager = eager
    broker.forget()
    yield
    app.conf.task_always_eager = previous
    broker.forget()


@pytest.fixture
def broker_down():
    """Point Celery at a closed port, as when Redis is down."""
    from consortium.celery import app
    from reports import broker

    previous = app.conf.broker_url
    app.conf.update(broker_url="redis://127.0.0.1:1/0", task_always_eager=False)
    app._pool = None
    app.amqp._producer_pool = None
    broker.forget()
    yield
    app.conf.update(broker_url=previous, task_always_eager=True)
    app._pool = None
    app.amqp._producer_pool = None
    broker.forget()


@pytest.fixture(autouse=True)
def _empty_cache():
    """The dashboard body is cached per data version; no test sees another test's pages."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()
