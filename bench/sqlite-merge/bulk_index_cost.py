"""Cost of building each event-log index in bulk (CREATE INDEX) over 1,000,000 rows (see README.md here)."""
import os
import sqlite3
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))


def read(name):
    with open(os.path.join(HERE, name)) as f:
        return f.read()


path = os.path.join(tempfile.gettempdir(), 'encore-bulk-index-cost.db')
for suffix in ['', '-wal', '-shm']:
    if os.path.exists(path + suffix):
        os.remove(path + suffix)
c = sqlite3.connect(path, isolation_level=None)
c.executescript(read('setup.sql'))
fill = read('fill.sql')
for _ in range(10):
    c.executescript(fill)
    c.execute('INSERT INTO events (event_id, kind, member_key, title_key, episode_key, device, ts_ms, session_key, position, rating, '
              'pause_seconds, seek_from, query, results, row_name, row_position, propensity) SELECT * FROM staged')
for statement in ['CREATE UNIQUE INDEX events_by_id ON events (event_id)', 'CREATE INDEX events_by_member ON events (member_key, ts_ms)',
                  'CREATE INDEX events_by_title ON events (title_key, ts_ms)', 'CREATE INDEX events_by_time ON events (ts_ms)']:
    t = time.perf_counter()
    c.execute(statement)
    print(f'{time.perf_counter() - t:6.2f}  {statement}')
print(f'SQLite {sqlite3.sqlite_version}')
