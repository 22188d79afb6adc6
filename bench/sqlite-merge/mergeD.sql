BEGIN;
DELETE FROM m; INSERT INTO m SELECT coalesce(max(event_key),0) FROM events;
INSERT INTO events (event_id, kind, member_key, title_key, episode_key, device, ts_ms, session_key, position, rating, pause_seconds, seek_from, query, results, row_name, row_position, propensity) SELECT * FROM staged ORDER BY rowid;
INSERT INTO event_hashes SELECT (member_key * 1000003 + ts_ms * 7919 + event_key*104729) % 9223372036854775807, event_key FROM events WHERE event_key > (SELECT v FROM m);
COMMIT;
