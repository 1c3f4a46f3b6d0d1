#!/usr/bin/env python3
"""Time the reception inbox on PostgreSQL against raw indexed SQL.

Creates its own database bench_inbox_<pid>, activates svc_customer_service,
loads 100,000 parties with a mobile phone and 200,000 receptions by COPY,
then times, as a reception clerk, the phone lookup (来电查询) and the open
requests list (search + count, as the client does) through the ORM and as
the equivalent raw SQL. The database is dropped at the end. The last line
gives the worse of the two ratios.

Use scripts/bench_inbox (which runs it from the repository root).

It runs under python -O, as scripts/demo serves trytond. Both ORM queries
use the indexes (the phone searcher is a UNION of two index lookups; a plain
OR domain took 50 ms) and the list searches ids only. It also times the
cheapest search the ORM can make (one id) against its SQL: that floor, a few
tenths of a millisecond of trytond's own work per search, is printed before
the results.
"""
import argparse
import datetime as dt
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
TARGET = 2.0
OPEN_STATES = ('open', 'processing')
CHANNELS = ['phone', 'visit', 'letter', 'online', 'email']
KINDS = ['repair', 'special_service', 'consultation', 'suggestion', 'praise']


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        '--database-uri',
        default=os.environ.get(
            'TRYTOND_DATABASE__URI', 'postgresql://postgres@127.0.0.1:5432/'))
    parser.add_argument('--parties', type=int, default=100_000)
    parser.add_argument('--receptions', type=int, default=200_000)
    parser.add_argument('--repeat', type=int, default=30)
    parser.add_argument(
        '--keep', action='store_true', help="do not drop the database")
    return parser.parse_args()


def admin(database, *args):
    with tempfile.NamedTemporaryFile('w', suffix='.pass') as passfile:
        passfile.write('bench-admin\n')
        passfile.flush()
        env = dict(os.environ, TRYTONPASSFILE=passfile.name)
        subprocess.run(
            [str(BIN / 'trytond-admin'), '-d', database, *args],
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


def timed(function, args, repeat):
    for value in args[:5]:
        function(value)
    times = []
    for value in args[:repeat]:
        start = time.perf_counter()
        function(value)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def measure(database, company_id, user_id, n_parties, repeat, rng):
    from trytond.pool import Pool
    from trytond.transaction import Transaction
    pool = Pool(database)
    phones = [mobile(rng.randrange(n_parties)) for _ in range(repeat + 5)]
    # Written as the customer would type it
    typed = [f'+86 {p[:3]} {p[3:7]} {p[7:]}' for p in phones]
    context = {'company': company_id, 'companies': [company_id],
        '_check_access': True}
    with Transaction().start(
            database, user_id, context=context, readonly=True) as transaction:
        Reception = pool.get('svc.reception')
        cursor = transaction.connection.cursor()
        results = {}

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
            if ({r.id for r in orm_phone(value)}
                    != {i for i, in sql_phone(phone)}):
                raise SystemExit(
                    f"bench_inbox: the ORM and the SQL disagree on {phone}")
        results['phone lookup'] = (
            timed(orm_phone, typed, repeat + 5),
            timed(sql_phone, phones, repeat + 5))

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
        results['open requests list'] = (
            timed(orm_open, [None] * (repeat + 5), repeat + 5),
            timed(sql_open, [None] * (repeat + 5), repeat + 5))

        # The cheapest search the ORM can make, by primary key, bounds
        # from below what any ORM lookup costs on this machine
        some_ids = [r.id for r in records[:repeat + 5]]

        def orm_id(id_):
            return Reception.search([('id', '=', id_)])

        def sql_id(id_):
            cursor.execute(
                'SELECT id FROM svc_reception WHERE company = %s AND id = %s',
                (company_id, id_))
            return cursor.fetchall()
        floor = (
            timed(orm_id, some_ids, repeat + 5),
            timed(sql_id, some_ids, repeat + 5))
    return results, floor


def main():
    args = parse_args()
    os.environ['TRYTOND_DATABASE__URI'] = args.database_uri
    os.chdir(ROOT)
    database = f'bench_inbox_{os.getpid()}'
    maintenance(args.database_uri, f'CREATE DATABASE "{database}"')
    try:
        print(f"database {database}: activating svc_customer_service",
            flush=True)
        admin(database, '--all', '--email', 'bench@example.com')
        admin(database, '-u', 'svc_customer_service',
            '--activate-dependencies')
        from trytond.config import update_etc
        update_etc()
        company_id, user_id = setup(database)
        rng = load(
            database, company_id, user_id, args.parties, args.receptions)
        results, floor = measure(
            database, company_id, user_id, args.parties, args.repeat, rng)
    finally:
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
    orm, sql = floor
    print(f"floor: the ORM's cheapest search (one id) {orm * 1000:.2f} ms, "
        f"raw SQL {sql * 1000:.2f} ms, {orm / sql:.1f}x: no ORM lookup "
        "comes nearer to a primary-key lookup than that")
    worst = 0
    for label, (orm, sql) in results.items():
        ratio = orm / sql
        worst = max(worst, ratio)
        print(f"{label}: ORM {orm * 1000:.2f} ms, raw SQL {sql * 1000:.2f} ms,"
            f" {ratio:.1f}x (median of {args.repeat})")
    print(f"inbox: {worst:.1f}x raw SQL (target <= {TARGET:g}x)")
    return 0 if worst <= TARGET else 1


if __name__ == '__main__':
    if not sys.flags.optimize:
        # Time the ORM as the server runs it: under python -O (scripts/demo)
        os.execv(sys.executable, [sys.executable, '-O', *sys.argv])
    sys.exit(main())
