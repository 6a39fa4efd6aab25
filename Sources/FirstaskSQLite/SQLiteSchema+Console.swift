import GRDB

extension SQLiteSchema {
    /// The web console's tables (`console-…`): accounts, hummingbird-auth sessions, the audit log.
    static func registerConsoleMigrations(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("console-1: console accounts, sessions and audit log") { db in
            try db.execute(sql: """
                CREATE TABLE console_account (
                    name TEXT PRIMARY KEY,
                    role TEXT NOT NULL,
                    department TEXT,
                    password_hash TEXT NOT NULL,
                    locale TEXT NOT NULL,
                    created_at REAL NOT NULL,
                    password_changed_at REAL NOT NULL
                );

                CREATE TABLE console_session (
                    key TEXT PRIMARY KEY,
                    value BLOB NOT NULL,
                    account TEXT,
                    expires_at REAL
                );
                CREATE INDEX console_session_account ON console_session (account);

                CREATE TABLE console_rules_version (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    at REAL NOT NULL,
                    account TEXT NOT NULL,
                    version TEXT NOT NULL,
                    yaml TEXT NOT NULL
                );

                CREATE TABLE console_audit (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    at REAL NOT NULL,
                    account TEXT NOT NULL,
                    action TEXT NOT NULL,
                    subject TEXT,
                    detail TEXT NOT NULL
                );
                """)
        }
    }
}
