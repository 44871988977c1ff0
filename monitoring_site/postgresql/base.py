"""Django's PostgreSQL backend with a health check that costs no round trip while the connection is quiet.

CONN_HEALTH_CHECKS makes Django test a kept connection at the start of every request that uses
the database, so that a restarted or cut database is met with a new connection, not a 500. Its
test is ``SELECT 1``: one round trip to the server on every request — for a questionnaire
autosave (one statement) a second round trip, doubling what it waits on the database for. A connection the
server has ended is never quiet: the server sends its FATAL message and closes the socket, which
makes the socket readable while the client waits for nothing. So an idle connection whose socket
has nothing to read is usable; only one with something waiting (a cut, or a rare message the
server sent by itself) gets the full ``SELECT 1`` test, which reads what is waiting and answers
for it. Neither Django nor psycopg offers this check (psycopg's pool also sends a query), hence
these few lines.
"""

from __future__ import annotations

import select

from django.db.backends.postgresql import base
from psycopg import pq


class DatabaseWrapper(base.DatabaseWrapper):
    def is_usable(self) -> bool:
        conn = self.connection
        if conn is None or conn.closed or conn.broken:
            return False
        if conn.pgconn.transaction_status == pq.TransactionStatus.IDLE:
            try:
                waiting, _w, _x = select.select([conn.fileno()], [], [], 0)
            except (OSError, ValueError):
                return False
            if not waiting:
                return True
        return super().is_usable()
