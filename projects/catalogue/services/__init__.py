"""Writes of the catalogue, one module per concern: ``entries`` (drafts, review, publication,
archive, the search text after an organisation's rename), ``images`` (pictures checked and
resized with Pillow; the brochure PDF's check) and ``categories`` (the taxonomy staff keep).
Every write that a report depends on sends ``projects.signals.catalogue_changed`` with the ids
of the entries it touched, once the transaction commits."""
