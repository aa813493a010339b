"""A realistic, entirely fictional case file for local and demo portals.

``load_demo_case_file`` creates, once, a demo parent (who cannot sign in until
a password is set), one child, the service's case for them, the third parties
and professionals the records mention, and about forty records of every kind,
encrypted at rest like real ones. Faker (en_GB) with a fixed seed makes the same
case file on every machine; phone numbers are in Ofcom's drama range
(01632 960xxx), email addresses at example.org.
"""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from sar import roles
from sar.models import Child, Person, Record, RecordKind, Relationship, ServiceCase

DEMO_PARENT_EMAIL = "demo.parent@example.org"
SEED = 20240902
RECORD_COUNT = 40
FIRST_DATE = dt.date(2024, 9, 2)

# (role, is professional, key used in the templates)
PEOPLE = [
    ("class teacher", True, "teacher"),
    ("SENCo", True, "senco"),
    ("educational psychologist", True, "ep"),
    ("speech and language therapist", True, "salt"),
    ("grandparent", False, "gran"),
    ("other child", False, "classmate"),
    ("other parent", False, "classmate_parent"),
    ("sibling", False, "sibling"),
]

# (kind, title, body); {name} placeholders are filled from the people above,
# {child} and {parent} from the family, {phone}, {postcode}, {date} from Faker.
TEMPLATES = [
    (
        RecordKind.PHONE_CALL,
        "Phone call",
        "{parent} rang from {phone} about {child}'s reading support. She said {teacher} "
        "had told her the extra sessions stopped after half term. Agreed to ask {senco} "
        "for the provision map and call back on Thursday.",
    ),
    (
        RecordKind.EMAIL,
        "Email",
        "Dear {senco},\n\nThank you for your time on {date}. As discussed, {parent} would "
        "like to see the draft EHCP before the review meeting. Could you send it to "
        "{parent_email}?\n\nKind regards,\nSENDIASS",
    ),
    (
        RecordKind.CASE_NOTE,
        "Case note",
        "Reviewed the school's SEN support plan. Targets for {child} are vague and "
        "{ep}'s recommendations from the assessment are not reflected. Suggested to "
        "{parent} that she asks for an annual review to be brought forward.",
    ),
    (
        RecordKind.MEETING_NOTE,
        "Meeting note",
        "Present: {parent}, {teacher}, {senco}, SENDIASS caseworker. {teacher} said {child} "
        "is settled in class but struggles at lunchtime, especially with {classmate}. "
        "{senco} agreed to a lunchtime club trial. Next meeting at school, {postcode}.",
    ),
    (
        RecordKind.LETTER,
        "Letter",
        "Dear {parent},\n\nFurther to our conversation, I enclose the guide to requesting "
        "an EHC needs assessment. Please call me on {office_phone} if you would like help "
        "completing the form.\n\nYours sincerely,\nSENDIASS",
    ),
    (
        RecordKind.PHONE_CALL,
        "Phone call",
        "{gran} (grandmother, calls herself {gran_alias}) phoned on {gran_phone}. She "
        "collects {child} on Tuesdays and was worried about bruising after PE. Advised "
        "her to raise it with {teacher} and explained we are not a safeguarding service.",
    ),
    (
        RecordKind.CASE_NOTE,
        "Case note",
        "{child} told me, and asked me not to tell Mum, that {classmate} has been taking "
        "her lunch and that she hides in the toilets. {child} is worried {classmate_parent} "
        "will find out. Discussed with the safeguarding lead.",
    ),
    (
        RecordKind.EMAIL,
        "Email",
        "Hi,\n\n{salt} here. I saw {child} on {date} and have attached my report. She "
        "would benefit from weekly sessions in school. My direct line is {salt_phone}.\n\n"
        "Best wishes,\n{salt}",
    ),
    (
        RecordKind.DOCUMENT,
        "Document",
        "Educational psychology report by {ep}, received {date}. Summary: {child} has "
        "significant difficulties with working memory and processing speed. "
        "Recommendations include pre-teaching vocabulary and a quiet workspace.",
    ),
    (
        RecordKind.MEETING_NOTE,
        "Annual review",
        "Annual review at school. {parent}, {senco}, {ep} by video. {sibling} attended "
        "with {parent} as no childcare was available. Outcomes agreed; the local "
        "authority to issue the amended plan within four weeks.",
    ),
    (
        RecordKind.CASE_NOTE,
        "Case note",
        "{parent} dropped in to the office. She has moved to {address}, {postcode}. "
        "Updated contact details; new mobile {phone}.",
    ),
    (
        RecordKind.LETTER,
        "Letter",
        "Dear {classmate_parent},\n\nThank you for your letter about the incident at the "
        "school gate. We cannot discuss another family's case; please contact the school "
        "directly.\n\nYours sincerely,\nSENDIASS",
    ),
]


def _pdf(text: str) -> bytes:
    """A one-page PDF showing ``text`` (a small, valid hand-written file)."""
    stream = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        b"/Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def _demo_caseworker():
    from appointments.demo import DEMO_STAFF_EMAIL

    User = get_user_model()
    user = User.objects.filter(email__iexact=DEMO_STAFF_EMAIL).first()
    if user is None:
        user = User.objects.create_user(
            email=DEMO_STAFF_EMAIL, password=None, full_name="Demo caseworker", is_staff=True
        )
        user.groups.add(Group.objects.get_or_create(name=roles.CASEWORKER)[0])
    return user


def load_demo_case_file() -> str:
    """Create the demo case file unless it exists; returns a short summary."""
    from faker import Faker

    User = get_user_model()
    parent = User.objects.filter(email__iexact=DEMO_PARENT_EMAIL).first()
    existing = ServiceCase.objects.filter(service_user=parent).first() if parent else None
    if existing is not None:
        return f"demo case file already loaded ({existing.records.count()} records)"

    fake = Faker("en_GB")
    fake.seed_instance(SEED)
    caseworker = _demo_caseworker()
    if parent is None:
        # password=None: an unusable (random, "!"-prefixed) password.
        parent = User.objects.create_user(
            email=DEMO_PARENT_EMAIL,
            password=None,
            full_name=f"{fake.first_name_female()} {fake.last_name()}",
        )
    surname = parent.full_name.split()[-1]
    child_name = f"{fake.first_name_female()} {surname}"
    child = Child.objects.create(
        parent=parent,
        full_name=child_name,
        date_of_birth=dt.date(2015, 3, 14),
        school_or_setting=f"{fake.last_name()} Primary School",
        relationship=Relationship.MOTHER,
        has_parental_responsibility=True,
    )
    case = ServiceCase.objects.create(
        service_user=parent, opened_on=FIRST_DATE, caseworker=caseworker
    )
    case.children.add(child)

    people: dict[str, Person] = {}
    for role, professional, key in PEOPLE:
        # First and last names only: Faker's name() adds titles ("Ms", "Dr").
        if key == "sibling":
            name = f"{fake.first_name_male()} {surname}"
        elif key == "gran":
            name = f"{fake.first_name_female()} {fake.last_name()}"
        else:
            name = f"{fake.first_name()} {fake.last_name()}"
        first, last = name.split(" ", 1)
        aliases = []
        if key == "gran":
            aliases = [f"Nana {first}"]
        elif key == "classmate":
            aliases = [f"{first} {last[0]}"]
        people[key] = Person.objects.create(
            case=case,
            full_name=name,
            aliases=aliases,
            role=role,
            is_professional=professional,
        )

    def phone() -> str:
        return f"01632 960{fake.random_int(0, 999):03d}"

    values = {key: person.full_name for key, person in people.items()}
    values.update(
        child=child.full_name.split()[0],
        parent=parent.full_name,
        parent_email=DEMO_PARENT_EMAIL,
        office_phone="01632 960000",
        gran_alias=people["gran"].aliases[0],
    )
    kind_senders = {
        RecordKind.EMAIL: ("{senco} <senco@example.org>", "{parent} <{parent_email}>"),
        RecordKind.LETTER: ("SENDIASS", "{parent}, {address}, {postcode}"),
    }
    date = FIRST_DATE
    created = 0
    for index in range(RECORD_COUNT):
        kind, title, template = TEMPLATES[index % len(TEMPLATES)]
        date += dt.timedelta(days=fake.random_int(3, 14))
        values.update(
            phone=phone(),
            gran_phone=phone(),
            salt_phone=phone(),
            postcode=fake.postcode(),
            address=fake.street_address().replace("\n", ", "),
            date=(date - dt.timedelta(days=fake.random_int(1, 5))).strftime("%-d %B %Y"),
        )
        body = template.format(**values)
        sender, recipients = (
            (s.format(**values) for s in kind_senders[kind]) if kind in kind_senders else ("", "")
        )
        record = Record.objects.create(
            case=case,
            kind=kind,
            date=date,
            author=caseworker,
            title=title,
            body=body,
            sender=sender,
            recipients=recipients,
            # The child's own disclosure stays out of a parent's request
            # unless a caseworker decides otherwise.
            shared_in_confidence_by_child="asked me not to tell" in template,
        )
        record.concerns.add(child)
        record.mentions.add(*(p for key, p in people.items() if f"{{{key}}}" in template))
        if kind == RecordKind.DOCUMENT:
            record.set_attachment(_pdf(f"Report on {values['child']} by {values['ep']}"))
        created += 1
    return f"{created} records on the case of {DEMO_PARENT_EMAIL}, {len(people)} people"
