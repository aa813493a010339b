"""Asking for records: GOV.UK question pages, one question a page, the answers
kept in the session (``sar.views.answers``) until the person checks them and
sends the request, which calls ``sar.workflow.request_submit`` once.

The way through: start -> who -> (children: the list, add, change, remove) ->
which records -> how -> help -> the confidentiality code -> check your answers
-> confirmation. A "Change" link from check your answers carries
``?return=check`` and brings the person back there. Every page opens with
nothing answered (it asks its question; check your answers lists what is
missing), so no page needs the one before it to have been seen.
"""

from __future__ import annotations

import hashlib
from urllib.parse import urlencode

from django.core.cache import cache
from django.db import transaction
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from wagtail.models import Revision

from content.models import ConfidentialityCodePage
from portal.accounts.decorators import personal_page
from sar import children as child_rules
from sar import selectors
from sar.exceptions import RuleViolation
from sar.forms import (
    AdjustmentsForm,
    ChildForm,
    ChildrenChoiceForm,
    CodeForm,
    HowForm,
    RemoveChildForm,
    SarForm,
    WhatForm,
    WhichRecordsForm,
    WhoForm,
)
from sar.forms.journey import DONE, NEW_CHILD, YES
from sar.models import Adjustment, Delivery, Scope
from sar.views.access import DOMAIN_ERRORS, PageErrors, posted
from sar.views.answers import MISSING_TEXT, Answers
from sar.workflow import messages, request_submit

# One send per set of answers: the key is taken (an atomic cache add) before
# the request is made and then holds its reference, so a second press of the
# button, a second tab or a resent POST finds it instead of making another.
SEND_LOCK_SECONDS = 24 * 60 * 60
SENDING = "sending"
# The check-answers row a missing answer is shown in, where it is not its own.
ROW = {"what_detail": "what"}


def _send_key(user, token: str) -> str:
    # The token is posted, so anything at all: hashed, the key is always one
    # any cache accepts (the database cache refuses a NUL, memcached spaces
    # and more than 250 characters).
    digest = hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()
    return f"sar:send:{user.pk}:{digest}"


def _returning(request) -> bool:
    return request.GET.get("return") == "check"


def _url(name: str, request=None, *args) -> str:
    """A journey URL, keeping ``?return=check`` when the person came from
    check your answers."""
    url = reverse(f"sar:{name}", args=args)
    if request is not None and _returning(request):
        url = f"{url}?{urlencode({'return': 'check'})}"
    return url


def _after(request, answers: Answers, default: str) -> str:
    """Where a question goes next: on to ``default``, or back to check your
    answers when changing one (unless children are now needed and missing)."""
    if _returning(request):
        if answers.includes_children and not answers.children(request.user):
            return _first_child_step(request, answers)
        return reverse("sar:check")
    return reverse(f"sar:{default}")


def _back(request, default: str) -> str:
    return reverse("sar:check") if _returning(request) else reverse(f"sar:{default}")


def _question(request, form: SarForm, *, title: str, back: str, template=None, **extra):
    context = {"form": form, "title": title, "back_url": back, **extra}
    return render(request, template or "sar/parent/question.html", context)


def live_code_page():
    """The live confidentiality code and the revision people see now, or
    (None, None) if it is not published."""
    page = ConfidentialityCodePage.objects.live().first()
    revision = page.live_revision if page is not None else None
    if revision is None:
        return None, None
    return page, revision


# Start -------------------------------------------------------------------------


@personal_page(methods=("GET",))
def start(request):
    answers = Answers(request)
    code_page, _ = live_code_page()
    return render(
        request,
        "sar/parent/start.html",
        {"code_page": code_page, "in_progress": answers.started},
    )


# Who ---------------------------------------------------------------------------


@personal_page()
def who(request):
    answers = Answers(request)
    form = WhoForm(posted(request), initial={"about": answers.about})
    if request.method == "POST" and form.is_valid():
        answers.update(about=form.cleaned_data["about"])
        if answers.includes_children and not _returning(request):
            return redirect(_first_child_step(request, answers))
        return redirect(_after(request, answers, "what"))
    return _question(request, form, title=str(form["about"].label), back=_back(request, "start"))


def _first_child_step(request, answers: Answers) -> str:
    """The list (which offers saved children) unless there is nothing to
    list or offer, in which case straight to adding a child."""
    saved = selectors.children_for_parent(request.user).exists()
    if saved or answers.children(request.user):
        return _url("children", request)
    return _url("child_add", request)


# Children: the add-another list, add, change, remove ----------------------------


@personal_page()
def children(request):
    answers = Answers(request)
    entries = answers.children(request.user)
    saved = list(
        selectors.children_for_parent(request.user).exclude(pk__in=answers.saved_child_ids())
    )
    form = None
    if saved or entries:
        form = ChildrenChoiceForm(posted(request), saved_children=saved, have_some=bool(entries))
    if request.method == "POST" and form is not None and form.is_valid():
        choice = form.cleaned_data["choice"]
        if choice == NEW_CHILD:
            return redirect(_url("child_add", request))
        if choice == DONE:
            return redirect(_after(request, answers, "what"))
        child = selectors.child_for_parent(request.user, choice.removeprefix("saved-"))
        answers.add_saved_child(child)
        return redirect(_url("children", request))
    if request.method == "POST" and form is None:
        return redirect(_url("child_add", request))
    return render(
        request,
        "sar/parent/children.html",
        {
            "form": form,
            "entries": entries,
            "back_url": _back(request, "who"),
            "returning": _returning(request),
        },
    )


def _child_details(form: ChildForm) -> dict:
    return {name: form.cleaned_data.get(name) for name in form.cleaned_data}


@personal_page()
def child_add(request):
    answers = Answers(request)
    form = ChildForm(posted(request))
    if request.method == "POST" and form.is_valid():
        answers.add_child(_child_details(form))
        return redirect(_url("children", request))
    have_list = (
        bool(answers.children(request.user)) or selectors.children_for_parent(request.user).exists()
    )
    back = _url("children", request) if have_list else _back(request, "who")
    return render(
        request, "sar/parent/child.html", {"form": form, "back_url": back, "adding": True}
    )


@personal_page()
def child_change(request, key):
    answers = Answers(request)
    form = ChildForm(posted(request), initial=answers.child_details(key))
    if request.method == "POST" and form.is_valid():
        answers.update_child(key, _child_details(form))
        return redirect(reverse("sar:check") if _returning(request) else _url("children"))
    back = reverse("sar:check") if _returning(request) else reverse("sar:children")
    return render(
        request, "sar/parent/child.html", {"form": form, "back_url": back, "adding": False}
    )


@personal_page()
def child_remove(request, key):
    answers = Answers(request)
    entry = answers.child_entry(request.user, key)
    form = RemoveChildForm(posted(request), name=entry.full_name)
    if request.method == "POST" and form.is_valid():
        if form.cleaned_data["confirm"] == YES:
            answers.remove_child(key)
        if _returning(request) and answers.children(request.user):
            return redirect("sar:check")
        return redirect(_url("children", request))
    back = reverse("sar:check") if _returning(request) else reverse("sar:children")
    return _question(request, form, title=str(form["confirm"].label), back=back)


# Which records, how, help --------------------------------------------------------


@personal_page()
def what(request):
    answers = Answers(request)
    form = WhatForm(posted(request), initial={"scope": answers.scope})
    if request.method == "POST" and form.is_valid():
        scope = form.cleaned_data["scope"]
        if scope == Scope.SPECIFIC:
            answers.update(scope=scope)
            return redirect(_url("what_detail", request))
        answers.update(scope=scope, date_from=None, date_to=None, topics="")
        return redirect(_after(request, answers, "how"))
    back = _back(request, "children" if answers.includes_children else "who")
    return _question(request, form, title=str(form["scope"].label), back=back)


@personal_page()
def what_detail(request):
    answers = Answers(request)
    initial = {
        "date_from": answers.date_from,
        "date_to": answers.date_to,
        "topics": answers.get("topics", ""),
    }
    form = WhichRecordsForm(posted(request), initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        answers.update(
            scope=Scope.SPECIFIC,
            date_from=data["date_from"],
            date_to=data["date_to"],
            topics=data["topics"].strip(),
        )
        return redirect(_after(request, answers, "how"))
    return render(
        request,
        "sar/parent/which_records.html",
        {"form": form, "back_url": _url("what", request)},
    )


@personal_page()
def how(request):
    answers = Answers(request)
    form = HowForm(posted(request), initial={"delivery": answers.get("delivery")})
    if request.method == "POST" and form.is_valid():
        answers.update(delivery=form.cleaned_data["delivery"])
        return redirect(_after(request, answers, "adjustments"))
    back = _back(request, "what_detail" if answers.scope == Scope.SPECIFIC else "what")
    return _question(request, form, title=str(form["delivery"].label), back=back)


@personal_page()
def adjustments(request):
    answers = Answers(request)
    chosen = answers.get("adjustments")
    initial = {
        "adjustments": chosen if chosen is not None else [],
        "interpreter_language": answers.get("interpreter_language", ""),
        "adjustment_other": answers.get("adjustment_other", ""),
    }
    form = AdjustmentsForm(posted(request), initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        answers.update(
            adjustments=data["adjustments"],
            interpreter_language=data["interpreter_language"].strip(),
            adjustment_other=data["adjustment_other"].strip(),
        )
        return redirect(_after(request, answers, "code"))
    return _question(
        request, form, title=str(form["adjustments"].label), back=_back(request, "how")
    )


# The confidentiality code ---------------------------------------------------------


@personal_page()
def code(request):
    answers = Answers(request)
    page, revision = live_code_page()
    read_this_one = revision is not None and answers.code_revision_id == revision.pk
    form = CodeForm(posted(request), initial={"acknowledged": read_this_one})
    if request.method == "POST" and revision is not None and form.is_valid():
        # The revision shown on this page, stored the moment they confirm.
        answers.update(code_revision_id=revision.pk, acknowledged_at=timezone.now().isoformat())
        return redirect(_after(request, answers, "check"))
    return render(
        request,
        "sar/parent/code.html",
        {
            "form": form,
            "page": page,
            # What this revision says, whatever the page's draft holds now.
            "code": revision.as_object() if revision is not None else None,
            "back_url": _back(request, "adjustments"),
        },
    )


# Check your answers and send ---------------------------------------------------------


@personal_page()
def check(request):
    answers = Answers(request)
    user = request.user
    errors = PageErrors()
    if request.method == "POST":
        token = request.POST.get("token", "")
        key = _send_key(user, token)
        if not token or token != answers.get("token"):
            # Not the answers in this session: already sent (the session's
            # answers are cleared on sending), being sent, or a stale page.
            sent = cache.get(key) if token else None
            if sent == SENDING:
                return render(request, "sar/parent/already_sent.html")
            if sent:
                return _sent(request, answers, token, sent)
        elif answers.missing(user):
            for name in answers.missing(user):
                errors.add(MISSING_TEXT[name](), f"#answer-{ROW.get(name, name)}")
        elif not cache.add(key, SENDING, SEND_LOCK_SECONDS):
            sent = cache.get(key)
            if sent and sent != SENDING:
                return _sent(request, answers, token, sent)
            return render(request, "sar/parent/already_sent.html")
        else:
            try:
                access_request = _send(user, answers)
            except DOMAIN_ERRORS as error:
                cache.delete(key)
                errors.add(error.message, "#check-answers")
            except Exception:
                cache.delete(key)  # nothing was made: let them try again
                raise
            else:
                cache.set(key, access_request.reference, SEND_LOCK_SECONDS)
                return _sent(request, answers, token, access_request.reference)
    missing = answers.missing(user)
    return render(
        request,
        "sar/parent/check.html",
        {
            "form": errors,
            "answers": answers,
            "entries": answers.children(user) if answers.includes_children else [],
            "missing": missing,
            "scope_label": Scope(answers.scope).label if answers.scope in Scope.values else "",
            "delivery_label": _label(Delivery, answers.get("delivery")),
            "adjustment_labels": [_label(Adjustment, a) for a in answers.adjustments or []],
            "code_revision": _revision(answers.code_revision_id),
            "back_url": reverse("sar:code"),
            # Only answers being made need a token (it would mark a visit to
            # this page as a request started).
            "token": answers.token if answers.started else "",
        },
    )


def _label(choices, value) -> str:
    return choices(value).label if value in choices.values else ""


def _revision(pk):
    return Revision.objects.filter(pk=pk).first() if pk else None


def _send(user, answers: Answers):
    """Add the new children to the person's account and make the request,
    together or not at all."""
    with transaction.atomic():
        subjects = []
        if answers.includes_children:
            for entry in answers.children(user):
                if entry.saved is not None:
                    subjects.append(entry.saved)
                    continue
                subjects.append(
                    child_rules.child_create(
                        parent=user,
                        full_name=entry.full_name,
                        date_of_birth=entry.date_of_birth,
                        relationship=entry.relationship,
                        relationship_other=entry.relationship_other,
                        has_parental_responsibility=entry.has_parental_responsibility,
                        school_or_setting=entry.school_or_setting,
                        court_order=entry.court_order,
                    )
                )
        revision = _revision(answers.code_revision_id)
        if revision is None:
            raise RuleViolation(messages.CODE_NOT_ACKNOWLEDGED)
        return request_submit(
            requester=user,
            about_requester=answers.includes_me,
            children=subjects,
            scope=answers.scope,
            date_from=answers.date_from,
            date_to=answers.date_to,
            topics=answers.get("topics", ""),
            delivery=answers.get("delivery"),
            adjustments=answers.adjustments or [],
            interpreter_language=answers.get("interpreter_language", ""),
            adjustment_other=answers.get("adjustment_other", ""),
            code_revision=revision,
            acknowledged_at=answers.acknowledged_at,
        )


def _sent(request, answers: Answers, token: str, reference: str):
    if answers.get("token") == token:
        answers.clear()
    return redirect("sar:confirmation", reference=reference)


@personal_page(methods=("GET",))
def confirmation(request, reference):
    access_request = selectors.request_for_parent(request.user, reference)
    return render(request, "sar/parent/confirmation.html", {"access_request": access_request})
