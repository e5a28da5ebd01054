"""Writes of 公募, one module per stage: ``calls`` (calls and city challenges), ``applications``
(drafts, attachments, submission), ``reviews`` (reviewers, assignments, scores) and ``decisions``
(decisions, their release, adoption into a project with funding). Every write that a report
depends on sends ``projects.signals.call_changed`` with the call's budget year."""
