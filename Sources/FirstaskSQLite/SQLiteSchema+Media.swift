import GRDB

extension SQLiteSchema {
    /// Attachments (`media-…`), registered last: a table of their own, so the other tables are untouched.
    static func registerMediaMigrations(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("media-1: attachments of inbound messages") { db in
            try db.execute(sql: """
                CREATE TABLE attachment (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    channel TEXT NOT NULL,
                    provider_id TEXT NOT NULL,
                    sender TEXT NOT NULL,
                    position INTEGER NOT NULL,
                    locator TEXT NOT NULL,
                    announced_type TEXT,
                    state TEXT NOT NULL DEFAULT 'pending',
                    sha256 TEXT,
                    size INTEGER,
                    content_type TEXT,
                    attempts INTEGER NOT NULL DEFAULT 0,
                    next_attempt_at REAL NOT NULL,
                    last_error TEXT,
                    ticket_ref TEXT,
                    received_at REAL NOT NULL,
                    UNIQUE (channel, provider_id, position)
                );
                CREATE INDEX attachment_due ON attachment (next_attempt_at) WHERE state = 'pending';
                CREATE INDEX attachment_unlinked ON attachment (id) WHERE ticket_ref IS NULL;
                CREATE INDEX attachment_ticket ON attachment (ticket_ref);
                CREATE INDEX attachment_sha ON attachment (sha256);
                """)
        }
    }
}
