"""Pages of the catalogue: ``public`` (everyone), ``members`` (an organisation's entries) and
``staff`` (review, all entries, the taxonomy)."""
