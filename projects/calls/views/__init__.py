"""Pages of 公募: ``public`` (calls for everyone), ``applicant`` (an organisation's applications),
``staff`` (calls, challenges), ``review`` (reviewers' and staff's pages) and ``decisions``."""
