#!/usr/bin/env python
import os
import sys


def default_settings(argv: list[str]) -> str:
    """The settings module for this command: a django-q2 worker runs without the
    Wagtail admin's applications (portal/worker_settings.py); all else, the site's."""
    return "portal.worker_settings" if argv[1:2] == ["qcluster"] else "portal.settings"


if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", default_settings(sys.argv))
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)
