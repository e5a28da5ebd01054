"""Domain signals of the events app, sent by its services (never by model post_save).

``attendance_changed(sender, fiscal_years: set[int])``: meetings, attendance or unnamed headcounts
of those fiscal years changed (sheet edits, walk-ins, imports, meeting moved between years —
both the old and the new year are sent).

When the change stays inside one meeting (a tick on the sheet, a walk-in, the headcount), the
sender also names it: ``meeting_id`` and ``person_ids`` (the people whose attendance at it changed,
possibly none), so reports can recount that meeting's people instead of the whole year, and
``meeting_itself`` (True when the meeting's own counted facts changed: its kind, status or visitor
count, or its exhibitors; False for attendance and headcount alone).
"""

from django.dispatch import Signal

attendance_changed = Signal()
