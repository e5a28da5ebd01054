"""Domain signals of the members app, sent by its services (never by model post_save).

``membership_changed(sender, fiscal_years: set[int])``: memberships that started or ended in those
fiscal years were created, changed or removed (join approvals, roster imports, edits).
"""

from django.dispatch import Signal

membership_changed = Signal()
