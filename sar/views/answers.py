"""The answers of a request being made, kept in the session under one key until
the request is sent, so a validation error, the back button or a "Change"
link never loses them.

Only plain JSON goes in: dates as ISO strings, children the parent already
told us about as their ids (looked up again through ``children_for_parent``
when used, so nobody else's child can be named), new children as the details
typed. ``token`` is the one-time key of this set of answers: sending them is
allowed once per token (``sar.views.journey.check``).
"""

from __future__ import annotations

import datetime
import secrets
from dataclasses import dataclass

from django.http import Http404
from django.utils.translation import gettext as _

from sar import children as child_rules
from sar import deadlines, selectors
from sar.forms.journey import BOTH, CHILD, ME, NO_ADJUSTMENTS, YES
from sar.models import Child, Relationship, Scope

SESSION_KEY = "sar_new_request"

# What a new child's details hold (as ChildForm's cleaned data).
CHILD_FIELDS = (
    "full_name",
    "date_of_birth",
    "school_or_setting",
    "relationship",
    "relationship_other",
    "has_parental_responsibility",
    "has_court_order",
    "court_order",
)


def _iso(value):
    return value.isoformat() if isinstance(value, datetime.date) else value


def _date(value):
    return datetime.date.fromisoformat(value) if value else None


@dataclass
class ChildEntry:
    """One child in the request as the pages show them."""

    key: str
    full_name: str
    date_of_birth: datetime.date
    school_or_setting: str
    relationship: str
    relationship_other: str
    has_parental_responsibility: bool
    court_order: str
    has_court_order: bool
    saved: Child | None = None

    @property
    def relationship_label(self) -> str:
        if self.relationship == Relationship.OTHER:
            return self.relationship_other
        return Relationship(self.relationship).label

    @property
    def needs_their_consent(self) -> bool:
        """16 or over today: the caseworker will need their agreement."""
        age = child_rules.age_on(self.date_of_birth, deadlines.today())
        return age >= child_rules.CONSENT_AGE


class Answers:
    """The session's answers for one person's request in progress."""

    def __init__(self, request):
        self.request = request
        self.data: dict = dict(request.session.get(SESSION_KEY) or {})

    # Storage -----------------------------------------------------------------

    def save(self) -> None:
        self.data.setdefault("token", secrets.token_urlsafe(16))
        self.data.setdefault("children", [])
        self.request.session[SESSION_KEY] = self.data
        self.request.session.modified = True

    def clear(self) -> None:
        self.request.session.pop(SESSION_KEY, None)
        self.data = {}

    @property
    def started(self) -> bool:
        return bool(self.data)

    @property
    def token(self) -> str:
        if "token" not in self.data:
            self.save()
        return self.data["token"]

    def get(self, name, default=None):
        return self.data.get(name, default)

    def update(self, **values) -> None:
        self.data.update({name: _iso(value) for name, value in values.items()})
        self.save()

    # Who ---------------------------------------------------------------------

    @property
    def about(self) -> str | None:
        return self.data.get("about")

    @property
    def includes_me(self) -> bool:
        return self.about in (ME, BOTH)

    @property
    def includes_children(self) -> bool:
        return self.about in (CHILD, BOTH)

    # Children ----------------------------------------------------------------

    @property
    def _children(self) -> list[dict]:
        return self.data.setdefault("children", [])

    def saved_child_ids(self) -> set[int]:
        return {c["saved_id"] for c in self._children if c.get("saved_id")}

    def add_saved_child(self, child: Child) -> None:
        if child.pk not in self.saved_child_ids():
            self._children.append({"key": secrets.token_hex(4), "saved_id": child.pk})
        self.save()

    def add_child(self, details: dict) -> None:
        entry = {name: _iso(details.get(name)) for name in CHILD_FIELDS}
        entry["key"] = secrets.token_hex(4)
        self._children.append(entry)
        self.save()

    def child_details(self, key: str) -> dict:
        """A new child's details as typed, for its Change page; 404 for a key
        that is not in this request or a child saved before (not editable here)."""
        for entry in self._children:
            if entry["key"] == key and not entry.get("saved_id"):
                details = {name: entry.get(name) for name in CHILD_FIELDS}
                details["date_of_birth"] = _date(details["date_of_birth"])
                return details
        raise Http404("No such child in this request.")

    def update_child(self, key: str, details: dict) -> None:
        self.child_details(key)
        for entry in self._children:
            if entry["key"] == key:
                entry.update({name: _iso(details.get(name)) for name in CHILD_FIELDS})
        self.save()

    def remove_child(self, key: str) -> None:
        self.data["children"] = [c for c in self._children if c["key"] != key]
        self.save()

    def children(self, user) -> list[ChildEntry]:
        """The children in the request, in the order added. A saved child no
        longer on the person's account is dropped."""
        saved = {
            c.pk: c
            for c in selectors.children_for_parent(user).filter(pk__in=self.saved_child_ids())
        }
        entries = []
        for entry in self._children:
            if entry.get("saved_id"):
                child = saved.get(entry["saved_id"])
                if child is None:
                    continue
                entries.append(
                    ChildEntry(
                        key=entry["key"],
                        full_name=child.full_name,
                        date_of_birth=child.date_of_birth,
                        school_or_setting=child.school_or_setting,
                        relationship=child.relationship,
                        relationship_other=child.relationship_other,
                        has_parental_responsibility=child.has_parental_responsibility,
                        court_order=child.court_order,
                        has_court_order=bool(child.court_order),
                        saved=child,
                    )
                )
            else:
                entries.append(
                    ChildEntry(
                        key=entry["key"],
                        full_name=entry["full_name"],
                        date_of_birth=_date(entry["date_of_birth"]),
                        school_or_setting=entry.get("school_or_setting") or "",
                        relationship=entry["relationship"],
                        relationship_other=entry.get("relationship_other") or "",
                        has_parental_responsibility=entry["has_parental_responsibility"] == YES,
                        court_order=entry.get("court_order") or "",
                        has_court_order=entry.get("has_court_order") == YES,
                    )
                )
        return entries

    def child_entry(self, user, key: str) -> ChildEntry:
        for entry in self.children(user):
            if entry.key == key:
                return entry
        raise Http404("No such child in this request.")

    # What, how, help, the code ----------------------------------------------

    @property
    def scope(self) -> str | None:
        return self.data.get("scope")

    @property
    def date_from(self) -> datetime.date | None:
        return _date(self.data.get("date_from"))

    @property
    def date_to(self) -> datetime.date | None:
        return _date(self.data.get("date_to"))

    @property
    def adjustments(self) -> list[str] | None:
        """The help chosen; [] for "none"; None when not answered yet."""
        chosen = self.data.get("adjustments")
        if chosen is None:
            return None
        return [a for a in chosen if a != NO_ADJUSTMENTS]

    @property
    def code_revision_id(self) -> int | None:
        return self.data.get("code_revision_id")

    @property
    def acknowledged_at(self) -> datetime.datetime | None:
        value = self.data.get("acknowledged_at")
        return datetime.datetime.fromisoformat(value) if value else None

    # Completeness -------------------------------------------------------------

    def missing(self, user) -> list[str]:
        """The questions not answered yet, by name, in the journey's order."""
        missing = []
        if self.about not in (ME, CHILD, BOTH):
            missing.append("who")
        elif self.includes_children and not self.children(user):
            missing.append("children")
        if self.scope not in Scope.values:
            missing.append("what")
        elif self.scope == Scope.SPECIFIC and not (
            self.date_from or self.date_to or self.data.get("topics")
        ):
            missing.append("what_detail")
        if not self.data.get("delivery"):
            missing.append("how")
        if self.adjustments is None:
            missing.append("adjustments")
        if not self.code_revision_id:
            missing.append("code")
        return missing


MISSING_TEXT = {
    "who": lambda: _("Select who you want records about"),
    "children": lambda: _("Add the children you want records about"),
    "what": lambda: _("Select which records you want"),
    "what_detail": lambda: _("Tell us which records you want"),
    "how": lambda: _("Select how you want to get your records"),
    "adjustments": lambda: _("Tell us if you need any help or changes"),
    "code": lambda: _("Read the confidentiality code and confirm you have read it"),
}
