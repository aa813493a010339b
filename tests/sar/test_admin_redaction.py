"""The staff redaction screens: who may open and who may decide, one record
with its suggestions highlighted, deciding through the forms (with and
without the selection script), withholding, the preview as released, the
progress and the way between records, stale decisions, the redaction log,
and the read audit."""

import datetime as dt
import re
from urllib.parse import urlparse

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from portal.audit.models import AuditEvent
from sar import roles
from sar.admin_views import marked_text
from sar.admin_views.redactions import (
    ONLY_CASEWORKERS,
    REDACTION_LOG_PURPOSE,
    REDACTION_VIEW_PURPOSE,
)
from sar.demo import DEMO_PARENT_EMAIL, RECORD_COUNT, load_demo_case_file
from sar.models import (
    CaseStatus,
    Delivery,
    Record,
    Redaction,
    RedactionDecision,
    Scope,
    ServiceCase,
)
from sar.records import record_include_confidential, records_attach, records_detach
from sar.redaction import ReasonCode, Suggestion, SuggestionKind
from sar.redactions import (
    NOT_CASEWORKER,
    REASON_DETAIL_REQUIRED,
    REASON_REQUIRED,
    REDACTION_CLOSED,
    TEXT_NOT_FOUND,
    decisions_for,
    record_withhold,
    redaction_add_text,
    review_progress,
    suggestion_accept,
    suggestion_reject,
    undecided_count,
)
from sar.workflow import request_submit
from tests.sar.admin_support import shows, staff_client_fixture  # noqa: F401
from tests.sar.redaction_support import (  # noqa: F401
    BODY,
    NEIGHBOUR,
    NEIGHBOUR_EMAIL,
    NEIGHBOUR_PHONE,
    NEIGHBOURS_SON,
    SUGGESTED,
    make_record_fixture,
    reviewing_fixture,
    service_case_fixture,
    span_of,
)
from tests.sar.steps import put_case_in

pytestmark = pytest.mark.django_db


def overview_url(case) -> str:
    return reverse("sar_admin:redaction", args=[case.pk])


def record_url(case, record) -> str:
    return reverse("sar_admin:redaction_record", args=[case.pk, record.pk])


def log_url(case) -> str:
    return reverse("sar_admin:redaction_log", args=[case.pk])


def section(response, heading_id: str) -> str:
    """The HTML of the page's section labelled by ``heading_id``."""
    html = response.content.decode()
    found = re.search(rf'<section aria-labelledby="{heading_id}">(.*?)</section>', html, re.S)
    assert found, f"no section {heading_id}"
    return found.group(1)


def words_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def ref(words: str, text: str = BODY, field: str = "body") -> str:
    start, end = span_of(text, words)
    return f"suggestion-{field}-{start}-{end}"


def suggestion_post(action: str, words: str, reason: str = "TP", detail: str = "") -> dict:
    prefix = ref(words)
    start, end = span_of(BODY, words)
    return {
        "action": action,
        "ref": prefix,
        f"{prefix}-field": "body",
        f"{prefix}-start": start,
        f"{prefix}-end": end,
        f"{prefix}-reason_code": reason,
        f"{prefix}-reason_detail": detail,
    }


def manual_post(**fields) -> dict:
    data = {"action": "add", "field": "body", "occurrence": "1", **fields}
    return {("action" if k == "action" else f"manual-{k}"): v for k, v in data.items()}


# Who may enter, who may decide ---------------------------------------------------


@pytest.mark.parametrize(
    "role", [roles.CASEWORKER, roles.APPROVER, roles.SAFEGUARDING_LEAD, roles.ADMINISTRATOR]
)
def test_case_staff_can_read_the_review_and_the_log(make_user, staff_client, reviewing, role):
    client = staff_client(make_user(role))

    for url in (
        overview_url(reviewing.case),
        record_url(reviewing.case, reviewing.record),
        log_url(reviewing.case),
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert "no-store" in response["Cache-Control"]


def test_a_content_editor_parent_or_visitor_gets_nothing(
    make_user, staff_client, reviewing, parent
):
    parent.email_verified_at = timezone.now()
    parent.save(update_fields=["email_verified_at"])
    home = reverse("wagtailadmin_home")
    sign_in = reverse("accounts:sign_in")
    urls = (
        overview_url(reviewing.case),
        record_url(reviewing.case, reviewing.record),
        log_url(reviewing.case),
    )
    for client, goes_to in (
        (staff_client(make_user("Content editor")), home),
        (staff_client(parent), sign_in),
        (Client(), sign_in),
    ):
        for url in urls:
            response = client.get(url)
            assert response.status_code == 302, url
            assert urlparse(response["Location"]).path == goes_to
            response = client.post(
                url, {**suggestion_post("accept", NEIGHBOUR), "all-reason_code": "TP"}
            )
            assert urlparse(response["Location"]).path == goes_to
    assert not Redaction.objects.exists()
    assert not AuditEvent.objects.filter(action__endswith=".viewed").exists()


def test_an_approver_reads_but_does_not_decide(make_user, staff_client, reviewing):
    client = staff_client(make_user(roles.APPROVER))

    response = client.get(record_url(reviewing.case, reviewing.record))
    assert shows(response, ONLY_CASEWORKERS)
    assert 'value="accept"' not in response.content.decode()
    assert "Redact words yourself" not in response.content.decode()

    response = client.post(
        record_url(reviewing.case, reviewing.record), suggestion_post("accept", NEIGHBOUR)
    )
    assert response.status_code == 200
    assert shows(response, NOT_CASEWORKER)
    response = client.post(overview_url(reviewing.case), {"all-reason_code": "TP"})
    assert shows(response, NOT_CASEWORKER)
    assert not Redaction.objects.exists()


def test_a_closed_case_is_read_only_and_says_why(staff_client, caseworker, reviewing):
    put_case_in(reviewing.case, CaseStatus.AWAITING_APPROVAL)
    client = staff_client(caseworker)
    closed = REDACTION_CLOSED.format(status=CaseStatus.AWAITING_APPROVAL.label)

    response = client.get(record_url(reviewing.case, reviewing.record))
    assert shows(response, closed)
    assert 'value="accept"' not in response.content.decode()

    response = client.post(
        record_url(reviewing.case, reviewing.record), suggestion_post("accept", NEIGHBOUR)
    )
    assert shows(response, closed)
    assert not Redaction.objects.exists()


def test_changes_need_the_csrf_token(caseworker, reviewing):
    from tests.portal.accounts.factories import add_totp, sign_in_verified

    client = Client(enforce_csrf_checks=True)
    sign_in_verified(client, caseworker, add_totp(caseworker))

    response = client.post(
        record_url(reviewing.case, reviewing.record), suggestion_post("accept", NEIGHBOUR)
    )

    assert response.status_code == 403
    assert not Redaction.objects.exists()


def test_a_record_not_in_the_response_is_not_found(
    staff_client, caseworker, reviewing, make_record
):
    client = staff_client(caseworker)
    not_chosen = make_record()
    confidential = make_record(shared_in_confidence_by_child=True)
    records_attach(subject_case=reviewing.case, records=[confidential], actor=caseworker)

    for record in (not_chosen, confidential):
        assert client.get(record_url(reviewing.case, record)).status_code == 404
        response = client.post(record_url(reviewing.case, record), {"action": "unwithhold"})
        assert response.status_code == 404


def test_a_decision_of_another_record_cannot_be_removed_from_this_one(
    staff_client, caseworker, reviewing, make_record
):
    second = make_record(body=f"Saw {NEIGHBOUR}.")
    records_attach(subject_case=reviewing.case, records=[second], actor=caseworker)
    theirs = suggestion_reject(
        subject_case=reviewing.case,
        record=second,
        field="body",
        start=4,
        end=4 + len(NEIGHBOUR),
        actor=caseworker,
    )

    response = staff_client(caseworker).post(
        record_url(reviewing.case, reviewing.record), {"action": "remove", "redaction": theirs.pk}
    )

    assert response.status_code == 404
    assert Redaction.objects.filter(pk=theirs.pk).exists()


# One record --------------------------------------------------------------------


def test_the_record_is_shown_with_its_suggestions_marked(staff_client, caseworker, reviewing):
    response = staff_client(caseworker).get(record_url(reviewing.case, reviewing.record))
    html = response.content.decode()

    text = section(response, "sar-record-text")
    for words in SUGGESTED:
        assert re.search(
            rf'<mark class="sar-mark sar-mark--suggested" data-offset="\d+" '
            rf'data-label="suggested: [^"]+"[^>]*>{re.escape(escape(words))}</mark>',
            text,
        ), words
    assert 'data-label="suggested: Phone number"' in text
    suggestions = words_of(section(response, "sar-suggestions"))
    assert f"{NEIGHBOUR} Name of a known third party in “Text”" in suggestions
    assert f"{NEIGHBOUR_EMAIL} Email address in “Text”" in suggestions
    assert html.count('value="accept"') == len(SUGGESTED)
    assert re.search(r'<script type="module" src="[^"]*sar/redaction\.js"></script>', html)


def test_opening_a_record_is_an_audited_read_with_the_purpose(staff_client, caseworker, reviewing):
    staff_client(caseworker).get(record_url(reviewing.case, reviewing.record))

    event = AuditEvent.objects.get(action="sar.record.viewed")
    assert event.actor == caseworker
    assert event.reason == REDACTION_VIEW_PURPOSE
    assert (event.object_type, event.object_id) == ("sar.record", str(reviewing.record.pk))
    assert event.data == {
        "request": reviewing.case.request.reference,
        "subject_case": reviewing.case.pk,
    }


def test_accepting_and_rejecting_suggestions_through_the_page(staff_client, caseworker, reviewing):
    client = staff_client(caseworker)
    url = record_url(reviewing.case, reviewing.record)

    response = client.post(url, suggestion_post("accept", NEIGHBOUR, reason="SH"))
    assert response.status_code == 302
    assert response["Location"] == f"{url}#sar-suggestions"
    response = client.post(url, suggestion_post("reject", NEIGHBOURS_SON))
    assert response.status_code == 302

    decisions = decisions_for(reviewing.case)[reviewing.record.pk].spans["body"]
    assert [(d.excerpt, d.decision, d.reason_code) for d in decisions] == [
        (NEIGHBOUR, RedactionDecision.ACCEPTED, "SH"),
        (NEIGHBOURS_SON, RedactionDecision.REJECTED, ""),
    ]
    page = client.get(url)
    assert shows(page, "Kept: Name of a known third party.")
    text = section(page, "sar-record-text")
    assert f'data-code="SH" title="Redacted: SH">{NEIGHBOUR}</mark>' in text
    assert f'title="Kept">{NEIGHBOURS_SON}</mark>' in text
    assert page.content.decode().count('value="accept"') == len(SUGGESTED) - 2


def test_other_exemption_without_its_words_says_so_and_saves_nothing(
    staff_client, caseworker, reviewing
):
    response = staff_client(caseworker).post(
        record_url(reviewing.case, reviewing.record),
        suggestion_post("accept", NEIGHBOUR, reason="OE"),
    )

    assert response.status_code == 200
    assert shows(response, REASON_DETAIL_REQUIRED)
    assert not Redaction.objects.exists()


def test_redacting_every_suggestion_left_in_the_record(staff_client, caseworker, reviewing):
    staff_client(caseworker).post(
        record_url(reviewing.case, reviewing.record),
        {"action": "accept_all", "all-reason_code": "TP"},
    )

    assert undecided_count(reviewing.case) == 0
    assert Redaction.objects.filter(decision="accepted").count() == len(SUGGESTED)


def test_redacting_every_suggestion_in_the_case_from_the_overview(
    staff_client, caseworker, reviewing, make_record
):
    second = make_record(body=f"Met {NEIGHBOUR} again.")
    records_attach(subject_case=reviewing.case, records=[second], actor=caseworker)
    client = staff_client(caseworker)

    assert shows(client.get(overview_url(reviewing.case)), "5 suggestions undecided")
    response = client.post(overview_url(reviewing.case), {"all-reason_code": "LPP"})

    assert response.status_code == 302
    assert undecided_count(reviewing.case) == 0
    assert set(Redaction.objects.values_list("reason_code", flat=True)) == {"LPP"}
    assert shows(client.get(response["Location"]), "5 suggestions redacted.")


# Words chosen by hand ------------------------------------------------------------


def test_redacting_words_without_javascript_by_which_time_they_appear(
    staff_client, caseworker, reviewing
):
    response = staff_client(caseworker).post(
        record_url(reviewing.case, reviewing.record),
        manual_post(text="the", occurrence="2", reason_code="SH"),
    )

    assert response.status_code == 302
    redaction = Redaction.objects.get()
    assert (redaction.start, redaction.end) == span_of(BODY, "the", 2)
    assert (redaction.excerpt, redaction.reason_code, redaction.source) == ("the", "SH", "manual")


def test_redacting_words_selected_on_the_page(staff_client, caseworker, reviewing):
    start, end = span_of(BODY, "lunchtime club")

    staff_client(caseworker).post(
        record_url(reviewing.case, reviewing.record),
        manual_post(text="lunchtime club", start=start, end=end, occurrence="1", reason_code="TP"),
    )

    redaction = Redaction.objects.get()
    assert (redaction.start, redaction.end, redaction.excerpt) == (start, end, "lunchtime club")


def test_a_selection_is_mapped_onto_text_with_windows_line_breaks_and_emoji(
    staff_client, caseworker, reviewing, make_record
):
    body = "Call 😀 back.\r\nThe club met Ann, not Ann.\r\nAnn left."
    record = make_record(body=body)
    records_attach(subject_case=reviewing.case, records=[record], actor=caseworker)
    on_page = marked_text.newlines(body).replace("😀", "??")  # as JavaScript counts
    dom_start = on_page.index("Ann", on_page.index("Ann") + 1)

    staff_client(caseworker).post(
        record_url(reviewing.case, record),
        manual_post(
            text="Ann", start=dom_start, end=dom_start + 3, occurrence="2", reason_code="TP"
        ),
    )

    redaction = Redaction.objects.get(record=record)
    assert (redaction.start, redaction.end) == span_of(body, "Ann", 2)


def test_offsets_that_do_not_cover_the_words_fall_back_to_the_words(
    staff_client, caseworker, reviewing
):
    staff_client(caseworker).post(
        record_url(reviewing.case, reviewing.record),
        manual_post(text="club", start=0, end=4, occurrence="2", reason_code="TP"),
    )

    redaction = Redaction.objects.get()
    assert (redaction.start, redaction.end) == span_of(BODY, "club", 2)


def test_a_manual_redaction_problem_is_shown_with_what_was_typed(
    staff_client, caseworker, reviewing
):
    client = staff_client(caseworker)
    url = record_url(reviewing.case, reviewing.record)

    response = client.post(url, manual_post(text="Nowhere words", reason_code="TP"))
    assert response.status_code == 200
    assert shows(response, TEXT_NOT_FOUND.format(part="Text"))
    assert "Nowhere words</textarea>" in response.content.decode()

    response = client.post(url, manual_post(text="lunchtime"))
    assert shows(response, REASON_REQUIRED)
    assert not Redaction.objects.exists()


# Changing, removing, withholding --------------------------------------------------


def test_changing_and_removing_a_decision_through_the_page(staff_client, caseworker, reviewing):
    client = staff_client(caseworker)
    url = record_url(reviewing.case, reviewing.record)
    kept = suggestion_reject(
        subject_case=reviewing.case,
        record=reviewing.record,
        field="body",
        start=0,
        end=len(NEIGHBOUR),
        actor=caseworker,
    )
    prefix = f"d{kept.pk}"

    response = client.post(
        url,
        {
            "action": "change",
            "redaction": kept.pk,
            f"{prefix}-decision": "accepted",
            f"{prefix}-reason_code": "LPP",
        },
    )
    assert response["Location"] == f"{url}#sar-decisions"
    kept.refresh_from_db()
    assert (kept.decision, kept.reason_code) == ("accepted", "LPP")

    client.post(url, {"action": "remove", "redaction": kept.pk})
    assert not Redaction.objects.exists()
    assert undecided_count(reviewing.case) == len(SUGGESTED)


def test_withholding_the_whole_record_through_the_page(staff_client, caseworker, reviewing):
    client = staff_client(caseworker)
    url = record_url(reviewing.case, reviewing.record)

    response = client.post(url, {"action": "withhold"})
    assert shows(response, REASON_REQUIRED)
    client.post(url, {"action": "withhold", "withhold-reason_code": "SH"})

    page = client.get(url)
    preview = words_of(section(page, "sar-preview"))
    assert "Withheld: SH This record is withheld (Serious harm (DPA 2018 Sch 3))." in preview
    assert NEIGHBOUR not in preview and "lunchtime" not in preview
    assert 'value="accept"' not in page.content.decode()

    client.post(url, {"action": "unwithhold"})
    assert not Redaction.objects.exists()


# What is released, and the log -------------------------------------------------


def test_the_preview_shows_reason_codes_and_the_log_shows_the_words(
    staff_client, caseworker, reviewing
):
    client = staff_client(caseworker)
    url = record_url(reviewing.case, reviewing.record)
    client.post(url, suggestion_post("accept", NEIGHBOUR))
    client.post(url, suggestion_post("accept", NEIGHBOUR_PHONE, reason="OE", detail="Police"))
    client.post(url, suggestion_post("reject", NEIGHBOURS_SON))
    client.post(url, manual_post(text="lunchtime club", reason_code="SH"))

    preview = section(client.get(url), "sar-preview")
    assert "Text redacted: TP rang from redacted: OE about the redacted: SH ." in words_of(preview)
    for words in (NEIGHBOUR, NEIGHBOUR_PHONE, "lunchtime club"):
        assert words not in preview
    assert NEIGHBOURS_SON in preview  # kept

    response = client.get(log_url(reviewing.case))
    log = words_of(response.content.decode())
    for words in (NEIGHBOUR, NEIGHBOUR_PHONE, NEIGHBOURS_SON, "lunchtime club"):
        assert escape(words) in response.content.decode()
    assert "Redacted (OE): Other exemption: Police" in log
    assert "Kept" in log
    assert f"0–{len(NEIGHBOUR)}" in log
    assert "Suggested: Name of a known third party" in log
    assert "Chosen by hand" in log
    assert caseworker.full_name in log
    event = AuditEvent.objects.get(action="sar.redaction_log.viewed")
    assert (event.reason, event.object_id) == (REDACTION_LOG_PURPOSE, str(reviewing.case.pk))
    assert sorted(event.data["redaction_ids"]) == sorted(
        Redaction.objects.values_list("pk", flat=True)
    )


def test_the_log_shows_withheld_records_and_records_no_longer_chosen(
    staff_client, caseworker, reviewing, make_record
):
    second = make_record(title="Letter")
    records_attach(subject_case=reviewing.case, records=[second], actor=caseworker)
    record_withhold(subject_case=reviewing.case, record=second, reason_code="LPP", actor=caseworker)
    records_detach(subject_case=reviewing.case, records=[second], actor=caseworker)

    log = words_of(staff_client(caseworker).get(log_url(reviewing.case)).content.decode())

    assert "The whole record" in log
    assert "Withheld (LPP)" in log
    assert "No longer in the response" in log


# Progress and the way between records ----------------------------------------------


def test_progress_and_previous_and_next_record(staff_client, caseworker, reviewing, make_record):
    earlier = make_record(date=dt.date(2024, 2, 1), body="Nothing to see.")
    later = make_record(date=dt.date(2024, 4, 1), body=f"{NEIGHBOUR} again.")
    records_attach(subject_case=reviewing.case, records=[earlier, later], actor=caseworker)
    client = staff_client(caseworker)

    response = client.get(record_url(reviewing.case, reviewing.record))

    summary = words_of(response.content.decode())
    assert "Record 2 of 3" in summary
    assert "1 of 3 records reviewed , 5 suggestions undecided" in summary
    assert response.context["previous_url"] == record_url(reviewing.case, earlier)
    assert response.context["next_url"] == record_url(reviewing.case, later)
    first = client.get(record_url(reviewing.case, earlier))
    assert first.context["previous_url"] == ""
    assert "Every suggestion in this record has a decision." in first.content.decode()


def test_a_record_whose_text_changed_shows_no_preview_until_decided_again(
    staff_client, caseworker, reviewing
):
    decided = suggestion_accept(
        subject_case=reviewing.case,
        record=reviewing.record,
        field="body",
        start=0,
        end=len(NEIGHBOUR),
        actor=caseworker,
    )
    Record.objects.filter(pk=reviewing.record.pk).update(body="Update: " + BODY)
    client = staff_client(caseworker)
    url = record_url(reviewing.case, reviewing.record)

    page = client.get(url)
    assert "changed after it was reviewed" in page.content.decode()
    assert "No preview" in section(page, "sar-preview")
    assert "No longer in the text at this place" in section(page, "sar-decisions")
    assert "1 record changed after it was reviewed" in words_of(
        client.get(overview_url(reviewing.case)).content.decode()
    )

    client.post(url, {"action": "remove", "redaction": decided.pk})
    page = client.get(url)
    assert "changed after it was reviewed" not in page.content.decode()
    assert f"Update: {NEIGHBOUR}" in words_of(section(page, "sar-preview"))


# The browser's offsets --------------------------------------------------------------


def test_browser_offsets_map_back_onto_the_text():
    text = "a\r\nb😀c\rd"
    # As the browser sees it: "a\nb" + two units for the emoji + "c\nd".
    assert marked_text.to_dom(text) == [0, 1, 1, 2, 3, 5, 6, 7, 8]
    assert marked_text.from_dom(text, 2) == 3  # "b", after the vanished "\r"
    assert marked_text.from_dom(text, 5) == 5  # "c"
    assert marked_text.from_dom(text, 4) is None  # inside the emoji
    assert marked_text.from_dom(text, 9) is None


def test_runs_mark_each_stretch_once_with_redactions_over_suggestions():
    text = "Ann met Bob at home"
    suggestions = [
        Suggestion(0, 3, "Ann", SuggestionKind.PERSON),
        Suggestion(8, 11, "Bob", SuggestionKind.PERSON),
    ]

    class Decision:
        pk = 7
        start, end = 4, 11
        decision = RedactionDecision.ACCEPTED
        reason_code = ReasonCode.SERIOUS_HARM

    runs = marked_text.runs(
        text,
        marked_text.decision_marks([Decision()])
        + marked_text.suggestion_marks("body", suggestions),
    )

    assert [(r.text, r.offset, r.state) for r in runs] == [
        ("Ann", 0, "suggested"),
        (" ", 3, "plain"),
        ("met Bob", 4, "redacted"),
        (" at home", 11, "plain"),
    ]
    assert "".join(r.text for r in runs) == text


# The demo case file ------------------------------------------------------------------


def test_the_demo_case_file_can_be_reviewed_end_to_end(staff_client, caseworker, revision):
    load_demo_case_file()
    service_case = ServiceCase.objects.get(service_user__email=DEMO_PARENT_EMAIL)
    request = request_submit(
        requester=service_case.service_user,
        about_requester=True,
        children=(),
        code_revision=revision,
        scope=Scope.EVERYTHING,
        delivery=Delivery.DOWNLOAD,
    )
    case = request.cases.get()
    records = list(service_case.records.all())
    records_attach(subject_case=case, records=records, actor=caseworker)
    for record in records:
        if record.shared_in_confidence_by_child:
            record_include_confidential(record=record, reason="Agreed.", actor=caseworker)
    put_case_in(case, CaseStatus.IN_REVIEW)
    client = staff_client(caseworker)

    before = review_progress(case)
    assert before.undecided > RECORD_COUNT and before.reviewed < RECORD_COUNT
    overview = words_of(client.get(overview_url(case)).content.decode())
    assert f"{before.reviewed} of {RECORD_COUNT} records reviewed" in overview
    assert f"{before.undecided} suggestions undecided" in overview
    client.post(overview_url(case), {"all-reason_code": "TP"})
    redaction_add_text(
        subject_case=case,
        record=records[0],
        field="body",
        text="reading support",
        reason_code="SH",
        actor=caseworker,
    )

    overview = words_of(client.get(overview_url(case)).content.decode())
    assert (
        f"{RECORD_COUNT} of {RECORD_COUNT} records reviewed , 0 suggestions undecided" in overview
    )
    people = [p.full_name for p in service_case.people.filter(is_professional=False)]
    for record in records[:8]:
        page = client.get(record_url(case, record))
        assert page.status_code == 200
        preview = section(page, "sar-preview")
        for name in people:
            assert escape(name) not in preview
    assert "reading support" not in section(client.get(record_url(case, records[0])), "sar-preview")
