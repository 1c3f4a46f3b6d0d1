#!/usr/bin/env python3
"""Benchmark the dispatcher's overdue queue on 1,000,000 repair tickets.

Creates its own PostgreSQL database, activates svc_repair, creates a
company, technicians, reporters and a dispatcher, bulk-loads the tickets
with COPY, then times in the same run, alternately:

- the ORM path as the web client's overdue list calls it through the
  server: Ticket.search(<overdue tab domain>, 0, 1000, None) then
  Ticket.search_count(<domain>, 0, 100000), each in its own read-only
  transaction of the dispatcher with access checks and record rules;
- the equivalent hand-written SQL on the same indexes (same filters,
  order and limit, plus the count).

The database is dropped at the end, also on error or Ctrl-C (--keep keeps
it). The last line is the headline figure against the target.

Use scripts/bench_overdue (run scripts/setup once first).
"""
import argparse
import bisect
import datetime as dt
import io
import logging
import os
import random
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
TARGET = 2.0
TABLE = 'svc_repair_ticket'
H = dt.timedelta(hours=1)

# Urgency: weight, response delay, resolution delay, grades
URGENCIES = [
    ('urgent', 0.10, 1 * H, 4 * H, ['B']),
    ('general', 0.70, 24 * H, 72 * H, ['A', 'B', 'B']),
    ('complex', 0.20, 7 * 24 * H, 30 * 24 * H, ['C']),
    ]
# States by the age of the ticket: (up to age in hours, {state: weight})
STATES_BY_AGE = [
    (24, {
            'draft': 30, 'assigned': 30, 'running': 25, 'waiting': 5,
            'done': 10}),
    (7 * 24, {
            'draft': 3, 'assigned': 10, 'running': 20, 'waiting': 7,
            'done': 20, 'accepted': 20, 'closed': 15, 'cancelled': 5}),
    (30 * 24, {
            'draft': 0.5, 'assigned': 1, 'running': 3, 'waiting': 2,
            'done': 5, 'accepted': 10, 'closed': 75, 'cancelled': 3.5}),
    (None, {
            'draft': 0.02, 'assigned': 0.05, 'running': 0.1, 'waiting': 0.03,
            'done': 0.3, 'accepted': 1.5, 'closed': 93, 'cancelled': 5}),
    ]
STEPS = ['dispatched', 'started', 'done', 'accepted', 'closed']
STEPS_OF_STATE = {
    'draft': 0, 'cancelled': 0, 'assigned': 1, 'waiting': 1, 'running': 2,
    'done': 3, 'accepted': 4, 'closed': 5,
    }
DESCRIPTIONS = [
    "厨房水龙头关不紧，一直滴水", "阳台推拉门滑轮卡住，推不动",
    "单元门禁刷卡无反应，住户进不了楼", "卫生间地漏返臭味",
    "楼上渗水导致客厅天花板发霉", "入户门锁芯松动，钥匙转不动",
    "楼道监控摄像头画面黑屏", "燃气热水器进水阀漏水",
    "卧室窗户密封条老化，冬天漏风", "空调冷凝水管漏水，滴到楼下阳台",
    "主卧吸顶灯不亮，换了灯泡也不行", "单元楼道声控灯坏了三盏",
    "弱电箱宽带没有信号", "马桶堵塞，冲水不畅", "防盗门闭门器漏油",
    ]
WORK_REPORTS = [
    "已更换配件，试用正常", "已疏通并清理，住户确认", "已紧固并调试，运行正常",
    ]
COLUMNS = [
    'id', 'number', 'company', 'reporter', 'contact_phone', 'address',
    'description', 'reported_at', 'grade', 'urgency',
    'response_deadline', 'resolution_deadline', 'response_met',
    'resolution_met', 'response_escalation', 'resolution_escalation',
    'technician', 'work_report', 'rework_count', 'acceptance_result',
    'revisit_satisfaction', 'waiting_reason',
    'dispatched_by', 'dispatched_at', 'started_by', 'started_at',
    'done_by', 'done_at', 'accepted_by', 'accepted_at',
    'closed_by', 'closed_at', 'cancelled_by', 'cancelled_at',
    'state', 'create_uid', 'create_date',
    ]


def main(argv=None):
    args = parse_args(argv)
    bench = Bench(args)
    # Also when started in the background, where SIGINT is ignored
    for signum in [signal.SIGINT, signal.SIGTERM, signal.SIGHUP]:
        signal.signal(signum, interrupt)
    try:
        bench.run()
    except KeyboardInterrupt:
        print("\nbench_overdue: interrupted", file=sys.stderr)
        return 130
    finally:
        bench.cleanup()
    if bench.summary:
        print('\n'.join(bench.summary))
    return 0


def interrupt(signum, frame):
    raise KeyboardInterrupt


def parse_args(argv):
    parser = argparse.ArgumentParser(
        prog='scripts/bench_overdue',
        description="Time the overdue queue on many tickets, ORM against "
        "raw SQL, in a throw-away PostgreSQL database.")
    parser.add_argument(
        '--tickets', type=int, default=1_000_000,
        help="tickets to load (default: %(default)s)")
    parser.add_argument(
        '--days', type=int, default=730,
        help="the tickets were reported over the last DAYS days "
        "(default: %(default)s)")
    parser.add_argument(
        '--repeat', type=int, default=15,
        help="timed runs of each path, the median counts "
        "(default: %(default)s)")
    parser.add_argument(
        '--warmup', type=int, default=3,
        help="untimed runs first (default: %(default)s)")
    parser.add_argument(
        '--limit', type=int, default=1000,
        help="rows the list loads at once; the web client's default "
        "(Sao.config.limit) is %(default)s")
    parser.add_argument(
        '--batch', type=int, default=50_000,
        help="rows per COPY batch (default: %(default)s)")
    parser.add_argument(
        '--database-uri', metavar='URI',
        default='postgresql://postgres@127.0.0.1:5432/',
        help="PostgreSQL server (default: %(default)s)")
    parser.add_argument(
        '--seed', type=int, default=2026,
        help="random seed of the data (default: %(default)s)")
    parser.add_argument(
        '--profile', action='store_true',
        help="also print where the ORM path spends its time (cProfile)")
    parser.add_argument(
        '--keep', action='store_true',
        help="do not drop the database at the end")
    return parser.parse_args(argv)


def say(message):
    print(f"bench_overdue: {message}", flush=True)


def ms(seconds):
    return f"{seconds * 1000:.1f} ms"


class Bench:

    def __init__(self, args):
        self.args = args
        self.name = f'bench_overdue_{os.getpid()}'
        self.uri = args.database_uri
        self.limit = args.limit
        self.work_dir = Path(tempfile.mkdtemp(prefix='bench_overdue_'))
        self.config_file = self.work_dir / 'trytond.conf'
        self.created = False
        self.summary = []
        self.now = dt.datetime.now(dt.timezone.utc).replace(
            tzinfo=None, microsecond=0)

    # Database -------------------------------------------------------------
    def connect(self, dbname=None, **kwargs):
        import psycopg
        return psycopg.connect(
            self.uri, dbname=dbname or self.name, **kwargs)

    def create_database(self):
        say(f"creating database {self.name} on {self.uri}")
        with self.connect('postgres', autocommit=True) as conn:
            conn.execute(
                f'CREATE DATABASE "{self.name}" TEMPLATE template0 '
                "ENCODING 'unicode'")
        self.created = True
        self.config_file.write_text(
            "[database]\n"
            f"uri = {self.uri}\n"
            f"path = {self.work_dir / 'filestore'}\n",
            encoding='utf-8')

    def admin(self, *args, password_file=None):
        env = {k: v for k, v in os.environ.items()
            if not k.startswith('TRYTOND')}
        if password_file:
            env['TRYTONPASSFILE'] = str(password_file)
        command = [sys.executable, str(BIN / 'trytond-admin'),
            '-c', str(self.config_file), '-d', self.name, *args]
        say("$ trytond-admin " + ' '.join(command[4:]))
        subprocess.run(command, env=env, check=True,
            stdout=subprocess.DEVNULL)

    def cleanup(self):
        # A second Ctrl-C must not leave the database behind
        for signum in [signal.SIGINT, signal.SIGTERM, signal.SIGHUP]:
            signal.signal(signum, signal.SIG_IGN)
        if self.created:
            try:
                from trytond import backend
                backend.Database(self.name).close()
            except Exception:
                pass
        if self.created and not self.args.keep:
            say(f"dropping database {self.name}")
            with self.connect('postgres', autocommit=True) as conn:
                conn.execute(
                    f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')
        elif self.created:
            say(f"keeping database {self.name} (--keep)")
        shutil.rmtree(self.work_dir, ignore_errors=True)

    # Steps ----------------------------------------------------------------
    def run(self):
        started = time.monotonic()
        self.create_database()
        password_file = self.work_dir / 'admin.pass'
        password_file.write_text('bench-admin\n')
        password_file.chmod(0o600)
        self.admin('--all', '--email', 'admin@example.com',
            password_file=password_file)
        self.admin('-u', 'svc_repair', '--activate-dependencies')
        say(f"database ready in {time.monotonic() - started:.0f} s")

        os.environ['TRYTOND_CONFIG'] = str(self.config_file)
        os.environ['TRYTOND_DATABASE__URI'] = self.uri
        os.environ['TRYTOND_DATABASE__PATH'] = str(
            self.work_dir / 'filestore')
        from trytond import config
        from trytond.pool import Pool
        config.update_etc(str(self.config_file))
        Pool(self.name).init()
        self.create_master_data()
        self.load_tickets()
        self.time_overdue_queue()

    def create_master_data(self):
        from trytond.pool import Pool
        from trytond.transaction import Transaction
        pool = Pool(self.name)
        rng = random.Random(self.args.seed)
        with Transaction().start(self.name, 0) as transaction:
            Currency = pool.get('currency.currency')
            Party = pool.get('party.party')
            Company = pool.get('company.company')
            Employee = pool.get('company.employee')
            User = pool.get('res.user')
            ModelData = pool.get('ir.model.data')
            cny, = Currency.create([{
                        'name': "人民币", 'code': 'CNY', 'symbol': "¥",
                        'digits': 2, 'rounding': Decimal('0.01'),
                        }])
            company_party, = Party.create([{'name': "翠湖物业服务有限公司"}])
            company, = Company.create([{
                        'party': company_party.id, 'currency': cny.id,
                        'timezone': 'Asia/Shanghai',
                        }])
            surnames = "王李张刘陈杨黄赵吴周徐孙胡朱高林何郭马罗"
            given = ["伟", "强", "磊", "军", "敏", "静", "丽", "勇", "杰", "娜",
                "秀英", "建国", "志强", "桂兰", "晓燕"]
            staff = Party.create([
                    {'name': f"工程部 {rng.choice(surnames)}{g}"}
                    for g in given[:12]])
            employees = Employee.create([
                    {'party': p.id, 'company': company.id} for p in staff])
            reporters = Party.create([
                    {'name': f"{rng.choice(surnames)}{rng.choice(given)}"}
                    for _ in range(300)])
            dispatcher_party, = Party.create([{'name': "工程部·维修调度 周建华"}])
            dispatcher_employee, = Employee.create([{
                        'party': dispatcher_party.id,
                        'company': company.id,
                        }])
            dispatcher, = User.create([{
                        'name': "周建华", 'login': 'bench_dispatcher',
                        'groups': [('add', [ModelData.get_id(
                                        'svc_repair', 'group_dispatcher')])],
                        'companies': [('add', [company.id])],
                        'company': company.id,
                        'employees': [('add', [dispatcher_employee.id])],
                        'employee': dispatcher_employee.id,
                        }])
            admin, = User.search([('login', '=', 'admin')])
            # Columns other modules add (service type, category...) get the
            # value a ticket created through the ORM would get
            Ticket = pool.get('svc.repair.ticket')
            defaults = Ticket.default_get(
                [f for f in Ticket._fields if f not in COLUMNS],
                with_rec_name=False)
            self.column_defaults = {
                k: v for k, v in defaults.items()
                if isinstance(v, (str, int, float, Decimal))}
            self.company = company.id
            self.technicians = [e.id for e in employees]
            self.reporters = [p.id for p in reporters]
            self.dispatcher = dispatcher.id
            self.admin_user = admin.id
            transaction.commit()
        say(f"company, {len(self.technicians)} technicians, "
            f"{len(self.reporters)} reporters and the dispatcher created")

    def load_tickets(self):
        from psycopg import sql
        from tqdm import tqdm
        total, batch = self.args.tickets, self.args.batch
        rows = self.rows()
        started = time.monotonic()
        with self.connect() as conn, conn.cursor() as cursor:
            # Bulk load as PostgreSQL advises: without the secondary
            # indexes (built again afterwards, as Tryton defined them) and
            # without the foreign key triggers (the rows refer to records
            # created above).
            cursor.execute(
                "SELECT indexname, indexdef FROM pg_indexes "
                "WHERE tablename = %s AND indexname NOT IN ("
                "SELECT conname FROM pg_constraint "
                "WHERE conrelid = %s::regclass)", (TABLE, TABLE))
            indexes = cursor.fetchall()
            for index, _ in indexes:
                cursor.execute(f'DROP INDEX "{index}"')
            cursor.execute("SET session_replication_role = replica")
            cursor.execute(
                "SELECT column_name FROM information_schema.columns "
                "WHERE table_name = %s AND is_nullable = 'NO' "
                "AND column_default IS NULL", (TABLE,))
            filled = [c for c, in cursor.fetchall()
                if c not in COLUMNS and c in self.column_defaults]
            for column in filled:
                cursor.execute(sql.SQL(
                        'ALTER TABLE {} ALTER COLUMN {} SET DEFAULT {}'
                        ).format(
                        sql.Identifier(TABLE), sql.Identifier(column),
                        sql.Literal(self.column_defaults[column])))
            copy_sql = (f'COPY "{TABLE}" ('
                + ', '.join(f'"{c}"' for c in COLUMNS) + ') FROM STDIN')
            with tqdm(total=total, unit=" tickets", unit_scale=True,
                    desc="COPY", ncols=80, file=sys.stdout,
                    mininterval=0.5) as bar:
                done = 0
                while done < total:
                    n = min(batch, total - done)
                    buffer = io.StringIO()
                    for _ in range(n):
                        buffer.write(next(rows))
                    with cursor.copy(copy_sql) as copy:
                        copy.write(buffer.getvalue())
                    done += n
                    bar.update(n)
            cursor.execute("SET session_replication_role = DEFAULT")
            for column in filled:
                cursor.execute(sql.SQL(
                        'ALTER TABLE {} ALTER COLUMN {} DROP DEFAULT').format(
                        sql.Identifier(TABLE), sql.Identifier(column)))
            copied = time.monotonic() - started
            say(f"building {len(indexes)} indexes again")
            for _, definition in indexes:
                cursor.execute(definition)
            cursor.execute(
                f"SELECT setval('{TABLE}_id_seq', "
                f'(SELECT max(id) FROM "{TABLE}"))')
            conn.commit()
        with self.connect(autocommit=True) as conn:
            conn.execute(f'ANALYZE "{TABLE}"')
        self.load_time = time.monotonic() - started
        say(f"loaded {total:,} tickets in {self.load_time:.1f} s "
            f"({total / self.load_time:,.0f} rows/s; COPY "
            f"{copied:.1f} s, indexes and ANALYZE "
            f"{self.load_time - copied:.1f} s)")

    def rows(self):
        "Yield the tickets as lines of COPY text"
        rng = random.Random(self.args.seed)
        rand = rng.random
        now = self.now.replace(tzinfo=dt.timezone.utc).timestamp()
        span = self.args.days * 24 * 3600
        urgency_cum = cumulative([u[1] for u in URGENCIES])
        urgencies = [
            (u, r.total_seconds(), s.total_seconds(), g)
            for u, _, r, s, g in URGENCIES]
        state_tables = [(
                limit * 3600 if limit else None, list(w),
                cumulative(list(w.values())))
            for limit, w in STATES_BY_AGE]
        company, admin = str(self.company), str(self.admin_user)
        technicians = [str(t) for t in self.technicians]
        reporters = [str(r) for r in self.reporters]
        dispatcher = str(self.dispatcher)
        addresses = [
            f"翠湖花园{rng.randint(1, 30)}栋{rng.randint(1, 4)}单元"
            f"{rng.randint(1, 33)}{rng.randint(1, 4):02d}"
            for _ in range(5000)]
        phones = [f'138{rng.randrange(10**8):08d}' for _ in range(5000)]
        satisfactions = [
            'very_satisfied', 'satisfied', 'satisfied', 'unsatisfied']
        delays = {
            'accepted': 24 * 3600.0,
            'closed': 72 * 3600.0,
            }
        index = {c: i for i, c in enumerate(COLUMNS)}
        total = self.args.tickets
        null = '\\N'
        day = 24 * 3600.0

        def at(seconds):
            return '%04d-%02d-%02d %02d:%02d:%02d' % time.gmtime(seconds)[:6]

        def one_of(items):
            return items[int(rand() * len(items))]

        for i in range(1, total + 1):
            # the older the id, the older the ticket, as in real life
            age = span * (total - i + rand()) / total
            reported = now - age
            for limit, states, cum in state_tables:
                if limit is None or age < limit:
                    break
            state = states[pick(rng, cum)]
            urgency, response, resolution, grades = urgencies[
                pick(rng, urgency_cum)]
            grade = one_of(grades)
            steps = STEPS_OF_STATE[state]
            if state in {'draft', 'cancelled'} and rand() < 0.5:
                urgency = grade = None
            values = [null] * len(COLUMNS)
            reported_at = at(reported)
            if urgency:
                pause = 0
                if state == 'waiting':
                    pause = rand() * min(age, 2 * day)
                    values[index['waiting_reason']] = one_of(
                        ['customer', 'parts'])
                response_deadline = reported + response + pause
                resolution_deadline = reported + resolution + pause
                values[index['urgency']] = urgency
                values[index['grade']] = grade
                values[index['response_deadline']] = at(response_deadline)
                values[index['resolution_deadline']] = at(
                    resolution_deadline)
            delays['dispatched'] = 0.3 * response
            delays['started'] = 0.6 * response
            delays['done'] = 0.5 * resolution
            moment = reported
            for step in STEPS[:steps]:
                # mostly on time, one in ten late
                factor = rand() * (1.5 if rand() < 0.1 else 0.9)
                moment = min(
                    moment + factor * delays[step],
                    now - (now - moment) * 0.5)
                values[index[f'{step}_at']] = at(moment)
                values[index[f'{step}_by']] = (
                    dispatcher if step == 'dispatched' else admin)
                if step == 'started':
                    values[index['response_met']] = boolean(
                        moment <= response_deadline)
                elif step == 'done':
                    values[index['resolution_met']] = boolean(
                        moment <= resolution_deadline)
            if steps:
                values[index['technician']] = one_of(technicians)
            if state == 'cancelled':
                values[index['cancelled_at']] = at(
                    reported + min(age / 2, day))
                values[index['cancelled_by']] = admin
            if steps >= 3:
                values[index['work_report']] = one_of(WORK_REPORTS)
            if steps >= 4:
                values[index['acceptance_result']] = 'satisfied'
            if steps >= 5:
                values[index['revisit_satisfaction']] = one_of(
                    satisfactions)
            if urgency and state in {'draft', 'assigned', 'running'}:
                if response_deadline < now and steps < 2:
                    values[index['response_escalation']] = 'overdue'
                if resolution_deadline < now:
                    values[index['resolution_escalation']] = 'overdue'
            values[index['id']] = str(i)
            values[index['number']] = f'WX{reported_at[:4]}-{i:07d}'
            values[index['company']] = company
            values[index['reporter']] = one_of(reporters)
            values[index['contact_phone']] = one_of(phones)
            values[index['address']] = one_of(addresses)
            values[index['description']] = one_of(DESCRIPTIONS)
            values[index['reported_at']] = reported_at
            values[index['rework_count']] = '1' if rand() < 0.02 else '0'
            values[index['state']] = state
            values[index['create_uid']] = admin
            values[index['create_date']] = reported_at
            yield '\t'.join(values) + '\n'

    # Timing ---------------------------------------------------------------
    def time_overdue_queue(self):
        from trytond.pool import Pool
        from trytond.pyson import PYSONDecoder
        from trytond.transaction import Transaction
        pool = Pool(self.name)
        with Transaction().start(
                self.name, self.dispatcher, readonly=True):
            User = pool.get('res.user')
            ModelData = pool.get('ir.model.data')
            ActionDomain = pool.get('ir.action.act_window.domain')
            self.context = User.get_preferences(context_only=True)
            tab = ActionDomain(ModelData.get_id(
                    'svc_repair', 'act_ticket_domain_overdue'))
            tab_name = tab.name
            tab_domain = PYSONDecoder(self.context).decode(tab.domain)
        # What the client sends for the tab with an empty search text
        self.domain = ['AND', [], tab_domain]
        say(f"ORM: dispatcher's list, tab {tab_name!r}: "
            f"search({self.domain!r}, 0, {self.limit}, None) + "
            f"search_count(..., 0, {self.limit * 100})")

        with self.connect() as raw:
            orm_sql = self.orm_sql()
            orm_ids, orm_count = self.orm_once()[1:]
            raw_ids, raw_count = self.raw_once(raw)[1:]
            if (orm_ids, orm_count) != (raw_ids, raw_count):
                raise SystemExit(
                    "bench_overdue: the ORM and the SQL disagree: "
                    f"{len(orm_ids)}/{orm_count} against "
                    f"{len(raw_ids)}/{raw_count} tickets")
            say(f"{orm_count:,} overdue tickets of {self.args.tickets:,}; "
                f"both paths return the same {len(orm_ids):,} ids")
            for _ in range(self.args.warmup):
                self.orm_once()
                self.raw_once(raw)
            orm_times, raw_times, orm_sql_times = [], [], []
            for _ in range(self.args.repeat):
                orm_times.append(self.orm_once()[0])
                raw_times.append(self.raw_once(raw)[0])
                orm_sql_times.append(self.orm_sql_once(raw, orm_sql))
            self.print_plans(raw, orm_sql)
            if self.args.profile:
                self.print_profile()

        orm = [statistics.median(t) for t in zip(*orm_times)]
        sql = [statistics.median(t) for t in zip(*raw_times)]
        orm_total = statistics.median(sum(t) for t in orm_times)
        raw_total = statistics.median(sum(t) for t in raw_times)
        orm_sql_total = statistics.median(orm_sql_times)
        ratio = orm_total / raw_total
        # Printed by main() after the database is dropped: the headline
        # must be the last line
        self.summary = [
            '',
            f"load:    {self.args.tickets:,} tickets in "
            f"{self.load_time:.1f} s "
            f"({self.args.tickets / self.load_time:,.0f} rows/s)",
            f"ORM:     median {ms(orm_total)} "
            f"(search {ms(orm[0])} + search_count {ms(orm[1])}), "
            f"{self.args.repeat} runs",
            f"raw SQL: median {ms(raw_total)} "
            f"(ids {ms(sql[0])} + count {ms(sql[1])}), "
            f"{self.args.repeat} runs",
            f"the ORM's own SQL on a raw cursor: median "
            f"{ms(orm_sql_total)} ({orm_sql_total / raw_total:.1f}x raw "
            f"SQL); the other {ms(orm_total - orm_sql_total)} of the ORM "
            "path is Python (trytond and psycopg)",
            f"overdue queue: {ratio:.1f}x raw SQL (target <= {TARGET:g}x)",
            ]

    def orm_once(self):
        "Return ((search, count) seconds, ids, count) of the ORM path"
        from trytond.pool import Pool
        from trytond.transaction import Transaction, check_access
        pool = Pool(self.name)
        Ticket = pool.get('svc.repair.ticket')
        # One transaction per call, as two RPC requests are
        t0 = time.perf_counter()
        with Transaction().start(self.name, self.dispatcher, readonly=True,
                context=self.context), check_access():
            tickets = Ticket.search(self.domain, 0, self.limit, None)
            ids = [t.id for t in tickets]
        t1 = time.perf_counter()
        with Transaction().start(self.name, self.dispatcher, readonly=True,
                context=self.context), check_access():
            count = Ticket.search_count(self.domain, 0, self.limit * 100)
        t2 = time.perf_counter()
        return (t1 - t0, t2 - t1), ids, count

    def print_profile(self):
        import cProfile
        import pstats
        profile = cProfile.Profile()
        profile.runcall(self.orm_once)
        print("\nORM path, by cumulative time (cProfile, one run):")
        stats = pstats.Stats(profile, stream=sys.stdout)
        stats.sort_stats('cumulative').print_stats(20)

    def orm_sql_once(self, conn, queries):
        "Return the seconds the SQL statements of the ORM path take alone"
        t0 = time.perf_counter()
        for query in queries:
            conn.execute(query).fetchall()
        conn.rollback()
        return time.perf_counter() - t0

    def raw_once(self, conn):
        "Return ((ids, count) seconds, ids, count) of the hand-written SQL"
        where = (
            "company = %(company)s AND ("
            "(state IN ('draft', 'assigned') "
            "AND response_deadline < %(now)s) "
            "OR (state IN ('draft', 'assigned', 'running') "
            "AND resolution_deadline < %(now)s))")
        params = {
            'company': self.company,
            'now': dt.datetime.now(dt.timezone.utc).replace(tzinfo=None),
            }
        t0 = time.perf_counter()
        ids = [r[0] for r in conn.execute(
                f'SELECT id FROM "{TABLE}" WHERE {where} '
                'ORDER BY reported_at DESC NULLS FIRST, id DESC '
                f'LIMIT {self.limit}', params)]
        t1 = time.perf_counter()
        count, = conn.execute(
            f'SELECT count(*) FROM "{TABLE}" WHERE {where}',
            params).fetchone()
        t2 = time.perf_counter()
        conn.rollback()
        self.raw_sql = where, params
        return (t1 - t0, t2 - t1), ids, count

    def orm_sql(self):
        "Return the SQL of the ticket table that the ORM path runs"
        records = []

        class Capture(logging.Handler):
            def emit(self, record):
                records.append(record.getMessage())
        logger = logging.getLogger('trytond.backend.postgresql.database')
        handler, level = Capture(), logger.level
        logger.addHandler(handler)
        logger.setLevel(logging.DEBUG)
        try:
            self.orm_once()
        finally:
            logger.removeHandler(handler)
            logger.setLevel(level)
        return [q for q in records
            if q.lstrip().upper().startswith('SELECT') and TABLE in q]

    def print_plans(self, conn, orm_sql):
        from psycopg import ClientCursor
        where, params = self.raw_sql
        raw_sql = [
            ClientCursor(conn).mogrify(
                f'SELECT id FROM "{TABLE}" WHERE {where} '
                'ORDER BY reported_at DESC NULLS FIRST, id DESC '
                f'LIMIT {self.limit}', params),
            ClientCursor(conn).mogrify(
                f'SELECT count(*) FROM "{TABLE}" WHERE {where}', params),
            ]
        for label, queries in [("ORM", orm_sql), ("raw SQL", raw_sql)]:
            print(f"\nEXPLAIN ANALYZE, {label}:")
            for query in queries:
                print("  " + shorten(query, 300))
                for line, in conn.execute('EXPLAIN ANALYZE ' + query):
                    if '->' in line or 'Execution' in line \
                            or not line.startswith(' '):
                        print("    " + shorten(line, 120))
            conn.rollback()


def cumulative(weights):
    total, result = 0, []
    for weight in weights:
        total += weight
        result.append(total)
    return [r / total for r in result]


def pick(rng, cum):
    return min(bisect.bisect(cum, rng.random()), len(cum) - 1)


def boolean(value):
    return 't' if value else 'f'


def shorten(text, width):
    text = ' '.join(text.split())
    return text if len(text) <= width else text[:width - 3] + '...'


if __name__ == '__main__':
    if not sys.flags.optimize:
        # Time the ORM as the server runs it: under python -O (scripts/demo)
        os.execv(sys.executable, [sys.executable, '-O', *sys.argv])
    sys.exit(main())
