#!/usr/bin/env python3
# stats_flush_delay.py: how long after a commit the cumulative statistics
# (pg_stat_user_tables.n_tup_ins) show it, for the README's choice of change
# detection (issue 10). A writer session stays open and idle after each
# commit, as an application's pooled connection does. Needs a running server:
#   PGBIN=... PGHOST=... PGPORT=... PGUSER=postgres python3 bench/stats_flush_delay.py
# Measured on PostgreSQL 15: 9.99 0.02 9.97 0.02 0.04 0.04 0.04 0.03 s (an
# idle backend that flushed less than 1 s before flushes only 10 s later).
import os, subprocess, time

psql = [os.environ.get('PGBIN', '/usr/lib/postgresql/15/bin') + '/psql', '-X', '-At']
def q(sql):
    return subprocess.run(psql + ['-c', sql], capture_output=True, text=True).stdout.strip()

q("DROP TABLE IF EXISTS stats_flush_probe; CREATE TABLE stats_flush_probe (i int)")
writer = subprocess.Popen(psql + ['-q'], stdin=subprocess.PIPE, text=True)
delays = []
for k in range(8):
    base = int(q("SELECT coalesce(n_tup_ins, 0) FROM pg_stat_user_tables WHERE relname = 'stats_flush_probe'") or 0)
    writer.stdin.write("INSERT INTO stats_flush_probe VALUES (1);\n")
    writer.stdin.flush()
    while q("SELECT count(*) FROM stats_flush_probe") == str(k):  # committed and visible
        pass
    committed = time.time()
    while time.time() - committed < 20:
        v = q("SELECT pg_stat_clear_snapshot(); SELECT n_tup_ins FROM pg_stat_user_tables WHERE relname = 'stats_flush_probe'").splitlines()[-1]
        if int(v or 0) > base:
            break
        time.sleep(0.05)  # poll interval
    delays.append(time.time() - committed)
    time.sleep(0.5 + k * 0.3)  # varied gaps between commits, as a real writer's
writer.stdin.close()
writer.wait()
q("DROP TABLE stats_flush_probe")
print("commit -> visible in pg_stat_user_tables (s):", " ".join("%.2f" % d for d in delays))
