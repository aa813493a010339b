import importlib.util
import json
import os
import secrets
import subprocess
import sys

import pytest
from cryptography.fernet import Fernet
from django.conf import settings
from django.core.checks import run_checks
from django.test import override_settings

MANAGE = str(settings.BASE_DIR / "manage.py")


def _clean_env(**values) -> dict:
    """An environment with none of the test run's settings in it: only what a
    fresh production host would have, plus ``values``."""
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": os.environ.get("HOME", str(settings.BASE_DIR)),
        "ENV_FILE": "/dev/null",
        "DJANGO_SETTINGS_MODULE": "portal.settings",
    }
    env.update(values)
    return env


def _production_env(**values) -> dict:
    return _clean_env(
        SECRET_KEY=secrets.token_urlsafe(64)[:50],
        ENCRYPTION_KEYS=Fernet.generate_key().decode(),
        ALLOWED_HOSTS="records.example.org",
        EMAIL_URL="smtp+tls://portal@smtp.example.org:587",
        **values,
    )


def _run(args, env):
    return subprocess.run(
        [sys.executable, *args],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_refuses_to_start_without_a_secret_key():
    result = _run(["-c", "import django; django.setup()"], _clean_env())

    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


def test_production_settings_pass_the_deploy_checks():
    result = _run([MANAGE, "check", "--deploy", "--fail-level", "WARNING"], _production_env())

    assert result.returncode == 0, result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


def test_production_settings_are_secure_by_default():
    script = (
        "import django, json; django.setup(); from django.conf import settings as s; "
        "print(json.dumps({k: getattr(s, k) for k in ["
        "'DEBUG', 'SECURE_SSL_REDIRECT', 'SECURE_HSTS_SECONDS', 'SESSION_COOKIE_SECURE', "
        "'CSRF_COOKIE_SECURE', 'SESSION_COOKIE_HTTPONLY']}))"
    )
    result = _run(["-c", script], _production_env())

    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout.strip().splitlines()[-1])
    assert values == {
        "DEBUG": False,
        "SECURE_SSL_REDIRECT": True,
        "SECURE_HSTS_SECONDS": 63072000,
        "SESSION_COOKIE_SECURE": True,
        "CSRF_COOKIE_SECURE": True,
        "SESSION_COOKIE_HTTPONLY": True,
    }


def test_missing_encryption_keys_fail_the_checks():
    env = _production_env()
    del env["ENCRYPTION_KEYS"]

    result = _run([MANAGE, "check"], env)

    assert result.returncode != 0
    assert "portal.E001" in result.stderr


def test_missing_encryption_keys_is_check_portal_e001():
    with override_settings(ENCRYPTION_KEYS=[]):
        ids = [message.id for message in run_checks()]

    assert "portal.E001" in ids


@pytest.mark.django_db
def test_health_reports_the_database():
    from django.test import Client

    response = Client().get("/health/")

    assert response.status_code == 200
    assert response.json() == {"database": "ok"}


@pytest.mark.django_db
def test_public_responses_carry_the_security_headers(client):
    response = client.get("/health/")

    policy = response["Content-Security-Policy"]
    directives = dict(
        (part.strip().split(" ", 1) + [""])[:2] for part in policy.split(";") if part.strip()
    )
    assert "default-src 'self'" in policy
    assert "'self'" in directives["script-src"]
    assert "'unsafe-inline'" not in directives["script-src"]
    assert "frame-ancestors 'none'" in policy
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"


@pytest.mark.django_db
@pytest.mark.urls("tests.portal.cookie_urls")
def test_session_and_csrf_cookies_are_http_only(client):
    response = client.get("/sets-cookies/")

    session = response.cookies[settings.SESSION_COOKIE_NAME]
    csrf = response.cookies[settings.CSRF_COOKIE_NAME]
    assert session["httponly"]
    assert csrf["httponly"]
    assert session["samesite"] == "Lax"


# What settings.py derives when HTTPS is on (the production default, checked in
# a subprocess above), applied to this process so the real middleware runs.
PRODUCTION_HTTPS = {
    "HTTPS": True,
    "SECURE_SSL_REDIRECT": True,
    "SECURE_HSTS_SECONDS": 63072000,
    "SECURE_HSTS_INCLUDE_SUBDOMAINS": True,
    "SECURE_HSTS_PRELOAD": True,
    "SESSION_COOKIE_SECURE": True,
    "CSRF_COOKIE_SECURE": True,
}


@pytest.mark.django_db
@pytest.mark.urls("tests.portal.cookie_urls")
def test_production_sends_hsts_and_secure_cookies(client):
    with override_settings(**PRODUCTION_HTTPS):
        insecure = client.get("/sets-cookies/")
        response = client.get("/sets-cookies/", secure=True)

    assert insecure.status_code == 301
    assert insecure["Location"].startswith("https://")
    assert response.status_code == 200
    assert response["Strict-Transport-Security"] == ("max-age=63072000; includeSubDomains; preload")
    assert response.cookies[settings.SESSION_COOKIE_NAME]["secure"]
    assert response.cookies[settings.CSRF_COOKIE_NAME]["secure"]


# Media in an S3 bucket -------------------------------------------------------

MEDIA_SCRIPT = (
    "import django, json; django.setup(); from django.conf import settings as s; "
    "print(json.dumps(s.STORAGES['default']))"
)


def media_storage_for(**values) -> dict:
    """STORAGES["default"] as settings.py builds it in a production environment
    with ``values`` added (tests/sar/test_media_s3.py runs the portal on it)."""
    result = _run(["-c", MEDIA_SCRIPT], _production_env(**values))
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_media_is_a_folder_unless_a_bucket_is_named():
    assert media_storage_for() == {"BACKEND": "django.core.files.storage.FileSystemStorage"}


def test_a_named_bucket_is_private_signed_and_never_overwritten():
    storage = media_storage_for(
        AWS_STORAGE_BUCKET_NAME="portal-media",
        AWS_S3_REGION_NAME="eu-west-2",
        AWS_S3_SERVER_SIDE_ENCRYPTION="aws:kms",
        AWS_S3_SSE_KMS_KEY_ID="alias/portal-media",
    )

    assert storage["BACKEND"] == "storages.backends.s3.S3Storage"
    options = storage["OPTIONS"]
    assert options["bucket_name"] == "portal-media"
    assert options["region_name"] == "eu-west-2"
    assert options["endpoint_url"] is None
    # No object ACL (the bucket's private one applies), no public domain,
    # every URL signed and short-lived, no upload replacing another.
    assert options["default_acl"] is None
    assert options["custom_domain"] is None
    assert options["querystring_auth"] is True
    assert options["querystring_expire"] == 300
    assert options["file_overwrite"] is False
    # Large objects are read through a temporary file, not held in memory.
    assert options["max_memory_size"] == 2 * 1024 * 1024
    assert options["object_parameters"] == {
        "ServerSideEncryption": "aws:kms",
        "SSEKMSKeyId": "alias/portal-media",
    }


def test_production_settings_with_a_bucket_pass_the_deploy_checks():
    env = _production_env(AWS_STORAGE_BUCKET_NAME="portal-media", AWS_S3_REGION_NAME="eu-west-2")

    result = _run([MANAGE, "check", "--deploy", "--fail-level", "WARNING"], env)

    assert result.returncode == 0, result.stderr


# -- the django-q2 workers' settings (portal/worker_settings.py) --------------

WORKER_PROBE = """
import json, sys
import django
django.setup()
from django.apps import apps
from django.core.management import call_command
from django.urls import reverse
# Before anything loads the URL configuration (the checks do):
at_setup = sorted(name for name in ("ninja", "pydantic", "rest_framework", "willow",
    "pillow_heif") if name in sys.modules)
call_command("check", fail_level="ERROR")
print(json.dumps({
    "apps": [config.name for config in apps.get_app_configs()],
    "loaded": at_setup,
    "links": [reverse("sar_admin:dashboard"), reverse("sar:requests")],
}))
"""


def test_a_worker_sets_up_without_the_admin_applications_and_still_links_to_every_page():
    result = _run(
        ["-c", WORKER_PROBE],
        _production_env(DJANGO_SETTINGS_MODULE="portal.worker_settings"),
    )

    assert result.returncode == 0, result.stderr
    worker = json.loads(result.stdout.strip().splitlines()[-1])
    assert "wagtail.admin" not in worker["apps"]
    assert "wagtail.images" not in worker["apps"]
    assert {"sar", "appointments", "content", "portal.outbox", "django_q"} <= set(worker["apps"])
    # What the left-out applications would have imported when Django set up.
    assert worker["loaded"] == []
    # Emails reverse through the site's own URL configuration, the admin's too.
    assert worker["links"] == ["/admin/requests/", "/requests/"]


def test_qcluster_takes_the_worker_settings_and_every_other_command_the_sites():
    spec = importlib.util.spec_from_file_location("manage", MANAGE)
    manage = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(manage)

    assert manage.default_settings(["manage.py", "qcluster"]) == "portal.worker_settings"
    assert manage.default_settings(["manage.py", "runserver"]) == "portal.settings"
    assert manage.default_settings(["manage.py"]) == "portal.settings"


# Rows the left-out applications' models point at. No task deletes one: were
# one ever to, the database's foreign keys would refuse it (the worker's
# registry cannot cascade into the left-out tables) and the task would fail
# whole, never leave rows half-deleted.
NEVER_DELETED_BY_A_TASK = {
    settings.AUTH_USER_MODEL,
    "auth.Group",
    "auth.Permission",
    "contenttypes.ContentType",
    "wagtailcore.Page",
    "wagtailcore.Site",
    "wagtailcore.Collection",
    "taggit.Tag",
}


def test_the_applications_a_worker_leaves_out_point_only_at_rows_no_task_deletes():
    from django.apps import apps

    from portal.worker_settings import ADMIN_ONLY_APPS

    left_out = {config for config in apps.get_app_configs() if config.name in ADMIN_ONLY_APPS}
    assert {config.name for config in left_out} == set(ADMIN_ONLY_APPS)
    left_out_labels = {config.label for config in left_out}
    unsafe = set()
    for model in apps.get_models(include_auto_created=True):
        for field in model._meta.get_fields():
            if not (field.is_relation and field.concrete and field.related_model):
                continue
            source, target = model._meta, field.related_model._meta
            from_left_out = source.app_label in left_out_labels
            to_left_out = target.app_label in left_out_labels
            if from_left_out and not to_left_out and target.label not in NEVER_DELETED_BY_A_TASK:
                unsafe.add(f"{source.label}.{field.name} -> {target.label}")
            if to_left_out and not from_left_out:  # would dangle in the worker's registry
                unsafe.add(f"{source.label}.{field.name} -> {target.label}")

    assert unsafe == set()
