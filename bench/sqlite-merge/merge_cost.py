"""Cost of merging 10 x 100,000 staged rows into the event log under one index layout (see README.md here).

Usage: python3 merge_cost.py A|B|D [page_size]
Prints the seconds each merge statement took, summed over the 10 merges, and the file size.
"""
import os
import sqlite3
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))


def read(name):
    with open(os.path.join(HERE, name)) as f:
        return f.read()


variant = sys.argv[1]
page_size = sys.argv[2] if len(sys.argv) > 2 else '8192'
path = os.path.join(tempfile.gettempdir(), 'encore-merge-cost.db')
for suffix in ['', '-wal', '-shm']:
    if os.path.exists(path + suffix):
        os.remove(path + suffix)
c = sqlite3.connect(path, isolation_level=None)
c.executescript(read('setup.sql').replace('page_size=8192', 'page_size=' + page_size))
c.executescript(read(f'idx{variant}.sql'))
merge = [s.strip() for s in read(f'merge{variant}.sql').split(';') if s.strip()]
fill = read('fill.sql')
total = [0.0] * len(merge)
for _ in range(10):
    c.executescript(fill)
    for k, statement in enumerate(merge):
        t = time.perf_counter()
        c.execute(statement)
        total[k] += time.perf_counter() - t
for k, statement in enumerate(merge):
    print(f'{total[k]:6.2f}  {statement[:90]}')
print(f'{sum(total):6.2f} total (SQLite {sqlite3.sqlite_version}, page size {page_size}); file {os.path.getsize(path):,} bytes')
