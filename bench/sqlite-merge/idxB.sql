CREATE INDEX events_by_time ON events (ts_ms);
CREATE TABLE event_ids (event_id BLOB PRIMARY KEY, event_key INTEGER NOT NULL) WITHOUT ROWID;
CREATE TABLE by_member (member_key INTEGER, ts_ms INTEGER, event_key INTEGER, PRIMARY KEY (member_key, ts_ms, event_key)) WITHOUT ROWID;
CREATE TABLE by_title (title_key INTEGER, ts_ms INTEGER, event_key INTEGER, PRIMARY KEY (title_key, ts_ms, event_key)) WITHOUT ROWID;
CREATE TABLE m (v INTEGER);
