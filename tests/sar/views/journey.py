"""Walking the request journey with the Django test client, one page at a time,
and signing in with a verified session (as tests/portal/accounts builds one)."""

from django.urls import reverse
from django.utils import timezone

from sar.views.answers import SESSION_KEY
from tests.portal.accounts.factories import add_totp, sign_in_verified


def url(name, *args):
    return reverse(f"sar:{name}", args=args)


def verify(client, user):
    """Sign ``client`` in as ``user`` (email confirmed, an authenticator app
    set up) with the second factor checked just now."""
    if user.email_verified_at is None:
        user.email_verified_at = timezone.now()
        user.save(update_fields=["email_verified_at"])
    sign_in_verified(client, user, add_totp(user))
    return client


def child_details(name="Sam Example", born=(3, 5, 2015), **overrides):
    day, month, year = born
    data = {
        "full_name": name,
        "date_of_birth_day": str(day),
        "date_of_birth_month": str(month),
        "date_of_birth_year": str(year),
        "school_or_setting": "Riverside Primary School",
        "relationship": "mother",
        "relationship_other": "",
        "has_parental_responsibility": "yes",
        "has_court_order": "no",
        "court_order": "",
    }
    data.update(overrides)
    return data


class Journey:
    """Posts each question's answer and checks it goes where it should."""

    def __init__(self, client):
        self.client = client

    def post(self, name, data, *args, query=""):
        return self.client.post(reverse(f"sar:{name}", args=args) + query, data)

    def answers(self) -> dict:
        return self.client.session.get(SESSION_KEY) or {}

    def who(self, about):
        return self.post("who", {"about": about})

    def add_child(self, **details):
        return self.post("child_add", child_details(**details))

    def children_done(self):
        return self.post("children", {"choice": "done"})

    def what(self, scope="everything", **extra):
        return self.post("what", {"scope": scope, **extra})

    def how(self, delivery="download"):
        return self.post("how", {"delivery": delivery})

    def adjustments(self, *chosen, **extra):
        return self.post("adjustments", {"adjustments": list(chosen) or ["none"], **extra})

    def code(self):
        return self.post("code", {"acknowledged": "on"})

    def send(self):
        return self.post("check", {"token": self.answers().get("token", "")})

    def about_me_to_check(self):
        self.who("me")
        self.what()
        self.how()
        self.adjustments()
        return self.code()
