"""Accounts, second factors and signed-in test clients."""

import secrets

import factory
import pyotp
from django.contrib.auth.models import Group
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_email.models import EmailDevice
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp_webauthn.models import WebAuthnCredential

from portal.accounts.authentication import SIGNED_IN_AT_SESSION_KEY
from portal.accounts.factors import VERIFIED_AT_SESSION_KEY, totp_key_text
from portal.accounts.models import User

PASSWORD = "correct horse battery staple 42"


class ParentFactory(factory.django.DjangoModelFactory):
    """A parent who has confirmed their email address (no factor yet)."""

    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"parent{n}@example.org")
    full_name = factory.Faker("name", locale="en_GB")
    email_verified_at = factory.LazyFunction(timezone.now)
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class StaffFactory(ParentFactory):
    """A member of staff in the Caseworker group (created by migration)."""

    email = factory.Sequence(lambda n: f"staff{n}@sendiass.example.org")
    is_staff = True
    email_verified_at = None

    @factory.post_generation
    def groups(obj, create, extracted, **kwargs):
        if create:
            for name in extracted or ["Caseworker"]:
                obj.groups.add(Group.objects.get(name=name))


def add_totp(user, *, confirmed=True) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=confirmed)


def add_email_device(user) -> EmailDevice:
    return EmailDevice.objects.create(user=user, name="Email code", confirmed=True)


def add_backup_codes(user, codes=("aaaa1111", "bbbb2222")) -> StaticDevice:
    device = StaticDevice.objects.create(user=user, name="Backup codes", confirmed=True)
    for code in codes:
        StaticToken.objects.create(device=device, token=code)
    return device


def add_passkey(user, *, confirmed=True) -> WebAuthnCredential:
    """A passkey row as django-otp-webauthn stores one (the key itself is never
    used by these tests: the browser tests sign with a virtual authenticator)."""
    return WebAuthnCredential.objects.create(
        user=user,
        name="Passkey",
        confirmed=confirmed,
        credential_id=secrets.token_bytes(32),
        public_key=secrets.token_bytes(77),
        aaguid="00000000-0000-0000-0000-000000000000",
    )


def totp_for(device: TOTPDevice) -> pyotp.TOTP:
    """An independent TOTP implementation, fed the key as the person sees it."""
    return pyotp.TOTP(totp_key_text(device=device).replace(" ", ""))


def sign_in_password_only(client, user):
    client.force_login(user)
    session = client.session
    session[SIGNED_IN_AT_SESSION_KEY] = timezone.now().timestamp()
    session.save()


def sign_in_verified(client, user, device):
    """A session that passed the second-factor check with ``device`` just now."""
    sign_in_password_only(client, user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session[VERIFIED_AT_SESSION_KEY] = timezone.now().timestamp()
    session.save()
