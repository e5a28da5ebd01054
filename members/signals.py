"""Domain signals of the members app, sent by its services (never by model post_save).

``membership_changed(sender, fiscal_years: set[int])``: memberships that started or ended in those
fiscal years were created, changed or removed (join approvals, roster imports, edits).

``organisation_changed(sender, organisation_id: int | None, organisation_ids: set[int])``: an
organisation (or, from an import, several at once) was created or a field the reports read
changed (区分, 市内, 法人番号, name): every year it attended in is stale.

``study_group_changed(sender, study_group_id: int, parent_ids: set[int])``: a subcommittee moved
under another parent (or became top-level): the years of its meetings are stale.

``person_changed(sender, person_id: int, organisation_ids: set[int | None])``: a person moved to
another organisation (an approved affiliation request, a staff edit).

``personal_data_requested(sender, person)``: a person is downloading their own data; receivers in
higher apps (events: registrations, attendance) return a list of ``members.privacy.Section`` with
what they hold about that person, so that ``members`` never imports them.

``personal_data_exported(sender, user, kind: str, filename: str, file_format: str, rows: int,
via: str)``: somebody took a file with people's names or contact details out of Kyoso (e.g. the
roster from the Django admin); the reports app records it in its export log.
"""

from django.dispatch import Signal

membership_changed = Signal()
personal_data_exported = Signal()
personal_data_requested = Signal()
organisation_changed = Signal()
study_group_changed = Signal()
person_changed = Signal()
