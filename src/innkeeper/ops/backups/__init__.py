"""Backups that count: each file has a manifest (checksum, row counts, migration state), a
restore drill that restores it into a scratch database and checks it, and a guarded restore.

Layout: manifest.py (files and manifests), facts.py (what a database holds), engines.py
(SQLite and PostgreSQL specifics), verify.py (the drill), services.py (run/restore/prune),
selectors.py (list/status), health.py and tasks.py.
"""
