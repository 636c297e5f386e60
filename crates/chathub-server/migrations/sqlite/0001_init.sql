-- Companies, organizations and operators (spec §1), and server settings.
CREATE TABLE server_settings (
    name  TEXT PRIMARY KEY NOT NULL,
    value BLOB NOT NULL
);

CREATE TABLE companies (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    login          TEXT NOT NULL UNIQUE,
    password_hash  TEXT NOT NULL,
    api_key_digest BLOB UNIQUE,
    is_demo        INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE organizations (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    company_id INTEGER NOT NULL REFERENCES companies (id),
    name       TEXT NOT NULL
);

CREATE TABLE operators (
    id                     INTEGER PRIMARY KEY AUTOINCREMENT,
    organization_id        INTEGER NOT NULL REFERENCES organizations (id),
    name                   TEXT NOT NULL,
    status                 INTEGER NOT NULL,
    last_deactivated_at_ms BIGINT
);

CREATE INDEX operators_by_organization ON operators (organization_id, id);
