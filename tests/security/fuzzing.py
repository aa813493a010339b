"""What the form fuzzing tests share: strategies for hostile text, a way to
undo each example, a snapshot of what is stored, and the one check every
posted form must pass.

The check (``outcome``): never a server error (the test client re-raises
one); either the form is accepted (a redirect) or the page comes back (200)
with its errors shown, a GOV.UK error summary on the public site or Wagtail's
field and form errors in the admin, and then nothing at all was stored.
"""

from __future__ import annotations

from contextlib import contextmanager
from urllib.parse import urlparse

from django.apps import apps
from django.core.cache import cache
from django.db import transaction
from django.utils.html import escape
from hypothesis import HealthCheck, currently_in_test_context, event, settings
from hypothesis import strategies as st

from portal.govuk_forms import NULL_CHARACTER_MESSAGE

# Bounded runs: each example is a few requests through the whole stack.
FUZZ = settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[
        # The world is built once per module and every example is undone
        # (``undone``), so function-scoped fixtures are never shared state.
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
)

# Hand-picked hostile or awkward input, tried first and mixed into the rest.
SAMPLES = [
    "",
    " ",
    "   \t  ",
    "\x00",
    "Sam\x00Example",
    "\x00" * 5,
    "a\x01b\x02c\x1b[31mred\x7f",
    "line one\r\nline two\nline three\rfour",
    "\u000b\u000c\u0085\u2028\u2029",
    "<script>alert(document.cookie)</script>",
    '"><img src=x onerror=alert(1)>',
    "javascript:alert(1)",
    "{{ request.user.email }}{% debug %}",
    "'; DROP TABLE accounts_user; --",
    "' OR '1'='1",
    "Robert'); DELETE FROM sar_accessrequest; --",
    "%00%27%22%3Cscript%3E",
    "\\x00\\n\\'",
    "مرحبا، أريد سجلات ابني",
    "שלום עולם",
    "\u202eevil.exe\u202c",
    "Zoë Ñúñez-Ó'Brien",
    "e\u0301\u0302\u0303\u0304\u0305\u0306",
    "Z\u0351\u0364\u0323a\u0308\u0356l\u036e\u0312g\u030c\u0317o\u0319",
    "👩\u200d👩\u200d👧\u200d👦 🏳️\u200d🌈 🇬🇧",
    "\ufeff\u200b\u200c\u200d\u2060",
    "𝕋𝕖𝕤𝕥 𝒮𝒶𝓂",
    "ﷺ ﷽",
    "田中 太郎",
    "\U0010ffff\U000e0001",
    "A" * 101,
    "B" * 201,
    "é" * 1001,
    "x" * 5001,
    "😀" * 2001,
    "\n" * 300,
]

SHORT_CHARS = st.sampled_from(["a", "é", "😀", "\u0301", "\u202e", "<", "'", "\x00", " ", "\n"])


def nasty_text(max_size: int = 80) -> st.SearchStrategy[str]:
    """Text a form field may receive: the samples, any Unicode (surrogates
    excluded: a browser cannot send them), control characters, markup and
    quotes, and very long runs of one character."""
    return st.one_of(
        st.sampled_from(SAMPLES),
        st.text(max_size=max_size),
        st.text(
            alphabet=st.one_of(
                st.characters(max_codepoint=0x1F),
                st.sampled_from("<>&'\";%\\/{}\x7f"),
                st.characters(categories=["Mn", "Cf", "Zs", "So"]),
            ),
            max_size=max_size,
        ),
        st.tuples(SHORT_CHARS, st.integers(min_value=1, max_value=12_000)).map(
            lambda pair: pair[0] * pair[1]
        ),
        st.lists(st.sampled_from(SAMPLES), min_size=2, max_size=4).map("".join),
    )


def plausible_text(max_size: int = 60) -> st.SearchStrategy[str]:
    """Text a person might type, so that forms are also accepted."""
    return st.text(
        alphabet=st.characters(categories=["L", "N", "Zs", "P", "M", "So"]),
        min_size=1,
        max_size=max_size,
    ).filter(str.strip)


def any_text(max_size: int = 80) -> st.SearchStrategy[str]:
    return st.one_of(plausible_text(max_size), nasty_text(max_size))


def choice_or_nasty(valid) -> st.SearchStrategy[str]:
    """One of the ``valid`` values (twice as likely) or anything else."""
    valid = st.sampled_from(list(valid))
    return st.one_of(valid, valid, nasty_text(40))


# Undoing an example ------------------------------------------------------------


@contextmanager
def undone():
    """What the block stores is rolled back, and the cache (sign-in limits,
    send locks) emptied, so every example starts from the same world."""
    cache.clear()
    with transaction.atomic():
        yield
        transaction.set_rollback(True)
    cache.clear()


# What is stored ------------------------------------------------------------------

# Every table a form could write to. Left out: the audit trail (a refused
# sign-in or code is recorded, on purpose), sessions, the queue, sent
# notifications and Wagtail's own tables.
WATCHED_APPS = (
    "accounts",
    "sar",
    "appointments",
    "content",
    "otp_totp",
    "otp_static",
    "otp_email",
    "django_otp_webauthn",
)
# Written on a refused code on purpose: the device's own failure counter.
THROTTLING_FIELDS = {"throttling_failure_count", "throttling_failure_timestamp"}


def _watched_models():
    for label in WATCHED_APPS:
        yield from apps.get_app_config(label).get_models()


def snapshot(*, ignore: set[str] = THROTTLING_FIELDS) -> dict:
    """Every row of every watched table (less the ``ignore``d fields)."""
    stored = {}
    for model in _watched_models():
        rows = model._default_manager.order_by("pk").values()
        stored[model._meta.label] = [
            {k: v for k, v in row.items() if k not in ignore} for row in rows
        ]
    return stored


def changed_tables(before: dict, after: dict) -> list[str]:
    return [label for label in before if before[label] != after.get(label)]


# The check -------------------------------------------------------------------------


def outcome(
    response, *, before: dict, admin: bool = False, ignore: set[str] = THROTTLING_FIELDS
) -> bool:
    """Whether the form was accepted (a redirect). A refusal must be the page
    again with its errors shown, having stored nothing."""
    status = response.status_code
    assert status in (200, 302), f"got {status}"
    # Shown by --hypothesis-show-statistics: both paths should be taken.
    # (Plain tests use this check too, outside Hypothesis.)
    if currently_in_test_context():
        event("accepted" if status == 302 else "refused")
    if status == 302:
        return True
    html = response.content.decode()
    if admin:
        form = response.context["form"]
        # An inline panel's rows (a Wagtail ClusterForm's formsets) report
        # their own errors, and the formset's (a forged count of rows).
        formsets = getattr(form, "formsets", {}).values()
        row_errors = any(errors for formset in formsets for errors in formset.errors)
        formset_errors = [error for formset in formsets for error in formset.non_form_errors()]
        assert form.errors or row_errors or formset_errors, (
            "the page came back without saying what is wrong"
        )
        for error in [*form.errors.get("__all__", []), *formset_errors]:
            assert escape(error) in html, f"the page does not show {error!r}"
        for name in form.errors:
            if name != "__all__":
                assert 'class="error-message"' in html or "w-field__errors" in html, name
    else:
        assert "govuk-error-summary" in html, "the page came back without an error summary"
    after = snapshot(ignore=ignore)
    assert not changed_tables(before, after), (
        f"refused, yet stored changes in {changed_tables(before, after)}"
    )
    return False


def redirected_to(response) -> str:
    return urlparse(response["Location"]).path


def has_nul(*values) -> bool:
    return any("\x00" in v for v in values if isinstance(v, str))


def refuses_nul(response, *answers: str) -> None:
    """A NUL character in any of these text answers (on the public site) is
    refused on the page in GOV.UK words (``portal.govuk_forms``)."""
    if has_nul(*answers):
        assert response.status_code == 200, "a NUL character was accepted"
        assert escape(str(NULL_CHARACTER_MESSAGE)) in response.content.decode()


def cleaned(value: str) -> str:
    """What Django's CharField keeps of ``value``: surrounding whitespace
    removed (``str.strip``, as Django does)."""
    return value.strip()
