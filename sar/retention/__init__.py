"""Retention and disposal: "disposed of when the young person leaves
Education".

- ``rules``: the retention rule, one pure function.
- ``queue``: the daily check that lists cases due for disposal (a django-q2
  schedule; it deletes nothing), recording when a child left education, and
  the reads the screens share.
- ``disposal``: what a disposal destroys (``PLAN``, driven by the personal-data
  registries) and ``disposal_confirm``, which a caseworker's typed
  confirmation calls.
- ``certificate``: the disposal certificate PDF.
- ``tasks``: the schedule's entry point.
"""
