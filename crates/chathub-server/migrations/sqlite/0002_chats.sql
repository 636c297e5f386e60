-- Clients, chats, messages and media (spec §7, Decisions 18-27).
CREATE TABLE clients (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    company_id INTEGER NOT NULL REFERENCES companies (id),
    name       TEXT,
    phone      TEXT,
    tg_user_id BIGINT
);

CREATE INDEX clients_by_company ON clients (company_id);

CREATE TABLE chats (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    organization_id INTEGER NOT NULL REFERENCES organizations (id),
    client_id       INTEGER NOT NULL REFERENCES clients (id),
    source          INTEGER NOT NULL,
    status          INTEGER NOT NULL,
    theme           TEXT,
    operator_id     INTEGER REFERENCES operators (id),
    created_at_ms   BIGINT NOT NULL
);

CREATE TABLE messages (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    chat_id       INTEGER NOT NULL REFERENCES chats (id) ON DELETE CASCADE,
    author        INTEGER NOT NULL,
    operator_id   INTEGER,
    body          TEXT,
    status        INTEGER NOT NULL,
    created_at_ms BIGINT NOT NULL,
    media_key     TEXT,
    media_name    TEXT,
    media_format  TEXT,
    media_type    INTEGER
);

CREATE INDEX messages_by_chat ON messages (chat_id, id);

-- Media bytes, read on demand by GET /media/<key>/<name> (Decision 27).
CREATE TABLE media (
    media_key  TEXT PRIMARY KEY NOT NULL,
    message_id INTEGER NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
    data       BLOB NOT NULL
);

CREATE INDEX media_by_message ON media (message_id);

-- Seeded operators may have a photo (Decision 33).
ALTER TABLE operators ADD COLUMN photo TEXT;
