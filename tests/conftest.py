"""The demo database as users get it, built once per test session.

`demo_database` builds the zh_CN demo with scripts/demo.py (PostgreSQL
when TRYTOND_DATABASE__URI is set, else SQLite) and keeps its
configuration file, the one scripts/demo writes; `demo_server` serves it
with scripts/serve.py exactly as scripts/demo does.  The browser tests and
the serving tests share them.
"""
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from served import ROOT, DemoDatabase, drop_postgresql, free_port, serve


@pytest.fixture(scope='session')
def demo_database(tmp_path_factory):
    uri = os.environ.get('TRYTOND_DATABASE__URI') or 'sqlite://'
    if reuse := os.environ.get('DEMO_REUSE'):
        # DEMO_REUSE=<data dir>:<database> of a demo built by scripts/demo
        data_dir, database = reuse.rsplit(':', 1)
        yield DemoDatabase(uri, database, Path(data_dir).resolve())
        return
    database = f'svc_test_{uuid.uuid4().hex[:8]}'
    data_dir = tmp_path_factory.mktemp('demo')
    env = dict(os.environ, TRYTOND_DATABASE__URI=uri)
    build = subprocess.run(
        [sys.executable, str(ROOT / 'scripts' / 'demo.py'), '--no-serve',
            '--rebuild', '--database', database, '--data-dir',
            str(data_dir), '--port', str(free_port()),
            '--database-uri', uri],
        env=env, capture_output=True, text=True)
    try:
        if build.returncode:
            pytest.fail("scripts/demo.py failed:\n" + build.stdout[-3000:]
                + build.stderr[-5000:])
        yield DemoDatabase(uri, database, data_dir)
    finally:
        if uri.startswith('postgresql'):
            drop_postgresql(uri, database)


@pytest.fixture(scope='session')
def demo_server(demo_database):
    "The demo database served as scripts/demo serves it"
    site = serve.Site(demo_database.config_file, demo_database.database,
        log_dir=demo_database.data_dir / 'log')
    try:
        site.start()
    except (RuntimeError, TimeoutError) as error:
        logs = '\n'.join(path.read_text()[-3000:]
            for path in (demo_database.data_dir / 'log').glob('*.log'))
        pytest.fail(f"scripts/serve.py: {error}\n{logs}")
    try:
        yield site
    finally:
        site.stop()
