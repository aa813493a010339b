"""Database triggers that refuse UPDATE and DELETE on the audit table.

The ORM already refuses (``AuditEvent.save``/``delete`` and the queryset), but
raw SQL, a shell or another program would not go through it: the database
itself must hold the append-only rule. PostgreSQL and SQLite are the two
databases the portal runs on; each gets its own SQL.

One UPDATE is let through (version 2 of the triggers, from migration 0003):
erasing an event's personal fields, which sets ``reason`` to '',
``ip_address`` to NULL and ``personal_salt`` to '' on an event whose hash
covers only their digest, and changes nothing else (see ``AuditEvent``).
Version 1 (migration 0002) refused every UPDATE; it is kept so that migration
still creates what it always did.

SQLite rebuilds a table (and drops its triggers) on most ALTERs, so a later
migration that alters ``audit_auditevent`` must call ``create_triggers`` again.

TRUNCATE does not fire row triggers on PostgreSQL; it is left to the database
role (production's application role should not hold TRUNCATE on this table)
because Django's test flush relies on it.
"""

TABLE = "audit_auditevent"
MESSAGE = "audit events are append-only"

# Columns an erasure leaves exactly as they were.
_KEPT = (
    "id",
    "timestamp",
    "actor_id",
    "actor_label",
    "action",
    "object_type",
    "object_id",
    "data",
    "previous_hash",
    "hash",
    "personal_digest",
)
_PG_ERASURE = " AND ".join(
    [
        "OLD.personal_digest <> ''",
        "NEW.reason = ''",
        "NEW.ip_address IS NULL",
        "NEW.personal_salt = ''",
        *(f"NEW.{column} IS NOT DISTINCT FROM OLD.{column}" for column in _KEPT),
    ]
)
_SQLITE_ERASURE = " AND ".join(
    [
        "OLD.personal_digest <> ''",
        "NEW.reason = ''",
        "NEW.ip_address IS NULL",
        "NEW.personal_salt = ''",
        *(f"NEW.{column} IS OLD.{column}" for column in _KEPT),
    ]
)

_POSTGRESQL_TRIGGERS = [
    f"""
    CREATE TRIGGER audit_auditevent_no_update BEFORE UPDATE ON {TABLE}
    FOR EACH ROW EXECUTE FUNCTION audit_auditevent_refuse_change()
    """,
    f"""
    CREATE TRIGGER audit_auditevent_no_delete BEFORE DELETE ON {TABLE}
    FOR EACH ROW EXECUTE FUNCTION audit_auditevent_refuse_change()
    """,
]
_POSTGRESQL_CREATE_V1 = [
    f"""
    CREATE OR REPLACE FUNCTION audit_auditevent_refuse_change() RETURNS trigger AS $$
    BEGIN
        RAISE EXCEPTION '{MESSAGE}: % refused', TG_OP;
    END;
    $$ LANGUAGE plpgsql
    """,
    *_POSTGRESQL_TRIGGERS,
]
_POSTGRESQL_CREATE = [
    f"""
    CREATE OR REPLACE FUNCTION audit_auditevent_refuse_change() RETURNS trigger AS $$
    BEGIN
        IF TG_OP = 'UPDATE' AND {_PG_ERASURE} THEN
            RETURN NEW;
        END IF;
        RAISE EXCEPTION '{MESSAGE}: % refused', TG_OP;
    END;
    $$ LANGUAGE plpgsql
    """,
    *_POSTGRESQL_TRIGGERS,
]
_POSTGRESQL_DROP = [
    f"DROP TRIGGER IF EXISTS audit_auditevent_no_update ON {TABLE}",
    f"DROP TRIGGER IF EXISTS audit_auditevent_no_delete ON {TABLE}",
    "DROP FUNCTION IF EXISTS audit_auditevent_refuse_change()",
]

_SQLITE_NO_DELETE = f"""
    CREATE TRIGGER audit_auditevent_no_delete BEFORE DELETE ON {TABLE}
    BEGIN SELECT RAISE(ABORT, '{MESSAGE}: DELETE refused'); END
    """
_SQLITE_CREATE_V1 = [
    f"""
    CREATE TRIGGER audit_auditevent_no_update BEFORE UPDATE ON {TABLE}
    BEGIN SELECT RAISE(ABORT, '{MESSAGE}: UPDATE refused'); END
    """,
    _SQLITE_NO_DELETE,
]
_SQLITE_CREATE = [
    f"""
    CREATE TRIGGER audit_auditevent_no_update BEFORE UPDATE ON {TABLE}
    WHEN NOT ({_SQLITE_ERASURE})
    BEGIN SELECT RAISE(ABORT, '{MESSAGE}: UPDATE refused'); END
    """,
    _SQLITE_NO_DELETE,
]
_SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS audit_auditevent_no_update",
    "DROP TRIGGER IF EXISTS audit_auditevent_no_delete",
]

CURRENT_VERSION = 2
_SQL = {
    "postgresql": ({1: _POSTGRESQL_CREATE_V1, 2: _POSTGRESQL_CREATE}, _POSTGRESQL_DROP),
    "sqlite": ({1: _SQLITE_CREATE_V1, 2: _SQLITE_CREATE}, _SQLITE_DROP),
}


def _statements(connection, which: int):
    try:
        return _SQL[connection.vendor][which]
    except KeyError:
        raise NotImplementedError(
            f"No append-only triggers for the {connection.vendor} database; add them "
            "in portal/audit/triggers.py."
        ) from None


def create_triggers(connection, *, version: int = CURRENT_VERSION) -> None:
    with connection.cursor() as cursor:
        for statement in _statements(connection, 0)[version]:
            cursor.execute(statement)


def drop_triggers(connection) -> None:
    with connection.cursor() as cursor:
        for statement in _statements(connection, 1):
            cursor.execute(statement)


def triggers_exist(connection) -> bool:
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(
                "SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s",
                [TABLE],
            )
        else:
            cursor.execute(
                "SELECT count(*) FROM information_schema.triggers WHERE event_object_table = %s",
                [TABLE],
            )
        return cursor.fetchone()[0] > 0
