import GRDB

/// The versioned schema. Migrations are append-only: never edit one that has shipped, add the next.
enum SQLiteSchema {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1: messages, tickets, outbox, roster") { db in
            try db.execute(sql: """
                CREATE TABLE inbound (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    channel TEXT NOT NULL,
                    provider_id TEXT NOT NULL,
                    sender TEXT NOT NULL,
                    recipient TEXT,
                    text TEXT NOT NULL,
                    received_at REAL NOT NULL,
                    stored_at REAL NOT NULL,
                    processed INTEGER NOT NULL DEFAULT 0,
                    UNIQUE (channel, provider_id)
                );
                CREATE INDEX inbound_pending ON inbound (id) WHERE processed = 0;

                CREATE TABLE rejected_inbound (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    channel TEXT NOT NULL,
                    raw TEXT NOT NULL,
                    reason TEXT NOT NULL,
                    received_at REAL NOT NULL
                );

                CREATE TABLE channel_cursor (
                    channel TEXT PRIMARY KEY,
                    cursor TEXT NOT NULL,
                    updated_at REAL NOT NULL
                );

                CREATE TABLE counter (
                    name TEXT PRIMARY KEY,
                    value INTEGER NOT NULL
                );

                CREATE TABLE ticket (
                    ref TEXT PRIMARY KEY,
                    status TEXT NOT NULL,
                    intent TEXT NOT NULL,
                    category TEXT NOT NULL,
                    department TEXT NOT NULL,
                    severity TEXT NOT NULL,
                    location_building TEXT,
                    location_unit TEXT,
                    location_room TEXT,
                    resident TEXT NOT NULL,
                    channel TEXT NOT NULL,
                    locale TEXT NOT NULL,
                    text TEXT NOT NULL,
                    first_responder TEXT NOT NULL,
                    handler TEXT NOT NULL,
                    rules_version TEXT NOT NULL,
                    created_at REAL NOT NULL,
                    first_response_at REAL,
                    promised_reply_at REAL,
                    resolved_at REAL,
                    closed_at REAL,
                    satisfaction INTEGER
                );
                CREATE INDEX ticket_resident ON ticket (resident, status);
                CREATE INDEX ticket_handler ON ticket (handler, status);
                CREATE INDEX ticket_created ON ticket (created_at);

                CREATE TABLE ticket_event (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    ticket_ref TEXT NOT NULL REFERENCES ticket (ref),
                    at REAL NOT NULL,
                    actor TEXT NOT NULL,
                    kind TEXT NOT NULL,
                    text TEXT NOT NULL,
                    channel TEXT
                );
                CREATE INDEX ticket_event_ref ON ticket_event (ticket_ref, id);

                CREATE TABLE outbox (
                    id TEXT PRIMARY KEY,
                    channel TEXT NOT NULL,
                    recipient TEXT NOT NULL,
                    text TEXT NOT NULL,
                    ticket_ref TEXT,
                    status TEXT NOT NULL,
                    attempts INTEGER NOT NULL,
                    next_attempt_at REAL NOT NULL,
                    last_error TEXT,
                    created_at REAL NOT NULL,
                    sent_at REAL
                );
                CREATE INDEX outbox_due ON outbox (next_attempt_at) WHERE status = 'pending';

                CREATE TABLE staff (
                    id TEXT PRIMARY KEY,
                    position INTEGER NOT NULL,
                    name TEXT NOT NULL,
                    address TEXT NOT NULL,
                    department TEXT NOT NULL,
                    role TEXT NOT NULL,
                    locale TEXT NOT NULL,
                    channel TEXT
                );

                CREATE TABLE shift (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    staff_id TEXT NOT NULL REFERENCES staff (id),
                    department TEXT NOT NULL,
                    start_minute INTEGER NOT NULL,
                    end_minute INTEGER NOT NULL,
                    days TEXT
                );

                CREATE TABLE setting (
                    key TEXT PRIMARY KEY,
                    value TEXT NOT NULL
                );
                """)
        }
        migrator.registerMigration("desk-v2: ticket details and timers, duty log, pending choices") { db in
            try db.execute(sql: """
                ALTER TABLE ticket ADD COLUMN source TEXT NOT NULL DEFAULT 'text';
                ALTER TABLE ticket ADD COLUMN next_check_at REAL;
                ALTER TABLE ticket ADD COLUMN details TEXT NOT NULL DEFAULT '{}';
                CREATE INDEX ticket_next_check ON ticket (next_check_at) WHERE next_check_at IS NOT NULL;
                CREATE INDEX ticket_place ON ticket (category, location_building, location_unit, location_room);

                CREATE TABLE duty_log (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    at REAL NOT NULL,
                    staff_id TEXT NOT NULL,
                    kind TEXT NOT NULL,
                    place TEXT,
                    text TEXT NOT NULL,
                    abnormal INTEGER NOT NULL DEFAULT 0,
                    ticket_ref TEXT
                );
                CREATE INDEX duty_log_at ON duty_log (at);

                CREATE TABLE pending_choice (
                    resident TEXT PRIMARY KEY,
                    text TEXT NOT NULL,
                    channel TEXT NOT NULL,
                    at REAL NOT NULL,
                    refs TEXT NOT NULL
                );
                """)
        }
        SQLiteSchema.registerChannelMigrations(&migrator)
        SQLiteSchema.registerCorrectionMigrations(&migrator)
        migrator.registerMigration("desk-v3: a named place as a ticket's location") { db in
            try db.execute(sql: "ALTER TABLE ticket ADD COLUMN location_place TEXT")
        }
        SQLiteSchema.registerConsoleMigrations(&migrator)
        SQLiteSchema.registerMediaMigrations(&migrator)
        return migrator
    }
}
