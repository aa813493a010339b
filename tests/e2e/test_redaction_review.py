"""Redacting by selecting words in headless Chromium: the script
(sar/static/sar/redaction.js) fills the "Redact words yourself" form from a
selection, including in text with Windows line breaks and emoji, whose
offsets the browser counts differently from Python; the redaction saved
covers exactly the words selected. The review's own content passes axe (the
Wagtail admin around it is Wagtail's), and nothing breaks the admin's CSP."""

import datetime as dt
import time

import pytest
from django.contrib.auth.models import Group

from sar import roles
from sar.models import (
    CaseStatus,
    Delivery,
    Person,
    Record,
    RecordKind,
    Redaction,
    Scope,
    ServiceCase,
)
from sar.records import records_attach
from sar.workflow import request_submit
from tests.e2e.axe import OPTIONS
from tests.portal.accounts.factories import add_totp, totp_for
from tests.sar.factories import UserFactory, confidentiality_revision
from tests.sar.steps import put_case_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PASSWORD = "a long walk on the downs 77"
NEIGHBOUR = "Jasmine Okonkwo"
BODY = "Call 😀 back.\r\nThe club met Ann Lee, not Ann.\r\nAnn Lee left with Jasmine Okonkwo."


@pytest.fixture
def caseworker():
    user = UserFactory(
        email="casey.worker@sendiass.example.org",
        full_name="Casey Worker",
        password=PASSWORD,
        is_staff=True,
    )
    user.groups.add(Group.objects.get(name=roles.CASEWORKER))
    return user


@pytest.fixture
def record_in_review(caseworker):
    parent = UserFactory(full_name="Pat Parent")
    service_case = ServiceCase.objects.create(service_user=parent, opened_on=dt.date(2024, 1, 1))
    Person.objects.create(case=service_case, full_name=NEIGHBOUR, role="neighbour")
    record = Record.objects.create(
        case=service_case,
        kind=RecordKind.CASE_NOTE,
        date=dt.date(2024, 3, 1),
        title="Case note",
        body=BODY,
        author=caseworker,
    )
    request = request_submit(
        requester=parent,
        about_requester=True,
        children=[],
        scope=Scope.EVERYTHING,
        delivery=Delivery.DOWNLOAD,
        code_revision=confidentiality_revision(),
    )
    case = request.cases.get()
    records_attach(subject_case=case, records=[record], actor=caseworker)
    put_case_in(case, CaseStatus.IN_REVIEW)
    return case, record


def sign_in(page, user, next_url):
    totp = totp_for(add_totp(user))
    page.goto(f"/account/sign-in/?next={next_url}")
    page.get_by_label("Email address").fill(user.email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("Security code").fill(totp.at(time.time()))
    page.get_by_role("button", name="Continue").click()


SELECT = """([words, occurrence]) => {
  // Select the occurrence-th appearance of words in the record's text, as a
  // person dragging over it would: from inside one run to inside another.
  const part = document.querySelector('[data-sar-part="body"]');
  const runs = [...part.querySelectorAll('[data-offset]')];
  const text = runs.map((r) => r.textContent).join('');
  let at = -1;
  for (let i = 0; i < occurrence; i++) at = text.indexOf(words, at + 1);
  const locate = (offset) => {
    for (const run of runs) {
      const start = Number(run.dataset.offset);
      if (offset <= start + run.textContent.length) return [run.firstChild, offset - start];
    }
  };
  const range = document.createRange();
  range.setStart(...locate(at));
  range.setEnd(...locate(at + words.length));
  const selection = document.getSelection();
  selection.removeAllRanges();
  selection.addRange(range);
}"""


def test_selecting_words_fills_the_form_and_redacts_exactly_them(
    page, console_errors, caseworker, record_in_review
):
    case, record = record_in_review
    url = f"/admin/requests/cases/{case.pk}/redaction/{record.pk}/"
    sign_in(page, caseworker, url)
    page.get_by_role("heading", name="Redact words yourself").wait_for()

    page.evaluate(SELECT, ["Ann", 2])
    form = page.locator("form[data-sar-manual]")
    status = form.locator("[data-sar-selection]")
    status.get_by_text("Selected in “Text”: “Ann”").wait_for()
    assert form.get_by_label("Words to redact").input_value() == "Ann"
    assert form.get_by_label("Which time they appear").input_value() == "2"
    assert form.locator('input[name="manual-start"]').input_value() != ""

    form.get_by_label("Serious harm (DPA 2018 Sch 3)").check()
    form.get_by_role("button", name="Redact these words").click()
    page.get_by_text("Words redacted (SH).").wait_for()

    redaction = Redaction.objects.get(source="manual")
    second_ann = BODY.index("Ann", BODY.index("Ann") + 1)
    assert (redaction.start, redaction.end) == (second_ann, second_ann + 3)
    assert redaction.excerpt == "Ann"

    # Across a line break and into a suggestion: the offsets still map back.
    page.evaluate(SELECT, ["Ann.\nAnn Lee", 1])
    form.locator("[data-sar-selection]").get_by_text("Ann Lee”.").wait_for()
    form.get_by_label("Legal professional privilege (DPA 2018 Sch 2 Pt 4 para 19)").check()
    form.get_by_role("button", name="Redact these words").click()
    page.get_by_text("Words redacted (LPP).").wait_for()
    longer = Redaction.objects.get(source="manual", reason_code="LPP")
    assert longer.excerpt == "Ann.\r\nAnn Lee"

    preview = page.locator("#sar-preview").locator("xpath=..").inner_text()
    assert "SH" in preview and "LPP" in preview
    assert NEIGHBOUR in page.locator("#sar-suggestions").locator("xpath=..").inner_text()
    # Wagtail's own avatar from gravatar.com is refused by the admin's CSP;
    # nothing of this screen may be.
    assert [e for e in console_errors if "gravatar.com" not in e] == []


def test_the_review_content_passes_axe(page, caseworker, record_in_review):
    from axe_playwright_python.sync_playwright import Axe

    case, record = record_in_review
    sign_in(page, caseworker, f"/admin/requests/cases/{case.pk}/redaction/{record.pk}/")
    page.get_by_role("heading", name="Redact words yourself").wait_for()

    results = Axe().run(page, context=".sar-review", options=OPTIONS)

    assert results.violations_count == 0, results.generate_report()
