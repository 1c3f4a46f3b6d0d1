#!/usr/bin/env python3
"""Serve a Tryton database as production does.

    scripts/serve -c CONFIG -d DATABASE [--bind HOST:PORT] [--workers N]
        [--threads N] [--queue-workers N] [--no-cron] [--no-app]

Starts, each in its own process group, and stops together on Ctrl-C or
SIGTERM:
- the application: trytond's WSGI app under gunicorn, N worker processes
  (gthread, T threads each), under python -O;
- trytond-cron: the scheduled jobs (escalations, maintenance plans, ...);
- trytond-worker: Tryton's queue (PostgreSQL only: it cannot run on SQLite).

The configuration file is written by write_config(), the one place that
decides what each database backend needs (see BACKENDS).  One node of a
larger site runs `--no-cron` and/or `--no-app` (README, "Serving").
"""
import argparse
import configparser
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent

# What a backend needs of the configuration, and why.  Every process that
# serves a database (app servers, cron, queue workers, trytond-admin) reads
# the same file, so these settings hold for all of them.
BACKENDS = {
    'postgresql': {
        # Each process LISTENs on the ir_cache channel: an access right
        # changed through one process is enforced by all the others at once.
        'cache': {'clean_timeout': '0'},
        # Slow work (emails, batches) is queued and done by trytond-worker.
        'queue': {'worker': 'True'},
        },
    'sqlite': {
        # SQLite has no notification channel, and trytond's polling of the
        # ir_cache table switches the transaction's own connection to
        # autocommit: every write of that transaction would be committed at
        # once and a refused write would stay.  So an SQLite site never
        # polls: one application process (plus cron), which clears its own
        # caches on commit.  More processes need PostgreSQL.
        'cache': {'clean_timeout': str(10 * 365 * 24 * 3600)},
        # trytond-worker cannot run on SQLite: queued tasks run in the
        # request's process right after its commit.
        'queue': {'worker': 'False'},
        },
    }
# A LibreOffice profile per conversion: two users printing at once would
# otherwise share one and one print would fail.
REPORT_CONVERT = (
    'soffice -env:UserInstallation=file://%(directory)s/lo-profile'
    ' --headless --nolockcheck --nodefault --norestore'
    ' --convert-to "%(output_extension)s" --outdir "%(directory)s"'
    ' "%(input_path)s"')


def backend_of(uri):
    scheme = urllib.parse.urlparse(uri).scheme
    if scheme not in BACKENDS:
        raise ValueError(f"unsupported database URI {uri!r}: "
            f"use {' or '.join(s + '://' for s in BACKENDS)}")
    return scheme


def config_sections(uri, data_dir, listen='127.0.0.1:8000',
        web_root=ROOT / 'var' / 'sao', session_timeout=None):
    "Return the configuration {section: {option: value}} for the URI"
    sections = {
        'database': {'uri': uri, 'path': str(data_dir)},
        'web': {'listen': listen},
        'report': {'convert_command': REPORT_CONVERT},
        }
    if web_root:
        sections['web']['root'] = str(web_root)
    if session_timeout:
        sections['session'] = {'timeout': str(session_timeout)}
    for section, options in BACKENDS[backend_of(uri)].items():
        sections.setdefault(section, {}).update(options)
    return sections


def write_config(path, uri, data_dir, **options):
    "Write the trytond configuration file for the URI at path"
    sections = config_sections(uri, data_dir, **options)
    parser = configparser.RawConfigParser()
    parser.read_dict(sections)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    Path(data_dir).mkdir(parents=True, exist_ok=True)
    with path.open('w', encoding='utf-8') as file:
        file.write("# Written by scripts/serve.py (write_config); "
            "edits are overwritten.\n")
        parser.write(file)
    return path


def read_config(path):
    parser = configparser.RawConfigParser()
    if not parser.read(path, encoding='utf-8'):
        raise FileNotFoundError(f"no configuration file {path}")
    return parser


class Site:
    """The processes that serve one database with one configuration file

    Used as a context manager: the processes are stopped on exit."""

    def __init__(self, config_file, database, bind=None, workers=None,
            threads=4, queue_workers=None, cron=True, app=True,
            log_dir=None, env=None):
        self.config_file = Path(config_file).resolve()
        self.database = database
        config = read_config(self.config_file)
        self.uri = os.environ.get('TRYTOND_DATABASE__URI') or config.get(
            'database', 'uri', fallback='sqlite://')
        self.backend = backend_of(self.uri)
        self.bind = bind or config.get(
            'web', 'listen', fallback='127.0.0.1:8000')
        sqlite = self.backend == 'sqlite'
        if workers is None:
            workers = 1 if sqlite else os.cpu_count() or 1
        if queue_workers is None:
            queue_workers = 0 if sqlite else 1
        if sqlite and (workers > 1 or queue_workers):
            raise ValueError("SQLite is served by one application process "
                "and no queue worker; use PostgreSQL for more")
        self.workers = workers
        self.threads = threads
        self.queue_workers = queue_workers
        self.cron = cron
        self.app = app
        self.log_dir = Path(log_dir) if log_dir else None
        self.env = dict(env if env is not None else os.environ)
        self.env['TRYTOND_CONFIG'] = str(self.config_file)
        self.env['TRYTOND_DATABASE_NAMES'] = database
        self.processes = {}

    @property
    def base_url(self):
        return f'http://{self.bind}'

    def commands(self):
        python = [sys.executable, '-O']
        config = ['-c', str(self.config_file), '-d', self.database]
        if self.app:
            yield 'app', python + [
                str(BIN / 'gunicorn'), 'trytond.application:app',
                '--bind', self.bind, '--workers', str(self.workers),
                '--worker-class', 'gthread', '--threads', str(self.threads),
                '--timeout', '300', '--graceful-timeout', '10',
                # one per user by default: sites would share it
                '--no-control-socket',
                '--name', f'trytond-{self.database}']
        if self.cron:
            yield 'cron', python + [
                str(BIN / 'trytond-cron'), *config, '-n', '1']
        if self.queue_workers:
            yield 'worker', python + [
                str(BIN / 'trytond-worker'), *config,
                '-n', str(self.queue_workers), '-t', '5']

    def start(self, timeout=120):
        try:
            self._start(timeout)
        except BaseException:
            self.stop()
            raise
        return self

    def _start(self, timeout):
        for name, command in self.commands():
            if self.log_dir:
                self.log_dir.mkdir(parents=True, exist_ok=True)
                output = (self.log_dir / f'{name}.log').open('ab')
            else:
                output = None
            self.processes[name] = subprocess.Popen(
                command, env=self.env, stdout=output,
                stderr=subprocess.STDOUT if output else None,
                start_new_session=True)
            if output:
                output.close()
        if self.app:
            self.wait_ready(timeout)

    def wait_ready(self, timeout):
        "Wait until the application answers a JSON-RPC call"
        end = time.monotonic() + timeout
        request = urllib.request.Request(
            f'{self.base_url}/rpc/', method='POST',
            data=b'{"id": 0, "method": "common.server.version",'
            b' "params": []}',
            headers={'Content-Type': 'application/json'})
        while True:
            self.check_running()
            try:
                with urllib.request.urlopen(request, timeout=5):
                    return
            except (OSError, urllib.error.HTTPError):
                if time.monotonic() > end:
                    raise TimeoutError(
                        f"{self.base_url} did not answer in {timeout} s")
                time.sleep(0.2)

    def check_running(self):
        for name, process in self.processes.items():
            if process.poll() is not None:
                raise RuntimeError(
                    f"{name} stopped with exit code {process.returncode}")

    def stop(self, timeout=15):
        for process in self.processes.values():
            signal_group(process, signal.SIGTERM)
        end = time.monotonic() + timeout
        for process in self.processes.values():
            try:
                process.wait(max(0.1, end - time.monotonic()))
            except subprocess.TimeoutExpired:
                pass
            # cron and queue workers leave their pool children behind
            signal_group(process, signal.SIGKILL)
            process.wait()
        self.processes.clear()

    def wait(self):
        "Serve until a process stops or the launcher is interrupted"
        while True:
            self.check_running()
            time.sleep(1)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()


def signal_group(process, signum):
    try:
        os.killpg(process.pid, signum)
    except ProcessLookupError:
        pass


def parse_args(argv):
    parser = argparse.ArgumentParser(
        prog='scripts/serve', description=__doc__.split('\n\n')[0])
    parser.add_argument('-c', '--config', required=True, type=Path,
        help="trytond configuration file (written by write_config)")
    parser.add_argument('-d', '--database', required=True)
    parser.add_argument('--bind', metavar='HOST:PORT',
        help="default: [web] listen of the configuration")
    parser.add_argument('--workers', type=int,
        help="application processes (default: 1 on SQLite, one per core "
        "on PostgreSQL)")
    parser.add_argument('--threads', type=int, default=4,
        help="threads per application process (default: %(default)s)")
    parser.add_argument('--queue-workers', type=int,
        help="trytond-worker processes (default: 0 on SQLite, 1 on "
        "PostgreSQL)")
    parser.add_argument('--no-cron', dest='cron', action='store_false',
        help="run no trytond-cron (another node runs it)")
    parser.add_argument('--no-app', dest='app', action='store_false',
        help="run no application server (a cron or queue node)")
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    try:
        site = Site(args.config, args.database, bind=args.bind,
            workers=args.workers, threads=args.threads,
            queue_workers=args.queue_workers, cron=args.cron, app=args.app)
    except (ValueError, FileNotFoundError) as error:
        sys.exit(f"serve: {error}")
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    parts = []
    if site.app:
        parts.append(f"{site.workers} application process(es) "
            f"on {site.base_url}")
    if site.cron:
        parts.append("trytond-cron")
    if site.queue_workers:
        parts.append(f"{site.queue_workers} queue worker(s)")
    elif site.backend == 'postgresql':
        parts.append("no queue worker: queued tasks wait for a "
            "trytond-worker on another node")
    print(f"serve: {site.database} ({site.backend}): " + ', '.join(parts),
        flush=True)
    try:
        with site:
            site.wait()
    except KeyboardInterrupt:
        pass
    except (RuntimeError, TimeoutError) as error:
        sys.exit(f"serve: {error}")


if __name__ == '__main__':
    main()
