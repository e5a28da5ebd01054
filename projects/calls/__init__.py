"""公募: open calls for trial projects — city challenges, applications, review, decisions.

An adopted application becomes a project in the 実証 phase with a funding row in the call's
fiscal year (``services.application_adopt``), so calls feed the same reports as everything else.
"""
