import GRDB

extension SQLiteSchema {
    /// The migrations of learning from staff corrections (`corrections-…`), registered after the others.
    static func registerCorrectionMigrations(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("corrections-1: staff corrections of classifier labels") { db in
            // One row per correction: what the classifier read and said (original_*, fired_rules as
            // comma-separated ids, rules_version) and the corrected values (NULL where the correction says
            // nothing about a field).
            try db.execute(sql: """
                CREATE TABLE label_correction (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    ticket_ref TEXT NOT NULL REFERENCES ticket (ref),
                    at REAL NOT NULL,
                    staff_id TEXT NOT NULL,
                    kind TEXT NOT NULL,
                    text TEXT NOT NULL,
                    original_intent TEXT NOT NULL,
                    original_category TEXT NOT NULL,
                    original_department TEXT NOT NULL,
                    original_severity TEXT NOT NULL,
                    fired_rules TEXT NOT NULL,
                    rules_version TEXT NOT NULL,
                    category TEXT,
                    department TEXT,
                    severity TEXT
                );
                CREATE INDEX label_correction_at ON label_correction (at);
                """)
        }
    }
}
