"""Queries per page: every page of the issue, fetched with the test client as an administrator
(and the member-facing pages as a member), counted with CaptureQueriesContext.

Run on two databases (the small demo and the full bench data) the counts must be identical and at
most ``LIMIT``. ``python -m bench.pages`` prints the counts of the current database as JSON.
"""

from __future__ import annotations

import json
import sys

LIMIT = 12


def _largest_fiscal_year() -> int:
    from django.db.models import Count

    from events.models import Meeting

    row = (
        Meeting.objects.values("fiscal_year")
        .annotate(n=Count("attendances"))
        .order_by("-n", "-fiscal_year")
        .first()
    )
    return row["fiscal_year"] if row else 2020


def page_urls() -> dict[str, tuple[str, str]]:
    """{page name: (role, url)} with the busiest objects of the database in the detail pages."""
    from django.db.models import Count

    from events.models import Meeting
    from members.models import Person, StudyGroup
    from projects.models import Project

    group = StudyGroup.objects.annotate(n=Count("meetings")).order_by("-n", "pk").first()
    # The member's own group (its member list is shown), the same kind of page on any data.
    member_org = Person.objects.filter(user__username="bench-member").values("organisation_id")
    own_group = (
        StudyGroup.objects.member_of(member_org[0]["organisation_id"]).order_by("pk").first()
        if member_org
        else group
    )
    # A project with every section filled (agreements, outcomes, funding), busiest first.
    project = (
        Project.objects.annotate(
            n=Count("fundings", distinct=True),
            a=Count("agreements", distinct=True),
            o=Count("outcomes", distinct=True),
        )
        .order_by("-a", "-o", "-n", "pk")
        .first()
    )
    fy = _largest_fiscal_year()
    meeting = (
        Meeting.objects.filter(fiscal_year=fy, study_group__isnull=False)
        .annotate(n=Count("attendances"))
        .order_by("-n", "pk")
        .first()
    )
    export = f"fiscal_year={fy}&encoding=utf-8-sig&header=ja"
    return {
        "home": ("admin", "/"),
        "home (member)": ("member", "/"),
        "directory": ("admin", "/organisations/"),
        "study group list": ("admin", "/study-groups/"),
        "study group": ("admin", f"/study-groups/{group.pk}/"),
        "study group (member)": ("member", f"/study-groups/{own_group.pk}/"),
        "project list": ("admin", "/projects/"),
        "project detail": ("admin", f"/projects/{project.pk}/"),
        "meeting list": ("admin", "/events/"),
        "meeting detail": ("admin", f"/events/{meeting.pk}/"),
        "attendance sheet": ("admin", f"/events/{meeting.pk}/attendance/"),
        "dashboard": ("admin", "/reports/"),
        "exports page": ("admin", "/reports/exports/"),
        "export participation.csv": ("admin", f"/reports/exports/participation.csv?{export}"),
        "export funding.xlsx": ("admin", f"/reports/exports/funding.xlsx?{export}"),
        "export attendance.csv (largest FY)": (
            "admin",
            f"/reports/exports/attendance.csv?{export}",
        ),
    }


def ensure_users() -> dict:
    """The bench accounts on any database (the generator makes them; the demo gets them here)."""
    from django.contrib.auth.models import Group, User

    from members import roles
    from members.models import Membership, Person

    admin, _ = User.objects.get_or_create(
        username="bench-admin", defaults={"email": "bench-admin@bench.example.jp", "is_staff": True}
    )
    admin.groups.add(Group.objects.get(name=roles.ADMINISTRATORS))
    member = User.objects.filter(username="bench-member").first()
    if member is None or not Person.objects.filter(user=member).exists():
        member, _ = User.objects.get_or_create(
            username="bench-member", defaults={"email": "bench-member@bench.example.jp"}
        )
        active = Membership.objects.active().values("organisation_id")
        person = Person.objects.filter(organisation__in=active, user__isnull=True).first()
        person.user = member
        person.save(update_fields=["user"])
    return {"admin": admin, "member": member}


def count_queries() -> dict[str, dict]:
    """{page: {"queries": n, "status": code}} for the current database."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    users = ensure_users()
    clients = {}
    for role, user in users.items():
        clients[role] = Client()
        clients[role].force_login(user)
    counts = {}
    for name, (role, url) in page_urls().items():
        client = clients[role]
        client.get(url)  # warm caches the way a running site has them
        with CaptureQueriesContext(connection) as context:
            response = client.get(url)
            if response.streaming:
                for _chunk in response.streaming_content:
                    pass
        counts[name] = {"queries": len(context.captured_queries), "status": response.status_code}
    return counts


if __name__ == "__main__":
    from bench.setup import django_setup

    django_setup()
    json.dump(count_queries(), sys.stdout, ensure_ascii=False)
