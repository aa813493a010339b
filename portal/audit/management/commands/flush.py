"""``flush`` that can empty the audit table on SQLite.

Django's flush (and so every TransactionTestCase / ``transactional_db`` test)
empties tables with ``DELETE FROM`` on SQLite, which the append-only triggers
refuse. Flushing is a deliberate "destroy all data" act, so on SQLite this lifts
the triggers for the flush and puts them back afterwards. PostgreSQL flushes
with TRUNCATE, which row triggers do not see, so nothing changes there.
"""

from django.core.management.commands.flush import Command as FlushCommand
from django.db import DEFAULT_DB_ALIAS, connections

from portal.audit import triggers


class Command(FlushCommand):
    def handle(self, **options):
        connection = connections[options.get("database") or DEFAULT_DB_ALIAS]
        lift = connection.vendor == "sqlite" and triggers.triggers_exist(connection)
        if lift:
            triggers.drop_triggers(connection)
        try:
            return super().handle(**options)
        finally:
            if lift:
                triggers.create_triggers(connection)
