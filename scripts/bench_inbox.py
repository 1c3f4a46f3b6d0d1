#!/usr/bin/env python3
"""Time the reception inbox on PostgreSQL against raw indexed SQL.

Creates its own database bench_inbox_<pid> with the configuration the
servers use (scripts/serve.py write_config), activates
svc_customer_service, loads 100,000 parties with a mobile phone and
200,000 receptions by COPY, then times as a reception clerk (access checks
and record rules on), in one read-only transaction, REPEAT times each (in
blocks of 10 calls after an untimed one, the blocks of all in turn):

- the phone lookup (来电查询): Reception.search([('phone', '=', typed)])
  with the number typed as the customer says it (+86 138 ...), against the
  hand-written UNION of two index lookups;
- the open requests list: search of 1000 ids and search_count, as the
  client asks, against the same two queries by hand;
- the floor: the cheapest search the ORM can make, one id by primary key,
  against its SQL.

Timings are medians, on the clock; the CPU of this process and of its
PostgreSQL backend is printed beside them (in brackets), to show when the
machine's other users weighed on the clock. No ORM lookup can come nearer
to its SQL than the floor: trytond's own work for one search (building the
domain, the record rules, the query) is a few tenths of a millisecond. So
the phone lookup is measured against the floor, the open list against its
raw SQL; the last line gives both against their targets. The database is
dropped at the end, also on Ctrl-C.

It runs under python -O, as scripts/serve runs trytond.

Use scripts/bench_inbox (which runs it from the repository root).
"""
import argparse
import datetime as dt
import os
import random
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import serve

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
PHONE_TARGET = 2.0  # x the floor
LIST_TARGET = 2.0  # x raw SQL
OPEN_STATES = ('open', 'processing')
CHANNELS = ['phone', 'visit', 'letter', 'online', 'email']
KINDS = ['repair', 'special_service', 'consultation', 'suggestion', 'praise']


def parse_args():
    parser = argparse.ArgumentParser(
        prog='scripts/bench_inbox',
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(
        '--database-uri',
        default=os.environ.get(
            'TRYTOND_DATABASE__URI', 'postgresql://postgres@127.0.0.1:5432/'),
        help="PostgreSQL server (default: %(default)s)")
    parser.add_argument('--parties', type=int, default=100_000,
        help="parties with a mobile phone (default: %(default)s)")
    parser.add_argument('--receptions', type=int, default=200_000,
        help="receptions (default: %(default)s)")
    parser.add_argument('--repeat', type=int, default=100,
        help="timed runs of each query, in turn; the median counts "
        "(default: %(default)s)")
    parser.add_argument(
        '--keep', action='store_true', help="do not drop the database")
    parser.add_argument(
        '--template', metavar='DATABASE',
        help="copy this database with svc_customer_service activated "
        "instead of activating it again")
    return parser.parse_args()


def write_configs(uri, directory):
    """Write the servers' configuration and the one of this process

    This process does not listen to the cache channel: a listener thread
    would break when the database is dropped. The timings run in one
    transaction, which does not look at the cache channel."""
    config = serve.write_config(
        directory / 'trytond.conf', uri, directory / 'filestore',
        web_root=None)
    parser = serve.read_config(config)
    parser.set('cache', 'clean_timeout', '300')
    local = directory / 'bench.conf'
    with local.open('w', encoding='utf-8') as file:
        parser.write(file)
    return config, local


def admin(config, database, *args):
    with tempfile.NamedTemporaryFile('w', suffix='.pass') as passfile:
        passfile.write('bench-admin\n')
        passfile.flush()
        env = {k: v for k, v in os.environ.items()
            if not k.startswith('TRYTOND_')}
        env['TRYTONPASSFILE'] = passfile.name
        subprocess.run(
            [str(BIN / 'trytond-admin'), '-c', str(config), '-d', database,
                *args],
            check=True, env=env, stdout=subprocess.DEVNULL)


def maintenance(uri, sql):
    import psycopg
    with psycopg.connect(
            uri.rstrip('/') + '/postgres', autocommit=True) as conn:
        conn.execute(sql)


def mobile(i):
    return f'139{i:08d}'


def setup(database):
    from trytond.pool import Pool
    from trytond.transaction import Transaction
    pool = Pool(database)
    pool.init()
    with Transaction().start(database, 0) as transaction:
        Currency = pool.get('currency.currency')
        Party = pool.get('party.party')
        Company = pool.get('company.company')
        User = pool.get('res.user')
        ModelData = pool.get('ir.model.data')
        cny, = Currency.create([{
                    'name': "人民币", 'code': 'CNY', 'symbol': '¥'}])
        party, = Party.create([{'name': "翠湖物业服务有限公司"}])
        company, = Company.create([{'party': party.id, 'currency': cny.id}])
        user, = User.create([{
                    'name': "客服", 'login': 'clerk',
                    'companies': [('add', [company.id])],
                    'company': company.id,
                    'groups': [('add', [ModelData.get_id(
                                    'svc_repair', 'group_reception')])],
                    }])
        transaction.commit()
        return company.id, user.id


def copy_rows(cursor, table, columns, rows):
    with cursor.copy(
            f'COPY "{table}" ({", ".join(columns)}) FROM STDIN') as copy:
        for row in rows:
            copy.write_row(row)


def load(database, company_id, user_id, n_parties, n_receptions):
    from tqdm import tqdm

    from trytond.transaction import Transaction
    rng = random.Random(2026)
    now = dt.datetime.now().replace(microsecond=0)
    with Transaction().start(database, 0) as transaction, \
            tqdm(total=n_parties + n_receptions, unit="行",
                desc="COPY", ncols=80) as bar:
        cursor = transaction.connection.cursor()
        cursor.execute('SELECT COALESCE(MAX(id), 0) FROM party_party')
        first, = cursor.fetchone()
        first += 1
        party_ids = range(first, first + n_parties)

        def parties():
            for i, pid in enumerate(party_ids):
                bar.update()
                yield (pid, f'业主{i:06d}', f'B{pid}', True, 0, now)
        copy_rows(cursor, 'party_party',
            ['id', 'name', 'code', 'active', 'create_uid', 'create_date'],
            parties())

        def mechanisms():
            for i, pid in enumerate(party_ids):
                yield (pid, 'mobile', mobile(i), mobile(i), True, 10, 0, now)
        copy_rows(cursor, 'party_contact_mechanism',
            ['party', 'type', 'value', 'value_compact', 'active',
                'sequence', 'create_uid', 'create_date'],
            mechanisms())

        def receptions():
            for i in range(n_receptions):
                bar.update()
                caller = rng.randrange(n_parties)
                age = dt.timedelta(minutes=rng.randrange(365 * 24 * 60))
                state = ('open' if rng.random() < 0.05
                    else 'processing' if rng.random() < 0.05
                    else rng.choice(['closed', 'closed', 'cancelled']))
                phone = (mobile(caller) if rng.random() < 0.9
                    else mobile(rng.randrange(n_parties, 2 * n_parties)))
                yield (f'JD-B{i:07d}', company_id,
                    rng.choice(CHANNELS), first + caller, phone,
                    rng.choice(KINDS), f"诉求内容 {i}", now - age,
                    user_id, state, 0, now)
        copy_rows(cursor, 'svc_reception',
            ['number', 'company', 'channel', 'caller', 'contact_phone',
                'kind', 'content', 'received_at', 'received_by', 'state',
                'create_uid', 'create_date'],
            receptions())
        for table in ['party_party', 'svc_reception']:
            cursor.execute(
                f"SELECT setval('{table}_id_seq', "
                f"(SELECT MAX(id) FROM \"{table}\"))")
        transaction.commit()
        cursor.execute('ANALYZE')
    return rng


def schedstat(pid):
    "Return a function giving the CPU seconds of the process, or None"
    path = f'/proc/{pid}/schedstat'
    try:
        with open(path) as file:
            file.read()
    except OSError:
        return None

    def cpu():
        with open(path) as file:
            return int(file.read().split()[0]) / 1e9
    return cpu


def timed(pairs, repeat, backend_cpu=None, block=10):
    """Time each (orm, sql, orm arguments, sql arguments) of pairs

    In blocks of BLOCK calls of one function, after an untimed one, the
    blocks of all the functions in turn until each ran REPEAT times: each
    is timed warm, as in a loop of its own, and what else runs on the
    machine weighs on all alike. Each call is timed on the clock and in
    CPU: this thread's and that of the PostgreSQL backend. Return
    {name: (orm, sql)} where each is {'wall': median, 'cpu': median}."""
    times = {
        name: tuple({'wall': [], 'cpu': []} for _ in range(2))
        for name in pairs}
    for first in range(0, repeat, block):
        for name, (orm, sql, orm_args, sql_args) in pairs.items():
            for function, args, spent in [
                    (orm, orm_args, times[name][0]),
                    (sql, sql_args, times[name][1])]:
                function(args[(first - 1) % len(args)])
                for i in range(first, min(first + block, repeat)):
                    backend = backend_cpu() if backend_cpu else 0
                    cpu = time.thread_time()
                    start = time.perf_counter()
                    function(args[i % len(args)])
                    wall = time.perf_counter() - start
                    cpu = time.thread_time() - cpu
                    if backend_cpu:
                        cpu += backend_cpu() - backend
                    spent['wall'].append(wall)
                    spent['cpu'].append(cpu)
    return {
        name: tuple(
            {k: statistics.median(v) for k, v in spent.items()}
            for spent in both)
        for name, both in times.items()}


def measure(database, company_id, user_id, n_parties, repeat, rng):
    from trytond.pool import Pool
    from trytond.transaction import Transaction
    pool = Pool(database)
    phones = [mobile(rng.randrange(n_parties)) for _ in range(repeat)]
    # Written as the customer would type it
    typed = [f'+86 {p[:3]} {p[3:7]} {p[7:]}' for p in phones]
    context = {'company': company_id, 'companies': [company_id],
        '_check_access': True}
    with Transaction().start(
            database, user_id, context=context, readonly=True) as transaction:
        Reception = pool.get('svc.reception')
        cursor = transaction.connection.cursor()

        def orm_phone(value):
            return Reception.search([('phone', '=', value)])

        def sql_phone(value):
            cursor.execute(
                'SELECT r.id FROM svc_reception r '
                'WHERE r.company = %s AND r.id IN ('
                'SELECT id FROM svc_reception WHERE contact_phone = %s '
                'UNION SELECT r2.id FROM svc_reception r2 '
                'JOIN party_contact_mechanism m ON m.party = r2.caller '
                "WHERE m.value_compact = %s AND m.type IN ('phone', 'mobile') "
                'AND m.active) '
                'ORDER BY r.received_at DESC, r.id DESC',
                (company_id, value, value))
            return cursor.fetchall()

        # Same answers before timing them
        for phone, value in zip(phones[:5], typed[:5]):
            if ([r.id for r in orm_phone(value)]
                    != [i for i, in sql_phone(phone)]):
                raise SystemExit(
                    f"bench_inbox: the ORM and the SQL disagree on {phone}")

        domain = [('state', 'in', list(OPEN_STATES))]

        def orm_open(_):
            records = Reception.search(domain, limit=1000)
            return records, Reception.search_count(domain)

        def sql_open(_):
            cursor.execute(
                'SELECT id FROM svc_reception '
                'WHERE company = %s AND state = ANY(%s) '
                'ORDER BY received_at DESC, id DESC LIMIT 1000',
                (company_id, list(OPEN_STATES)))
            ids = cursor.fetchall()
            cursor.execute(
                'SELECT COUNT(*) FROM svc_reception '
                'WHERE company = %s AND state = ANY(%s)',
                (company_id, list(OPEN_STATES)))
            return ids, cursor.fetchone()

        records, count = orm_open(None)
        ids, (sql_count,) = sql_open(None)
        if ([r.id for r in records] != [i for i, in ids]
                or count != sql_count):
            raise SystemExit(
                "bench_inbox: the ORM and the SQL disagree on the open list")

        # The cheapest search the ORM can make, by primary key, bounds
        # from below what any ORM lookup costs on this machine
        some_ids = [r.id for r in records[:repeat]]

        def orm_id(id_):
            return Reception.search([('id', '=', id_)])

        def sql_id(id_):
            cursor.execute(
                'SELECT id FROM svc_reception WHERE company = %s AND id = %s',
                (company_id, id_))
            return cursor.fetchall()

        cursor.execute('SELECT pg_backend_pid()')
        backend_cpu = schedstat(cursor.fetchone()[0])
        return timed({
                'phone lookup': (orm_phone, sql_phone, typed, phones),
                'open requests list': (orm_open, sql_open, [None], [None]),
                'floor': (orm_id, sql_id, some_ids, some_ids),
                }, repeat, backend_cpu)


def interrupt(signum, frame):
    raise KeyboardInterrupt


def main():
    args = parse_args()
    for signum in [signal.SIGINT, signal.SIGTERM, signal.SIGHUP]:
        signal.signal(signum, interrupt)
    os.chdir(ROOT)
    database = f'bench_inbox_{os.getpid()}'
    directory = Path(tempfile.mkdtemp(prefix='bench_inbox_'))
    config, local = write_configs(args.database_uri, directory)
    template = f' TEMPLATE "{args.template}"' if args.template else ''
    maintenance(args.database_uri, f'CREATE DATABASE "{database}"{template}')
    started = time.monotonic()
    try:
        if not args.template:
            print(f"database {database}: activating svc_customer_service",
                flush=True)
            admin(config, database, '--all', '--email', 'bench@example.com')
            admin(config, database, '-u', 'svc_customer_service',
                '--activate-dependencies')
        from trytond.config import update_etc
        update_etc(str(local))
        company_id, user_id = setup(database)
        rng = load(
            database, company_id, user_id, args.parties, args.receptions)
        results = measure(
            database, company_id, user_id, args.parties, args.repeat, rng)
    except KeyboardInterrupt:
        print("bench_inbox: interrupted", file=sys.stderr)
        return 130
    finally:
        for signum in [signal.SIGINT, signal.SIGTERM, signal.SIGHUP]:
            signal.signal(signum, signal.SIG_IGN)
        if not args.keep:
            from trytond import backend
            from trytond.pool import Pool
            try:
                Pool.stop(database)
                backend.Database(database).close()
            except Exception:
                pass
            maintenance(
                args.database_uri,
                f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
            shutil.rmtree(directory, ignore_errors=True)
        else:
            print(f"bench_inbox: kept database {database}", file=sys.stderr)
    floor, floor_sql = results.pop('floor')

    def ms(value):
        return f"{value['wall'] * 1000:.2f} ms ({value['cpu'] * 1000:.2f})"
    print(f"medians of {args.repeat}, on the clock (in CPU: this process "
        "and its PostgreSQL backend)")
    print(f"floor: the ORM's cheapest search (one id) {ms(floor)}, raw SQL "
        f"{ms(floor_sql)}, {floor['wall'] / floor_sql['wall']:.1f}x: no ORM "
        "lookup comes nearer to a primary-key lookup than that")
    for label, (orm, sql) in results.items():
        print(f"{label}: ORM {ms(orm)}, raw SQL {ms(sql)}: "
            f"{orm['wall'] / sql['wall']:.1f}x raw SQL "
            f"({orm['cpu'] / sql['cpu']:.1f}x), "
            f"{orm['wall'] / floor['wall']:.1f}x floor "
            f"({orm['cpu'] / floor['cpu']:.1f}x)")
    print(f"run {time.monotonic() - started:.0f} s")
    phone = results['phone lookup'][0]['wall'] / floor['wall']
    orm, sql = results['open requests list']
    listed = orm['wall'] / sql['wall']
    print(f"inbox: phone {phone:.1f}x floor, open list {listed:.1f}x raw "
        f"SQL (target <= {PHONE_TARGET:g}x, <= {LIST_TARGET:g}x)")
    return 0 if phone <= PHONE_TARGET and listed <= LIST_TARGET else 1


if __name__ == '__main__':
    if not sys.flags.optimize:
        # Time the ORM as the server runs it: under python -O (scripts/serve)
        os.execv(sys.executable, [sys.executable, '-O', *sys.argv])
    sys.exit(main())
