"""Domain signals of the events app, sent by its services (never by model post_save).

``attendance_changed(sender, fiscal_years: set[int])``: meetings, attendance or unnamed headcounts
of those fiscal years changed (sheet edits, walk-ins, imports, meeting moved between years —
both the old and the new year are sent).
"""

from django.dispatch import Signal

attendance_changed = Signal()
