"""System checks for configuration mistakes that would otherwise surface late."""

from cryptography.fernet import Fernet
from django.conf import settings
from django.core.checks import Error, Tags, Warning, register


@register(Tags.security)
def check_encryption_keys(app_configs, **kwargs):
    keys = settings.ENCRYPTION_KEYS
    if not keys:
        return [
            Error(
                "ENCRYPTION_KEYS is not set.",
                hint="Set ENCRYPTION_KEYS to one or more Fernet keys, newest first "
                "(python -c 'from cryptography.fernet import Fernet; "
                "print(Fernet.generate_key().decode())').",
                id="portal.E001",
            )
        ]
    errors = []
    for position, key in enumerate(keys, start=1):
        try:
            Fernet(key)
        except ValueError:
            errors.append(
                Error(
                    f"Key {position} in ENCRYPTION_KEYS is not a valid Fernet key.",
                    hint="Each key is 32 url-safe base64-encoded bytes.",
                    id="portal.E002",
                )
            )
    return errors


@register(Tags.security, deploy=True)
def check_email_backend(app_configs, **kwargs):
    if settings.EMAIL_BACKEND.endswith(("console.EmailBackend", "locmem.EmailBackend")):
        return [
            Warning(
                "Email is printed to the console, not sent.",
                hint="Set EMAIL_URL (for example smtp+tls://user:password@host:587).",
                id="portal.W001",
            )
        ]
    return []


@register(Tags.security, deploy=True)
def check_https(app_configs, **kwargs):
    if not settings.HTTPS:
        return [
            Warning(
                "HTTPS=false: the HTTPS redirect, HSTS and secure cookies are off.",
                hint="HTTPS=false is for local use only; unset it in production.",
                id="portal.W002",
            )
        ]
    return []


@register()
def check_retention_periods(app_configs, **kwargs):
    errors = []
    for name in ("RETENTION_GRACE_DAYS", "RETENTION_CLOSED_NO_CHILDREN_DAYS"):
        if getattr(settings, name) < 0:
            errors.append(
                Error(
                    f"{name} cannot be negative.",
                    hint="A number of days: 0 lists a case for disposal on the day it is due.",
                    id="portal.E003",
                )
            )
    return errors


@register(Tags.security, deploy=True)
def check_load_test(app_configs, **kwargs):
    if settings.LOAD_TEST:
        return [
            Warning(
                "LOAD_TEST=true: the load test's bare view is served at /load-test/floor/.",
                hint="LOAD_TEST is for the load test (scripts/load) only; unset it in production.",
                id="portal.W003",
            )
        ]
    return []
