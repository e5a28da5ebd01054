"""Reads of the events app, above all *who may see which meeting*."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, NamedTuple, TypedDict

from django.db import models
from django.db.models import Count, Exists, F, OuterRef, Q, Value
from django.db.models.functions import Length

from consortium.text import search_key, search_terms
from members import roles
from members.matching import organisation_name_key
from members.models import Membership, Organisation, Person, StudyGroup

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations

    from .models import Meeting


class SheetCounts(TypedDict):
    """What ``MeetingQuerySet.with_sheet_totals`` annotates."""

    attended_count: int
    absent_count: int
    excused_count: int


class PageCounts(TypedDict):
    """What ``MeetingQuerySet.with_page_totals`` annotates."""

    attended_count: int
    registered_count: int
    waitlisted_count: int
    public_seats: int
    public_waiting: int
    public_checked_in: int


def member_group_ids(organisation_id: int | None) -> models.QuerySet:
    """Ids of the groups an organisation belongs to, plus their subcommittees (a subquery)."""
    return StudyGroup.objects.member_of(organisation_id).values("pk")


def member_project_ids(organisation_id: int) -> models.QuerySet:
    """Ids of the projects an organisation takes part in (a subquery): through a group it
    belongs to, as a partner or as the lead."""
    from projects.models import Project

    groups = member_group_ids(organisation_id)
    through_groups = Project.study_groups.through.objects.filter(studygroup_id__in=groups)
    as_partner = Project.partners.through.objects.filter(organisation_id=organisation_id)
    return Project.objects.filter(
        Q(pk__in=through_groups.values("project_id"))
        | Q(pk__in=as_partner.values("project_id"))
        | Q(lead_organisation_id=organisation_id)
    ).values("pk")


def _member_meetings(organisation_id: int) -> Q:
    """A meeting of the organisation's groups or projects, on the meeting's own columns: the
    groups and projects are small subqueries, so no join multiplies the meetings (at ten times
    the prefecture a member's study-group page took minutes with a DISTINCT over them)."""
    return Q(study_group_id__in=member_group_ids(organisation_id)) | Q(
        project_id__in=member_project_ids(organisation_id)
    )


class MeetingQuerySet(models.QuerySet):
    def public(self) -> MeetingQuerySet:
        from .models import Visibility

        return self.filter(visibility=Visibility.PUBLIC)

    def of_members(self, organisation_id: int | None) -> MeetingQuerySet:
        """Meetings whose group (or parent group) or project the organisation belongs to."""
        if not organisation_id:
            return self.none()
        return self.filter(_member_meetings(organisation_id))

    def visible_to(self, user) -> MeetingQuerySet:
        """Public meetings for everyone; members-only ones for staff and the group's members."""
        from .models import Visibility

        if roles.is_secretariat(user):
            return self
        org_id = roles.organisation_id_of(user)
        if not org_id:
            return self.public()
        return self.filter(Q(visibility=Visibility.PUBLIC) | _member_meetings(org_id))

    def of_study_group(self, group) -> MeetingQuerySet:
        """The meetings of a study group and of its 部会."""
        return self.filter(Q(study_group=group) | Q(study_group__parent=group))

    def upcoming(self, today) -> MeetingQuerySet:
        """From ``today`` on, the soonest first."""
        return self.filter(date__gte=today).order_by("date", "starts_at", "pk")

    def past(self, today) -> MeetingQuerySet:
        """Before ``today``, the latest first."""
        return self.filter(date__lt=today).order_by("-date", "-starts_at", "-pk")

    def with_private_access(self, user) -> MeetingQuerySet:
        """Meetings whose minutes and materials the user may read: members and staff only."""
        if roles.is_secretariat(user):
            return self
        return self.of_members(roles.organisation_id_of(user))

    def with_totals(self) -> MeetingQuerySet:
        """Annotate ``attended_count`` (named attendees present)."""
        from .models import AttendanceStatus

        return self.annotate(
            attended_count=Count(
                "attendances", filter=Q(attendances__status=AttendanceStatus.ATTENDED)
            )
        )

    def with_sheet_totals(self) -> MeetingQuerySet:
        """For the attendance sheet: the group (and its parent), the project, and the counts of
        ``attended_count``, ``absent_count`` and ``excused_count``."""
        from .models import AttendanceStatus

        counted = {
            "attended_count": AttendanceStatus.ATTENDED,
            "absent_count": AttendanceStatus.ABSENT,
            "excused_count": AttendanceStatus.EXCUSED,
        }
        return self.select_related("study_group__parent", "project").annotate(
            **{
                name: Count("attendances", filter=Q(attendances__status=status))
                for name, status in counted.items()
            }
        )

    def with_page_totals(self) -> MeetingQuerySet:
        """For the meeting's page: ``attended_count``, ``registered_count`` and
        ``waitlisted_count`` (distinct: the two joins multiply each other's rows), and the
        citizens' seats (``public_seat_annotations``)."""
        from .models import AttendanceStatus, Registration

        def registrations(status: str) -> Count:
            return Count("registrations", filter=Q(registrations__status=status), distinct=True)

        return self.annotate(
            attended_count=Count(
                "attendances",
                filter=Q(attendances__status=AttendanceStatus.ATTENDED),
                distinct=True,
            ),
            registered_count=registrations(Registration.Status.REGISTERED),
            waitlisted_count=registrations(Registration.Status.WAITLISTED),
            **public_seat_annotations(),  # citizens' seats (一般参加申込)
        )

    def listed(
        self,
        *,
        today: dt.date,
        when: str = "all",
        fiscal_year: int | None = None,
        study_group: StudyGroup | None = None,
        kind: str = "",
    ) -> MeetingQuerySet:
        """The meeting list as its filter narrows it: ``when`` ``upcoming`` (the soonest first),
        ``past`` or ``all`` (the latest first); a fiscal year, a study group (with its 部会) and
        a kind when given."""
        if when == "upcoming":
            meetings = self.upcoming(today)
        elif when == "past":
            meetings = self.past(today)
        else:
            meetings = self.order_by("-date", "-starts_at", "-pk")
        if fiscal_year:
            meetings = meetings.filter(fiscal_year=fiscal_year)
        if study_group:
            meetings = meetings.of_study_group(study_group)
        if kind:
            meetings = meetings.filter(kind=kind)
        return meetings

    def fiscal_years(self) -> list[int]:
        """The fiscal years that have a meeting (for the list's filter)."""
        return list(self.values_list("fiscal_year", flat=True).distinct().order_by())

    def in_id_runs(self, runs: list[tuple[int, int]]) -> MeetingQuerySet:
        """Meetings whose id lies in one of the runs ``(first, last)`` (an import's meetings)."""
        condition = Q()
        for first, last in runs:
            condition |= Q(pk__range=(first, last))
        return self.filter(condition) if runs else self.none()

    def in_fiscal_year(self, fy: int) -> MeetingQuerySet:
        return self.filter(fiscal_year=fy)


class RegistrationQuerySet(models.QuerySet):
    def active(self) -> RegistrationQuerySet:
        from .models import Registration

        return self.exclude(status=Registration.Status.CANCELLED)

    def registered(self) -> RegistrationQuerySet:
        from .models import Registration

        return self.filter(status=Registration.Status.REGISTERED)

    def waitlisted(self) -> RegistrationQuerySet:
        from .models import Registration

        return self.filter(status=Registration.Status.WAITLISTED)

    def cancellable_by(self, user) -> RegistrationQuerySet:
        """Active registrations ``user`` may cancel: staff any, a person their organisation's."""
        registrations = self.active()
        if roles.is_secretariat(user):
            return registrations
        return registrations.filter(person__organisation_id=roles.organisation_id_of(user))

    def upcoming_of_organisation(
        self, organisation_id: int | None, today: dt.date
    ) -> RegistrationQuerySet:
        """The organisation's active registrations for meetings from ``today`` on, the soonest
        first, with the person and the meeting."""
        return (
            self.active()
            .filter(person__organisation_id=organisation_id, meeting__date__gte=today)
            .select_related("person", "meeting__study_group__parent", "meeting__project")
            .order_by("meeting__date", "meeting__starts_at", "person__name_kana")
        )

    def waiting_place(self, registration) -> int:
        """Where ``registration`` stands on its meeting's waiting list (1: next in line)."""
        return (
            self.filter(meeting_id=registration.meeting_id)
            .waitlisted()
            .filter(position__lte=registration.position)
            .count()
        )


class AttendanceQuerySet(models.QuerySet):
    def attended(self) -> AttendanceQuerySet:
        from .models import AttendanceStatus

        return self.filter(status=AttendanceStatus.ATTENDED)

    def of_person(self, person: Person) -> AttendanceQuerySet:
        """The person's attendances, the latest meeting first, with the meeting's group."""
        return (
            self.filter(person=person)
            .select_related("meeting__study_group__parent", "meeting__project")
            .order_by("-meeting__date")
        )


def registrable_people(meeting, organisation_id: int) -> models.QuerySet:
    """People of the organisation not registered for ``meeting`` yet (cancelled ones may
    register again)."""
    taken = meeting.registrations.active().values("person_id")
    return Person.objects.filter(organisation_id=organisation_id).exclude(pk__in=taken)


# --- the attendance sheet ---------------------------------------------------------------------


def sheet_organisation_ids(meeting) -> models.QuerySet:
    """Organisations expected at a meeting: active members of its group (and parent group), or
    the project's partners, lead and groups' members. A subquery, not a list."""
    memberships = Membership.objects.active()
    if meeting.study_group_id:
        group = meeting.study_group
        group_ids = [group.pk] + ([group.parent_id] if group.parent_id else [])
        return memberships.filter(study_group_id__in=group_ids).values("organisation_id")
    project = meeting.project
    return Organisation.objects.filter(
        Q(projects=project)
        | Q(led_projects=project)
        | Q(pk__in=memberships.filter(study_group__projects=project).values("organisation_id"))
    ).values("pk")


def sheet_search_terms(query: str | None) -> list[str]:
    """The words of the sheet's search box as rows are compared with them: ``search_key`` (NFKC,
    case and katakana/hiragana folded), legal forms dropped (「(株)湘南マリン」 finds 「株式会社湘南
    マリン」). ``static/js/sheet.js`` folds what staff type the same way."""
    terms = (search_key(organisation_name_key(term)) for term in search_terms(query))
    return [term for term in terms if term]


def sheet_row_key(person, organisation) -> str:
    """What a row is searched by: name, kana and organisation, each also without spaces
    (「山本健二」 finds 「山本 健二」)."""
    keys = []
    for text in (person.name, person.name_kana, organisation.name, organisation.name_kana):
        key = search_key(text)
        if key:
            keys += [key, key.replace(" ", "")] if " " in key else [key]
    return " ".join(keys)


def sheet_totals(meeting: WithAnnotations[Meeting, SheetCounts]) -> dict[str, int]:
    """The sheet's counts (a meeting of ``with_sheet_totals``): named people attended, absent
    and excused, the unnamed ones counted at the door, and everyone there."""
    return {
        "attended": meeting.attended_count,
        "absent": meeting.absent_count,
        "excused": meeting.excused_count,
        "unnamed": meeting.unnamed_headcount,
        "total": meeting.attended_count + meeting.unnamed_headcount,
    }


def sheet_row_matches(key: str, terms: list[str]) -> bool:
    return all(term in key for term in terms)


@dataclass
class SheetSection:
    """Organisations of one part of the sheet: ``[{"organisation", "rows": [row…]}]``."""

    groups: list[dict] = field(default_factory=list)

    @property
    def people(self) -> int:
        return sum(len(group["rows"]) for group in self.groups)

    @property
    def matches(self) -> int:
        return sum(1 for group in self.groups for row in group["rows"] if not row["hidden"])


@dataclass
class Sheet:
    """The meeting's own part (its group's members, registrants and everyone recorded) and,
    folded away, the parent group's other members."""

    own: SheetSection
    parent: SheetSection
    terms: list[str]


def _sheet_row(person, attendance, registration, terms: list[str]) -> dict:
    organisation = attendance.organisation if attendance else person.organisation
    key = sheet_row_key(person, organisation)
    return {
        "person": person,
        "organisation": organisation,
        "attendance": attendance,
        "registration": registration,
        "search": key,
        "hidden": bool(terms) and not sheet_row_matches(key, terms),
    }


def sheet_people(meeting, query: str = "") -> Sheet:
    """The sheet, grouped by organisation, each row ``{"person", "attendance", "registration",
    "search", "hidden"}`` (``hidden``: not matching ``query``). Organisations of the meeting's own
    group, and any organisation with a registrant or a record, come first; the parent group's
    other members form the second part. Three queries whatever the size."""
    terms = sheet_search_terms(query)
    registrations = {r.person_id: r for r in meeting.registrations.active()}
    attendances = {a.person_id: a for a in meeting.attendances.select_related("organisation")}
    people = (
        Person.objects.filter(
            Q(organisation_id__in=sheet_organisation_ids(meeting))
            | Q(pk__in=list(registrations))
            | Q(pk__in=list(attendances))
        )
        .select_related("organisation")
        .order_by("organisation__name_kana", "organisation__name", "name_kana", "name")
    )
    folds = bool(meeting.study_group_id and meeting.study_group.parent_id)
    if folds:
        people = people.annotate(
            in_own_group=Exists(
                Membership.objects.active().filter(
                    study_group_id=meeting.study_group_id,
                    organisation_id=OuterRef("organisation_id"),
                )
            )
        )
    groups: dict[int, dict] = {}
    own: set[int] = set()
    for person in people:
        attendance = attendances.get(person.pk)
        registration = registrations.get(person.pk)
        row = _sheet_row(person, attendance, registration, terms)
        organisation = row["organisation"]
        group = groups.setdefault(organisation.pk, {"organisation": organisation, "rows": []})
        group["rows"].append(row)
        if not folds or attendance or registration or person.in_own_group:
            own.add(organisation.pk)
    ordered = sorted(
        groups.values(), key=lambda g: (g["organisation"].name_kana, g["organisation"].name)
    )
    for group in ordered:
        group["hidden"] = all(row["hidden"] for row in group["rows"])
    return Sheet(
        own=SheetSection([g for g in ordered if g["organisation"].pk in own]),
        parent=SheetSection([g for g in ordered if g["organisation"].pk not in own]),
        terms=terms,
    )


def sheet_row(meeting, person, notice: str = "") -> dict:
    """One row as stored, for the answer to a mark (two queries)."""
    from .models import Attendance, Registration

    row = _sheet_row(
        person,
        Attendance.objects.filter(meeting=meeting, person=person)
        .select_related("organisation")
        .first(),
        Registration.objects.filter(meeting=meeting, person=person).active().first(),
        [],
    )
    row["notice"] = notice
    return row


def sheet_history(meeting, limit: int = 30) -> models.QuerySet:
    """The sheet's last changes, newest first, with who made them."""
    from .models import Attendance

    return (
        Attendance.history.filter(meeting_id=meeting.pk)
        .select_related("history_user__person", "person")
        .order_by("-history_date")[:limit]
    )


def _people_matching(words: list[str]) -> Q:
    """People with every word in their name, kana, e-mail or organisation."""
    condition = Q()
    for word in words:
        condition &= (
            _name_matching(word)
            | Q(email__icontains=word)
            | Q(organisation__in=Organisation.objects.filter(_organisation_matching(word)))
        )
    return condition


def _name_matching(word: str) -> Q:
    condition = Q()
    for variant in _kana_variants(word):
        condition |= Q(name__icontains=variant) | Q(name_kana__icontains=variant)
    return condition


def _organisation_matching(word: str) -> Q:
    """An organisation by one word of its name (normalised: 株式会社, (株), ㈱ alike) or kana."""
    condition = Q()
    for variant in _kana_variants(word):
        key = organisation_name_key(variant)  # stored as typed: katakana stays katakana
        condition |= Q(name_key__contains=key) if key else Q(name__icontains=variant)
        condition |= Q(name_kana__icontains=variant)
    return condition


def sheet_search_others(meeting, query: str, limit: int = 10) -> dict:
    """For the sheet's search box: people *not on the sheet* (a walk-in may be one of them) and
    organisations matching every word (name, kana, e-mail, organisation; katakana or hiragana,
    full or half width). Two queries."""
    result = {"q": query, "people": [], "organisations": []}
    words = search_terms(query)
    if not words:
        return result
    from .models import Registration

    result["people"] = list(
        Person.objects.filter(_people_matching(words), organisation__isnull=False)
        .exclude(organisation_id__in=sheet_organisation_ids(meeting))
        .exclude(pk__in=Registration.objects.filter(meeting=meeting).active().values("person_id"))
        .exclude(attendances__meeting=meeting)
        .select_related("organisation")
        .order_by("name_kana", "name", "pk")[:limit]
    )
    organisations = Q()
    for word in words:
        organisations &= _organisation_matching(word)
    result["organisations"] = list(
        Organisation.objects.filter(organisations).order_by("-is_confirmed", "name_kana", "name")[
            :limit
        ]
    )
    return result


NAME_PREFILTER = 200  # people read to compare names with the typed one


def walk_in_matches(meeting, *, name: str, organisation_name: str, limit: int = 5) -> dict:
    """What the walk-in form finds while staff type: registered people of that name (in that
    organisation, when one is typed), each with ``attended`` when already marked 出席, and the
    organisations the typed name means or may mean. Three queries at most."""
    from .models import AttendanceStatus

    result: dict = {"people": [], "organisations": [], "attended": set()}
    name_words = search_terms(name)
    org_words = search_terms(organisation_name)
    if name_words:
        # Names are stored as typed (「山本　健二」, 「山本健二」): the database narrows by the
        # first two characters of each word, the spelling-blind comparison is made here.
        people = Q()
        for word in name_words:
            people &= _name_matching(word[:2])
        for word in org_words:
            people &= Q(organisation__in=Organisation.objects.filter(_organisation_matching(word)))
        wanted = [word.replace(" ", "") for word in name_words]
        found = (
            Person.objects.filter(people, organisation__isnull=False)
            .select_related("organisation")
            .order_by("name_kana", "name", "pk")[:NAME_PREFILTER]
        )
        result["people"] = [
            person
            for person in found
            if all(
                word in search_key(person.name).replace(" ", "")
                or word in search_key(person.name_kana).replace(" ", "")
                for word in wanted
            )
        ][:limit]
    if result["people"]:
        result["attended"] = set(
            meeting.attendances.filter(
                status=AttendanceStatus.ATTENDED, person__in=[p.pk for p in result["people"]]
            )
            .order_by()
            .values_list("person_id", flat=True)
        )
    if org_words:
        exact = list(
            Organisation.objects.matching(name=organisation_name).order_by("-is_confirmed", "pk")[
                :limit
            ]
        )
        result["organisations"] = exact + walk_in_organisation_candidates(
            organisation_name, limit=limit - len(exact)
        )
    return result


def walk_in_organisation_candidates(name: str, limit: int = 5) -> list:
    """Registered organisations a name typed at the door may mean besides an exact match: the
    normalised name (``members.matching``) contains the typed one (「横浜ゴム株式会社」 →
    「横浜ゴム株式会社 平塚製造所」) or is contained in it. One query."""
    key = organisation_name_key(name)
    if len(key) < 2:
        return []
    return list(
        Organisation.objects.alias(typed=Value(key), key_length=Length("name_key"))
        .filter(Q(name_key__contains=key) | Q(typed__contains=F("name_key"), key_length__gte=2))
        .exclude(name_key=key)
        .order_by("-is_confirmed", "name_kana", "name", "pk")[:limit]
    )


def _kana_variants(word: str) -> list[str]:
    """A search word as typed, in hiragana and in katakana (``search_key`` gives hiragana; names
    and kana are stored as typed, usually katakana)."""
    katakana = "".join(chr(ord(c) + 0x60) if "ぁ" <= c <= "ゖ" else c for c in word)
    return list(dict.fromkeys([word, katakana]))


# --- seats and the waiting list (members' and citizens' registrations share them) ------------


class SeatState(NamedTuple):
    taken: int  # seats held: members registered, plus the seats of confirmed citizens
    last_position: int  # the highest position given so far (members and citizens, one sequence)
    waiting: int  # registrations on the waiting list


def seat_state(meeting) -> SeatState:
    """Seats taken, the last position and the length of the waiting list of a meeting, over
    members' and citizens' registrations (unconfirmed citizens hold no seat). Two queries."""
    from django.db.models import Max, Sum

    from .models import PublicRegistration, Registration

    members = Registration.objects.filter(meeting=meeting).aggregate(
        taken=Count("pk", filter=Q(status=Registration.Status.REGISTERED)),
        waiting=Count("pk", filter=Q(status=Registration.Status.WAITLISTED)),
        last=Max("position"),
    )
    confirmed = Q(confirmed_at__isnull=False)
    citizens = PublicRegistration.objects.filter(meeting=meeting).aggregate(
        taken=Sum("seats", filter=confirmed & Q(status=Registration.Status.REGISTERED)),
        waiting=Count("pk", filter=confirmed & Q(status=Registration.Status.WAITLISTED)),
        # An unconfirmed registration has no place in the queue yet: its position is not one.
        last=Max("position", filter=confirmed),
    )
    return SeatState(
        taken=members["taken"] + (citizens["taken"] or 0),
        last_position=max(members["last"] or 0, citizens["last"] or 0),
        waiting=members["waiting"] + citizens["waiting"],
    )


def waiting_list(meeting) -> list:
    """The waiting list in its order (position): members' registrations (with their person)
    and confirmed citizens' registrations, mixed."""
    from .models import PublicRegistration, Registration

    members = Registration.objects.filter(
        meeting=meeting, status=Registration.Status.WAITLISTED
    ).select_related("person")
    citizens = PublicRegistration.objects.filter(
        meeting=meeting,
        status=Registration.Status.WAITLISTED,
        confirmed_at__isnull=False,
        purged_at__isnull=True,
    )
    return sorted([*members, *citizens], key=lambda entry: (entry.position, entry.created_at))


def public_seat_annotations() -> dict:
    """Annotations of a meeting for its citizens' registrations (confirmed only):
    ``public_seats`` (seats held), ``public_waiting`` (registrations waiting) and
    ``public_checked_in`` (seats checked in: 一般参加者). Subqueries, so that they add no rows
    to the meeting's other counts."""
    from django.db.models import IntegerField, Subquery, Sum
    from django.db.models.functions import Coalesce

    from .models import PublicRegistration, Registration

    def total(amount, **conditions) -> Coalesce:
        rows = PublicRegistration.objects.filter(
            meeting=OuterRef("pk"), confirmed_at__isnull=False, **conditions
        )
        summed = rows.order_by().values("meeting").annotate(n=amount).values("n")
        return Coalesce(Subquery(summed, output_field=IntegerField()), Value(0))

    return {
        "public_seats": total(Sum("seats"), status=Registration.Status.REGISTERED),
        "public_waiting": total(Count("pk"), status=Registration.Status.WAITLISTED),
        "public_checked_in": total(
            Sum("seats"), status=Registration.Status.REGISTERED, checked_in_at__isnull=False
        ),
    }


def public_sheet_registrations(meeting) -> models.QuerySet:
    """The citizens' registrations the attendance sheet lists: confirmed and not cancelled (with
    a seat or waiting; purged ones too, their counts stay), in their order. One query."""
    from .models import PublicRegistration, Registration

    return (
        PublicRegistration.objects.filter(meeting=meeting, confirmed_at__isnull=False)
        .exclude(status=Registration.Status.CANCELLED)
        .order_by("position", "pk")
    )


# --- 受付 ---------------------------------------------------------------------------------------


def checkin_counts(meeting) -> dict[str, int]:
    """For the 受付 page: people checked in and people with a seat (members' registrations and
    the seats of confirmed citizens' registrations). One query, written out: it answers every
    scan, and building it through the ORM cost more than running it."""
    from django.db import connection

    from .models import PublicRegistration, Registration

    members = connection.ops.quote_name(Registration._meta.db_table)
    citizens = connection.ops.quote_name(PublicRegistration._meta.db_table)
    # Both tables share the status choices (PublicRegistration.Status is Registration.Status).
    seated = "meeting_id = %s AND status = %s"
    citizen = f"{seated} AND confirmed_at IS NOT NULL"
    checked = "checked_in_at IS NOT NULL"
    sql = (
        f"SELECT (SELECT COUNT(*) FROM {members} WHERE {seated}),"
        f" (SELECT COUNT(*) FROM {members} WHERE {seated} AND {checked}),"
        f" (SELECT COALESCE(SUM(seats), 0) FROM {citizens} WHERE {citizen}),"
        f" (SELECT COALESCE(SUM(seats), 0) FROM {citizens} WHERE {citizen} AND {checked})"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [meeting.pk, Registration.Status.REGISTERED.value] * 4)
        registered, checked_in, public_registered, public_checked_in = cursor.fetchone()
    return {
        "registered": registered + public_registered,
        "checked_in": checked_in + public_checked_in,
    }


def cancellation_recipients(meeting) -> list[str]:
    """The addresses told when a meeting is cancelled: members registered or waiting, and
    citizens whose confirmed registration holds or waits for seats (not purged), each once."""
    from .models import PublicRegistration, Registration

    members = (
        Registration.objects.active()
        .filter(meeting=meeting)
        .exclude(person__email="")
        .values_list("person__email", flat=True)
    )
    citizens = (
        PublicRegistration.objects.filter(
            meeting=meeting, confirmed_at__isnull=False, purged_at__isnull=True
        )
        .exclude(status=Registration.Status.CANCELLED)
        .exclude(email="")
        .values_list("email", flat=True)
    )
    return sorted({*members, *citizens})


def showcase_of(meeting) -> dict:
    """What the meeting's page shows of a 展示会 or シンポジウム: co-hosts, speakers and chairs,
    and exhibitors with their *published* entries only (an entry archived or sent back since
    the fair is no longer shown). Nothing (no query) for a meeting of another kind. 4 queries."""
    if not meeting.is_showcase:
        return {"co_hosts": [], "speakers": [], "exhibitors": []}
    from projects.catalogue.models import Entry, EntryStatus

    published = Entry.objects.filter(status=EntryStatus.PUBLISHED).order_by("title_kana", "pk")
    return {
        "co_hosts": list(meeting.co_hosts.order_by("name_kana", "name")),
        "speakers": list(meeting.speakers.all()),
        "exhibitors": list(
            meeting.exhibitors.select_related("organisation").prefetch_related(
                models.Prefetch("entries", queryset=published, to_attr="shown_entries")
            )
        ),
    }
