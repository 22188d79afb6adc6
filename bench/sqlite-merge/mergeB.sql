BEGIN;
DELETE FROM m; INSERT INTO m SELECT coalesce(max(event_key),0) FROM events;
INSERT INTO events (event_id, kind, member_key, title_key, episode_key, device, ts_ms, session_key, position, rating, pause_seconds, seek_from, query, results, row_name, row_position, propensity) SELECT * FROM staged ORDER BY rowid;
INSERT INTO event_ids SELECT event_id, event_key FROM events WHERE event_key > (SELECT v FROM m) ORDER BY event_id;
INSERT INTO by_member SELECT member_key, ts_ms, event_key FROM events WHERE event_key > (SELECT v FROM m) ORDER BY 1,2,3;
INSERT INTO by_title SELECT title_key, ts_ms, event_key FROM events WHERE event_key > (SELECT v FROM m) AND title_key IS NOT NULL ORDER BY 1,2,3;
COMMIT;
