CREATE INDEX events_by_member ON events (member_key, ts_ms); CREATE INDEX events_by_title ON events (title_key, ts_ms); CREATE INDEX events_by_time ON events (ts_ms);
CREATE TABLE event_hashes (h INTEGER PRIMARY KEY, event_key INTEGER NOT NULL);
CREATE TABLE m (v INTEGER);
