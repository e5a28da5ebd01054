"""Domain signals of the projects app, sent by its services (never by model post_save).

``funding_changed(sender, fiscal_years: set[int])``: funding records of those fiscal years were
created, changed or deleted (forms, imports).
``project_changed(sender, project_ids: set[int])``: a project's phase or attributes changed.
``call_changed(sender, fiscal_years: set[int])``: a call (公募) of those budget years, or one of its
applications, reviews or decisions, was created, changed or deleted.
``catalogue_changed(sender, entry_ids: set[int], fiscal_years: set[int])``: catalogue entries
(技術・製品) were created, changed, submitted, published, sent back or archived, or their images
changed; ``fiscal_years`` names the years whose count of first publications moved (often none).
``outcome_changed(sender, fiscal_years: set[int])``: outcomes (成果) dated in those fiscal years
were recorded, changed or deleted.
``award_changed(sender, fiscal_years: set[int])``: awards (認定・ブランド) granted in those fiscal
years were granted, withdrawn or renamed.
"""

from django.dispatch import Signal

funding_changed = Signal()
project_changed = Signal()
call_changed = Signal()
catalogue_changed = Signal()
award_changed = Signal()
outcome_changed = Signal()
