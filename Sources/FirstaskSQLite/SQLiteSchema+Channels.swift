import GRDB

extension SQLiteSchema {
    /// The channel adapters' migrations (`channels-…`), registered after the others.
    static func registerChannelMigrations(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("channels-1: throttled inbound, delivery reports") { db in
            try db.execute(sql: """
                ALTER TABLE inbound ADD COLUMN throttled INTEGER NOT NULL DEFAULT 0;
                CREATE INDEX inbound_sender ON inbound (channel, sender, stored_at);
                ALTER TABLE outbox ADD COLUMN delivery_state TEXT;
                ALTER TABLE outbox ADD COLUMN delivery_detail TEXT;
                ALTER TABLE outbox ADD COLUMN delivery_at REAL;
                """)
        }
    }
}
