"""One record of a subject case under redaction review: its parts with the
suggestions and decisions marked, a form for each undecided suggestion and
each decision, words chosen by hand (by selecting them, with
``sar/static/sar/redaction.js``, or by typing them), withholding the whole
record, the text as it would be released, and the way to the previous and
next record. Opening it reads the record's text ("sar.record.viewed").
"""

from __future__ import annotations

from dataclasses import dataclass

from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.views.generic import TemplateView
from wagtail.admin import messages as admin_messages
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from sar.admin_views import marked_text
from sar.admin_views.redaction_forms import (
    AcceptAllForm,
    ChangeDecisionForm,
    ManualRedactionForm,
    SuggestionForm,
    WithholdForm,
)
from sar.admin_views.redactions import (
    REDACTION_VIEW_PURPOSE,
    RedactionMixin,
    accepted_message,
    not_deciding_message,
    reason_label,
)
from sar.exceptions import SarError
from sar.models import RedactedField, Redaction, RedactionSource
from sar.records import records_in_scope
from sar.redaction import ReasonCode, RedactionMarker
from sar.redactions import (
    RecordDecisions,
    StaleRedaction,
    decisions_for,
    fits,
    people_for,
    record_unwithhold,
    record_withhold,
    redacted_record,
    redaction_add,
    redaction_add_text,
    redaction_change,
    redaction_remove,
    review_progress,
    suggestion_accept,
    suggestion_reject,
    suggestions_accept_all,
    undecided,
)

UNKNOWN_ACTION = "Choose what to do with the record."


@dataclass
class Part:
    """One part of the record (text, from, to) as the review screen shows it."""

    name: str
    label: str
    text: str
    runs: list
    preview: list


class RedactionRecordView(RedactionMixin, WagtailAdminTemplateMixin, TemplateView):
    """One record in scope: its parts with suggestions and decisions marked,
    a form for each undecided suggestion and each decision, words chosen by
    hand, withholding the whole record, the text as it would be released, and
    the way to the previous and next record. Every form posts here, with
    ``action`` saying which."""

    template_name = "sar/admin/redaction_record.html"
    header_icon = "doc-full"

    # action -> (method, anchor to come back to)
    ACTIONS = {
        "accept": ("do_accept", "sar-suggestions"),
        "reject": ("do_reject", "sar-suggestions"),
        "accept_all": ("do_accept_all", "sar-suggestions"),
        "add": ("do_add", "sar-record-text"),
        "change": ("do_change", "sar-decisions"),
        "remove": ("do_remove", "sar-decisions"),
        "withhold": ("do_withhold", "sar-withhold"),
        "unwithhold": ("do_unwithhold", "sar-withhold"),
    }

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        # Bound forms of a post that failed, shown again with their errors.
        self.bound: dict[str, object] = {}

    @cached_property
    def record(self):
        record = (
            records_in_scope(self.case)
            .select_related("author")
            .filter(pk=self.kwargs["record_pk"])
            .first()
        )
        if record is None:
            raise Http404("No such record in this request.")
        return record

    @cached_property
    def record_url(self) -> str:
        return reverse("sar_admin:redaction_record", args=[self.case.pk, self.record.pk])

    def get_page_title(self):
        return _("Redaction: %(record)s") % {"record": self.record}

    def get_breadcrumbs_items(self):
        return [*self.redaction_breadcrumbs(), {"url": "", "label": str(self.record)}]

    # Reading ------------------------------------------------------------------

    def get(self, request, *args, **kwargs):
        return self.render_page()

    def render_page(self):
        self.read_event(
            "sar.record.viewed",
            obj=self.record,
            reason=REDACTION_VIEW_PURPOSE,
            subject_case=self.case.pk,
        )
        return self.render_to_response(self.get_context_data())

    # Deciding -----------------------------------------------------------------

    def post(self, request, *args, **kwargs):
        action = request.POST.get("action", "")
        if action not in self.ACTIONS:
            admin_messages.error(request, _(UNKNOWN_ACTION))
            return redirect(self.record_url)
        method, anchor = self.ACTIONS[action]
        message = getattr(self, method)()
        if message is None:
            return self.render_page()
        admin_messages.success(request, message)
        return redirect(f"{self.record_url}#{anchor}")

    def attempt(self, key: str, form, act):
        """Validate ``form`` and call ``act(cleaned_data)`` (a domain call that
        returns the success message). When the form is wrong, keep it bound to
        show again with its errors; when the domain says no, show its message
        at the top of the page (the form may not be shown to this person, or
        at all any more); either way return None."""
        if form.is_valid():
            try:
                return act(form.cleaned_data)
            except SarError as error:
                admin_messages.error(self.request, error.message)
                self.bound[key] = form
                return None
        self.bound[key] = form
        admin_messages.error(self.request, _("Nothing was changed: see the message by the form."))
        return None

    @property
    def decide_kwargs(self) -> dict:
        return {"subject_case": self.case, "record": self.record, "actor": self.request.user}

    def suggestion_form(self, data=None):
        ref = self.request.POST.get("ref", "") if data is not None else ""
        return ref, SuggestionForm(data, prefix=ref or None)

    def do_accept(self):
        ref, form = self.suggestion_form(self.request.POST)

        def act(data):
            redaction = suggestion_accept(
                **self.decide_kwargs, **form.span_kwargs(), **form.reason_kwargs()
            )
            return _("Redacted: %(kind)s (%(code)s).") % {
                "kind": redaction.get_suggestion_kind_display(),
                "code": redaction.reason_code,
            }

        return self.attempt(ref, form, act)

    def do_reject(self):
        ref, form = self.suggestion_form(self.request.POST)

        def act(data):
            redaction = suggestion_reject(**self.decide_kwargs, **form.span_kwargs())
            return _("Kept: %(kind)s.") % {"kind": redaction.get_suggestion_kind_display()}

        return self.attempt(ref, form, act)

    def do_accept_all(self):
        form = AcceptAllForm(self.request.POST, prefix="all")

        def act(data):
            return accepted_message(
                suggestions_accept_all(**self.decide_kwargs, **form.reason_kwargs())
            )

        return self.attempt("all", form, act)

    def do_add(self):
        form = ManualRedactionForm(self.request.POST, prefix="manual", parts=self.part_names)

        def act(data):
            redaction = self.add_manual(data, form.reason_kwargs())
            return _("Words redacted (%(code)s).") % {"code": redaction.reason_code}

        return self.attempt("manual", form, act)

    def add_manual(self, data, reason_kwargs):
        """By the selection's offsets when the script sent them and they cover
        the words in the form; otherwise by the words and which appearance."""
        field_name, words = data["field"], marked_text.newlines(data.get("text") or "").strip()
        text = getattr(self.record, field_name) or ""
        if data.get("start") is not None and data.get("end") is not None:
            start = marked_text.from_dom(text, data["start"])
            end = marked_text.from_dom(text, data["end"])
            covers = (
                start is not None
                and end is not None
                and start < end
                and marked_text.newlines(text[start:end]).strip() == words
            )
            if covers:
                return redaction_add(
                    **self.decide_kwargs,
                    field=field_name,
                    start=start,
                    end=end,
                    **reason_kwargs,
                )
        return redaction_add_text(
            **self.decide_kwargs,
            field=field_name,
            text=words,
            occurrence=data.get("occurrence") or 1,
            **reason_kwargs,
        )

    def posted_decision(self) -> Redaction:
        """The span decision the form names, on this record of this case."""
        pk = str(self.request.POST.get("redaction", ""))
        row = (
            Redaction.objects.filter(subject_case=self.case, record=self.record, pk=pk)
            .exclude(source=RedactionSource.WHOLE_RECORD)
            .first()
            if pk.isdigit()
            else None
        )
        if row is None:
            raise Http404("No such decision on this record.")
        return row

    def do_change(self):
        row = self.posted_decision()
        form = ChangeDecisionForm(
            self.request.POST,
            prefix=f"d{row.pk}",
            can_keep=row.source == RedactionSource.SUGGESTED,
        )

        def act(data):
            redaction_change(
                subject_case=self.case,
                redaction=row,
                actor=self.request.user,
                **form.change_kwargs(),
            )
            return _("Decision changed.")

        return self.attempt(f"d{row.pk}", form, act)

    def do_remove(self):
        row = self.posted_decision()
        try:
            redaction_remove(subject_case=self.case, redaction=row, actor=self.request.user)
        except SarError as error:
            admin_messages.error(self.request, error.message)
            return None
        return _("Decision removed.")

    def do_withhold(self):
        form = WithholdForm(self.request.POST, prefix="withhold")

        def act(data):
            redaction = record_withhold(**self.decide_kwargs, **form.reason_kwargs())
            return _("The whole record is withheld (%(code)s).") % {"code": redaction.reason_code}

        return self.attempt("withhold", form, act)

    def do_unwithhold(self):
        try:
            record_unwithhold(**self.decide_kwargs)
        except SarError as error:
            admin_messages.error(self.request, error.message)
            return None
        return _("The record is no longer withheld: its other decisions apply again.")

    # What the page shows ------------------------------------------------------

    @cached_property
    def part_names(self) -> list[str]:
        """The parts with text; the main text always (a record may be empty)."""
        return [
            name
            for name in RedactedField.values
            if name == RedactedField.BODY or getattr(self.record, name)
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        case, record = self.case, self.record
        decisions = decisions_for(case).get(record.pk) or RecordDecisions()
        open_suggestions = undecided(record, decisions, people_for(case))
        fresh = {r.pk for r in decisions.all_spans() if fits(record, r)}

        preview, stale_message = None, ""
        try:
            preview = redacted_record(record, decisions)
        except StaleRedaction as error:
            stale_message = str(error)

        parts = []
        for name in self.part_names:
            text = getattr(record, name) or ""
            spans = [r for r in decisions.spans.get(name, ()) if r.pk in fresh]
            marks = marked_text.decision_marks(spans) + marked_text.suggestion_marks(
                name, open_suggestions.get(name, ())
            )
            parts.append(
                Part(
                    name=name,
                    label=RedactedField(name).label,
                    text=text,
                    runs=marked_text.runs(text, marks),
                    preview=preview_segments(getattr(preview, name)) if preview else [],
                )
            )

        suggestions = []
        for name, items in open_suggestions.items():
            for suggestion in items:
                ref = marked_text.suggestion_ref(name, suggestion)
                form = self.bound.get(ref) or SuggestionForm(
                    prefix=ref,
                    initial={
                        "field": name,
                        "start": suggestion.start,
                        "end": suggestion.end,
                        "reason_code": suggestion.reason_code,
                    },
                )
                suggestions.append(
                    {
                        "ref": ref,
                        "part": RedactedField(name).label,
                        "text": suggestion.text,
                        "kind": suggestion.kind.label,
                        "form": form,
                    }
                )

        decided = []
        for row in sorted(decisions.all_spans(), key=lambda r: (r.field, r.start, r.pk)):
            key = f"d{row.pk}"
            decided.append(
                {
                    "row": row,
                    "ref": marked_text.decision_ref(row),
                    "stale": row.pk not in fresh,
                    "reason": reason_label(row.reason_code),
                    "form": self.bound.get(key)
                    or ChangeDecisionForm(
                        prefix=key,
                        can_keep=row.source == RedactionSource.SUGGESTED,
                        initial={
                            "decision": row.decision,
                            "reason_code": row.reason_code,
                            "reason_detail": row.reason_detail,
                        },
                    ),
                }
            )

        withheld = decisions.withheld
        progress = review_progress(case)
        ids = [p.record.pk for p in progress.records]
        index = ids.index(record.pk)
        context.update(
            {
                "case": case,
                "record": record,
                "record_url": self.record_url,
                "overview_url": self.overview_url,
                "log_url": self.log_url,
                "may_decide": self.may_decide,
                "not_deciding": not_deciding_message(case, self.request.user),
                "parts": parts,
                "suggestions": suggestions,
                "decided": decided,
                "withheld": withheld,
                "withheld_reason": reason_label(withheld.reason_code) if withheld else "",
                "stale_message": stale_message,
                "preview": preview,
                "preview_reason": reason_label(preview.withheld_reason) if preview else "",
                "manual_form": self.bound.get("manual")
                or ManualRedactionForm(prefix="manual", parts=self.part_names),
                "accept_all_form": self.bound.get("all") or AcceptAllForm(prefix="all"),
                "withhold_form": self.bound.get("withhold")
                or WithholdForm(
                    prefix="withhold",
                    initial={
                        "reason_code": withheld.reason_code,
                        "reason_detail": withheld.reason_detail,
                    }
                    if withheld
                    else None,
                ),
                "progress": progress,
                "this_progress": progress.records[index],
                "position": index + 1,
                "previous_url": self.neighbour_url(ids, index - 1),
                "next_url": self.neighbour_url(ids, index + 1),
                "reason_codes": [(code.value, code.label) for code in ReasonCode],
            }
        )
        return context

    def neighbour_url(self, ids: list[int], index: int) -> str:
        if 0 <= index < len(ids):
            return reverse("sar_admin:redaction_record", args=[self.case.pk, ids[index]])
        return ""


def preview_segments(segments) -> list[dict]:
    """Kept text and black boxes, as the bundle prints them."""
    return [
        {"code": segment.label} if isinstance(segment, RedactionMarker) else {"text": segment.text}
        for segment in segments
    ]
