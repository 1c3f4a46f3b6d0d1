#!/usr/bin/env python3
"""50 technicians grab the same pool ticket at once over JSON-RPC.

Sets up its own PostgreSQL database on 127.0.0.1:5432 (svc_repair activated,
zh_CN loaded, one company, 50 technician users with the plumbing skill, one
pool ticket per round and one more that stays in the pool), serves it as
production does (scripts/serve.py: write_config and Site, gunicorn with
WORKERS processes of 4 threads under python -O, trytond-cron and a queue
worker) and logs in 50 sessions. Then, after an untimed round of each,
it runs pairs of rounds:

- a plain read round: the 50 clients send together, behind a barrier,
  `model.svc.repair.ticket.read` of the ticket that stays in the pool;
- a grab round: the 50 clients send together
  `model.svc.repair.ticket.grab` of that round's pool ticket.

The timings count ROUNDS pairs during which the machine's other users
took at most QUIET of its CPU (the machine is shared); after 4 x ROUNDS
pairs without enough of them every pair counts and the last line says
the machine was busy. Every grab round counts for the checks.

Same sessions, same connections, same servers. Before each round the
connections are spread evenly over the gunicorn workers (see balance()),
as the floor below assumes. It checks that each grab round has exactly
one winner, 49 clear refusals and no other error, and that the ticket
went to one technician with one grab record.

CPU is read twice around each round: the machine's busy time from
/proc/stat, and the CPU of the processes doing the work (the gunicorn
workers, trytond-cron and the queue worker, the PostgreSQL backends of the
database and this client process) from /proc/<pid>. The second does not
count what other users of the machine run meanwhile, so "cpu Nx plain read"
compares it. The p95 floor is the first: 50 requests arriving together on
N cores cannot all be answered sooner than the CPU they need / N, so the
k-th cannot answer before k x (machine CPU per request) / N.

The last line holds the targets: one winner in every round, no unexpected
error, p95 <= 1.5x that floor and the CPU of a grab <= 1.5x the CPU of the
plain read. The database and the servers are removed at the end, also on
Ctrl-C.

    scripts/bench_grab [--clients 50] [--workers 2] [--rounds 5] [--keep]
"""
import argparse
import base64
import gzip
import http.client
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import psycopg
import serve

VENV_BIN = Path(sys.executable).parent
PG_URI = os.environ.get(
    'BENCH_PG_URI', 'postgresql://postgres@127.0.0.1:5432/')
REFUSAL = "已被其他技术员抢单"
P95_TARGET = 1.5
CPU_TARGET = 1.5
# gunicorn closes a keep-alive connection idle for 2 s (--keep-alive):
# reconnect before a round rather than inside it
IDLE_RECONNECT = 1.0


def say(*args, prog='bench_grab'):
    print(f'{prog}:', *args, file=sys.stderr, flush=True)


def interrupt(signum, frame):
    raise KeyboardInterrupt


def free_port():
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


def pg(sql):
    with psycopg.connect(PG_URI + 'postgres', autocommit=True) as conn:
        conn.execute(sql)


class Bench:
    """A throw-away database and the site serving it

    The configuration is written by serve.write_config, the servers are
    started by serve.Site, as scripts/serve runs them."""

    prog = 'bench_grab'

    def __init__(self, options):
        self.options = options
        self.database = f'{self.prog}_{os.getpid()}'
        self.directory = Path(tempfile.mkdtemp(prefix=f'{self.prog}_'))
        self.port = free_port()
        self.config = serve.write_config(
            self.directory / 'trytond.conf', PG_URI,
            self.directory / 'filestore',
            listen=f'127.0.0.1:{self.port}', web_root=None)
        self.created = False

    def say(self, *args):
        say(*args, prog=self.prog)

    def create(self, template=None):
        template = template or 'template0'
        pg(f'CREATE DATABASE "{self.database}" ENCODING \'UTF8\' '
            f'TEMPLATE "{template}"')
        self.created = True

    def activate(self, module='svc_repair'):
        passfile = self.directory / 'admin-password'
        passfile.write_text('bench-admin-password\n')
        env = dict(self.server_env(), TRYTONPASSFILE=str(passfile))
        subprocess.run([
                str(VENV_BIN / 'trytond-admin'), '-c', str(self.config),
                '-d', self.database, '-u', module,
                '--activate-dependencies', '-l', 'zh_CN',
                '--email', 'admin@example.com'],
            env=env, check=True, stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL)

    @staticmethod
    def server_env():
        "The environment of the servers: the configuration file decides"
        return {k: v for k, v in os.environ.items()
            if not k.startswith('TRYTOND_')}

    def setup_trytond(self):
        """Load trytond in this process for the setup through proteus

        It does not listen to the cache channel (a listener thread here
        would break when the database is dropped); the servers do."""
        parser = serve.read_config(self.config)
        parser.set('cache', 'clean_timeout', '300')
        setup = self.directory / 'setup.conf'
        with setup.open('w', encoding='utf-8') as file:
            parser.write(file)
        from proteus import config as pconfig
        pconfig.set_trytond(database=self.database, config_file=str(setup))

    def site(self, workers, port=None, **options):
        "Return the Site serving the database on the port (or self.port)"
        return serve.Site(
            self.config, self.database,
            bind=f'127.0.0.1:{port or self.port}', workers=workers,
            log_dir=self.directory / f'log-{workers}',
            env=self.server_env(), **options)

    def drop(self):
        for signum in [signal.SIGINT, signal.SIGTERM]:
            signal.signal(signum, signal.SIG_IGN)
        if self.options.keep:
            self.say(f"kept database {self.database} and {self.directory}")
            return
        if self.created:
            # The proteus pool of this process still holds connections
            pg(f'DROP DATABASE IF EXISTS "{self.database}" WITH (FORCE)')
        shutil.rmtree(self.directory, ignore_errors=True)


def create_technicians(count, prefix='tech', skill_name="水电"):
    """Create the company, the skill and count technician users

    Return the company, the skill (category) and the (login, password,
    employee id) of each technician."""
    from proteus import Model

    from trytond.modules.company.tests.tools import create_company
    create_company()
    Company = Model.get('company.company')
    company, = Company.find([])
    ModelData = Model.get('ir.model.data')
    Group = Model.get('res.group')
    technician = Group(ModelData.get_id('svc_repair.group_technician', {}))
    Category = Model.get('svc.repair.category')
    skill = Category(name=skill_name, code='SD')
    skill.save()
    Party = Model.get('party.party')
    Employee = Model.get('company.employee')
    User = Model.get('res.user')
    Lang = Model.get('ir.lang')
    zh_cn, = Lang.find([('code', '=', 'zh_CN')])
    parties = [Party(name=f"技术员{i:02d}") for i in range(count)]
    Party.save(parties)
    employees = [
        Employee(party=p, company=Company(company.id)) for p in parties]
    for employee in employees:
        employee.repair_skills.append(Category(skill.id))
    Employee.save(employees)
    users = []
    for i, employee in enumerate(employees):
        login = f'{prefix}{i:02d}'
        user = User(name=login, login=login, password=f'{login}-password')
        user.language = zh_cn
        user.groups.append(Group(technician.id))
        user.companies.append(Company(company.id))
        user.company = Company(company.id)
        user.employees.append(Employee(employee.id))
        user.employee = Employee(employee.id)
        users.append(user)
    User.save(users)
    return company, skill, [
        (u.login, f'{u.login}-password', e.id)
        for u, e in zip(users, employees)]


def prepare(clients, tickets):
    "Create the technicians, the pool tickets and the ticket to read"
    from proteus import Model
    _, plumbing, technicians = create_technicians(clients)
    Party = Model.get('party.party')
    reporter = Party(name="张三")
    reporter.save()
    Ticket = Model.get('svc.repair.ticket')
    pool_tickets = [
        Ticket(
            reporter=reporter, description="厨房水管漏水", grade='B',
            urgency='general', category=plumbing)
        for _ in range(tickets + 1)]
    Ticket.save(pool_tickets)
    Ticket.click(pool_tickets, 'publish')
    # The last one stays in the pool: every technician may read it
    *grab_ids, read_id = [t.id for t in pool_tickets]
    return grab_ids, read_id, [(login, pw) for login, pw, _ in technicians]


class Client:
    "A technician's session over one keep-alive HTTP connection"

    def __init__(self, port, database, login, password):
        self.database = database
        self.conn = http.client.HTTPConnection('127.0.0.1', port, timeout=300)
        self.used = time.monotonic()
        result = self.call(
            'common.db.login', [login, {'password': password}, 'zh_CN'],
            auth=False)['result']
        uid, session = result[0], result[1]
        token = base64.b64encode(
            f'{login}:{uid}:{session}'.encode()).decode()
        self.auth = f'Session {token}'
        self.context = self.call(
            'model.res.user.get_preferences', [True, {}])['result']

    def fresh(self):
        "Reconnect if the server may have closed the idle connection"
        if time.monotonic() - self.used > IDLE_RECONNECT:
            self.conn.close()
            self.conn.connect()

    def call(self, method, params, auth=True):
        # As a browser asks: trytond streams a result longer than 1400
        # characters, compressed when the client accepts it
        headers = {
            'Content-Type': 'application/json', 'Accept-Encoding': 'gzip'}
        if auth:
            headers['Authorization'] = self.auth
        body = json.dumps({'id': 1, 'method': method, 'params': params})
        for attempt in range(2):
            try:
                self.conn.request(
                    'POST', f'/{self.database}/rpc/', body=body,
                    headers=headers)
                response = self.conn.getresponse()
                data = response.read()
                break
            except (http.client.RemoteDisconnected, BrokenPipeError,
                    ConnectionResetError):
                # Closed while idle, before it read the request
                self.conn.close()
                if attempt:
                    raise
        self.used = time.monotonic()
        if response.status != 200:
            return {'error': ['HTTP', [str(response.status), data[:200]]]}
        if response.getheader('Content-Encoding') == 'gzip':
            data = gzip.decompress(data)
        return json.loads(data)

    def model(self, model, method, *args):
        return self.call(
            f'model.{model}.{method}', [*args, self.context])

    def grab(self, ticket_id):
        return self.model('svc.repair.ticket', 'grab', [ticket_id])

    def read(self, ticket_id):
        return self.model(
            'svc.repair.ticket', 'read', [ticket_id], ['number', 'state'])


def login_all(port, database, logins):
    "Log the sessions in, a few at a time"
    clients = [None] * len(logins)

    def run(indexes):
        try:
            for i in indexes:
                clients[i] = Client(port, database, *logins[i])
        except Exception as exception:
            say("login:", exception)
    threads = [
        threading.Thread(
            target=run, args=(range(k, len(logins), 4),), daemon=True)
        for k in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if None in clients:
        raise RuntimeError("a session could not log in")
    return clients


def percentile(values, fraction):
    "Return the value of the rank round(fraction x n) (at least the first)"
    values = sorted(values)
    return values[rank_of(fraction, len(values)) - 1]


def rank_of(fraction, count):
    return min(count, max(1, int(round(fraction * count + 0.5))))


def app_workers(site):
    "Return the pids of the site's gunicorn workers (not the arbiter)"
    arbiter = site.processes['app'].pid
    return sorted(
        pid for pid, sid in sessions().items()
        if sid == arbiter and pid != arbiter)


def balance(clients, site):
    """Spread the clients' connections evenly over the gunicorn workers

    Each connection is probed with a light call: the worker whose CPU
    moved served it. A connection on a worker with more than its share is
    opened again until the shares are even. Left to the kernel, fifty
    connections opened at once to idle workers land unevenly (up to 86%
    on one of two seen), and one worker runs Python on one core at most.
    Return the connections per worker."""
    workers = app_workers(site)

    def probe(client):
        before = {pid: process_cpu(pid) or 0 for pid in workers}
        client.call('common.server.version', [], auth=False)
        after = {pid: process_cpu(pid) or 0 for pid in workers}
        return max(workers, key=lambda pid: after[pid] - before[pid])

    share = -(-len(clients) // len(workers))
    owners = [probe(client) for client in clients]
    for _ in range(20 * len(clients)):
        counts = {pid: owners.count(pid) for pid in workers}
        busiest = max(workers, key=counts.get)
        if counts[busiest] <= share:
            break
        i = owners.index(busiest)
        clients[i].conn.close()
        owners[i] = probe(clients[i])
    return sorted((owners.count(pid) for pid in workers), reverse=True)


def fire(clients, method, *args):
    "Send the call of every client at once; return (seconds, response)s"
    for client in clients:
        client.fresh()
    barrier = threading.Barrier(len(clients))
    results = [None] * len(clients)

    def run(i, client):
        barrier.wait()
        start = time.perf_counter()
        try:
            response = getattr(client, method)(*args)
        except Exception as exception:
            response = {'error': [type(exception).__name__, [str(exception)]]}
        results[i] = (time.perf_counter() - start, response)

    threads = [
        threading.Thread(target=run, args=(i, c), daemon=True)
        for i, c in enumerate(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def machine_busy():
    """Return the CPU seconds all cores have been busy since boot

    Everything but idle and I/O wait, as the floor has always counted it
    (steal, the time the hypervisor gave to others, included)."""
    with open('/proc/stat') as stat:
        ticks = [int(v) for v in stat.readline().split()[1:]]
    idle, iowait = ticks[3], ticks[4]
    return (sum(ticks) - idle - iowait) / os.sysconf('SC_CLK_TCK')


def process_cpu(pid):
    """Return the CPU seconds of the process (all its threads) or None

    From the scheduler's nanosecond counters of each thread when the
    kernel has them, else from the clock ticks of /proc/<pid>/stat."""
    try:
        total = 0
        for task in os.scandir(f'/proc/{pid}/task'):
            with open(f'{task.path}/schedstat') as file:
                total += int(file.read().split()[0])
        if total:
            return total / 1e9
        with open(f'/proc/{pid}/stat') as file:
            fields = file.read().rsplit(')', 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf('SC_CLK_TCK')
    except (FileNotFoundError, ProcessLookupError, IndexError, ValueError):
        return None


def sessions():
    "Return {pid: session id} of every process"
    result = {}
    for entry in os.scandir('/proc'):
        if not entry.name.isdigit():
            continue
        try:
            with open(f'{entry.path}/stat') as file:
                fields = file.read().rsplit(')', 1)[1].split()
        except (FileNotFoundError, ProcessLookupError):
            continue
        result[int(entry.name)] = int(fields[3])
    return result


class Meter:
    """CPU used by the sites, their PostgreSQL backends and the clients

    Each Site process leads its own session: the gunicorn workers and the
    pool children of cron and the queue worker are found by it. The
    clients are this process and the client_pids."""

    def __init__(self, sites, database, client_pids=()):
        self.sites = list(sites)
        self.database = database
        self.client_pids = list(client_pids)
        self.conn = psycopg.connect(PG_URI + 'postgres', autocommit=True)

    def close(self):
        self.conn.close()

    def groups(self):
        "Return {part: [pid]} of the processes at work"
        leaders = {
            p.pid: name
            for site in self.sites for name, p in site.processes.items()}
        groups = {'app': [], 'cron+queue': [], 'postgresql': [],
            'clients': list(self.client_pids)}
        for pid, sid in sessions().items():
            if sid in leaders:
                groups['app' if leaders[sid] == 'app'
                    else 'cron+queue'].append(pid)
        groups['postgresql'] = [pid for pid, in self.conn.execute(
                'SELECT pid FROM pg_stat_activity WHERE datname = %s',
                (self.database,))]
        return groups

    def sample(self):
        """Return {part: {pid: seconds}} and the machine's and this
        process's CPU before and after reading the parts"""
        own, machine = time.process_time(), machine_busy()
        parts = {
            part: {pid: process_cpu(pid) for pid in pids}
            for part, pids in self.groups().items()}
        return parts, (machine, machine_busy()), (own, time.process_time())

    @staticmethod
    def delta(before, after):
        """Return {part: seconds} between two samples

        A process that appeared in between counts from zero; one that
        ended in between cannot be counted. The machine and this process
        count from the end of the first sample to the start of the
        second, without the reading of the samples."""
        (parts0, (_, machine0), (_, own0)) = before
        (parts1, (machine1, _), (own1, _)) = after
        used = {}
        for part, cpus in parts1.items():
            used[part] = sum(
                cpu - (parts0.get(part, {}).get(pid) or 0)
                for pid, cpu in cpus.items() if cpu is not None)
        used['clients'] += own1 - own0
        used['ours'] = sum(used.values())
        used['machine'] = machine1 - machine0
        return used

    @staticmethod
    def per_process(before, after, part='app'):
        "Return {pid: seconds} of the processes of the part"
        cpus0, cpus1 = before[0].get(part, {}), after[0].get(part, {})
        return {
            pid: cpu - (cpus0.get(pid) or 0)
            for pid, cpu in cpus1.items() if cpu is not None}


def add(totals, used):
    for key, value in used.items():
        totals[key] = totals.get(key, 0) + value


def count(results):
    winners = refusals = 0
    unexpected = []
    for _, response in results:
        error = response.get('error')
        if error is None:
            winners += 1
        elif (error[0] == 'UserError'
                and REFUSAL in json.dumps(error, ensure_ascii=False)):
            refusals += 1
        else:
            unexpected.append(error)
    return winners, refusals, unexpected


def check_database(database, ticket_id):
    "Return whether the ticket went to one technician with one grab record"
    with psycopg.connect(PG_URI + database) as conn:
        state, technician, in_pool = conn.execute(
            'SELECT state, technician, in_pool FROM svc_repair_ticket '
            'WHERE id = %s', (ticket_id,)).fetchone()
        grabs, = conn.execute(
            "SELECT count(*) FROM svc_repair_ticket_handover "
            "WHERE ticket = %s AND kind = 'grab'", (ticket_id,)).fetchone()
    return (state == 'assigned' and technician is not None and not in_pool
        and grabs == 1)


def cpu_line(label, used, requests):
    "Describe the CPU per request of each part"
    parts = ', '.join(
        f"{part} {used[part] / requests * 1000:.2f}"
        for part in ['app', 'postgresql', 'clients', 'cron+queue'])
    others = max(0, used['machine'] - used['ours'])
    return (f"{label}: {used['ours'] / requests * 1000:.2f} ms of CPU a "
        f"request ({parts}); machine {used['machine'] / requests * 1000:.2f}"
        f" ms, of which others {others / requests * 1000:.2f}")


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        prog='scripts/bench_grab',
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--clients', type=int, default=50,
        help="technicians grabbing at once (default: %(default)s)")
    parser.add_argument('--workers', type=int, default=2,
        help="gunicorn worker processes (default: %(default)s)")
    parser.add_argument('--rounds', type=int, default=5,
        help="timed rounds of each call that count, after an untimed one "
        "(default: %(default)s)")
    parser.add_argument('--quiet', type=float, default=0.1,
        help="a pair of rounds counts when the machine's other users took "
        "at most this share of its busy time in both (default: "
        "%(default)s)")
    parser.add_argument(
        '--keep', action='store_true', help="keep the database")
    parser.add_argument(
        '--template', metavar='DATABASE',
        help="copy this database with svc_repair activated (kept with "
        "--keep) instead of activating it again")
    return parser.parse_args(argv)


def main(argv=None):
    options = parse_args(argv)
    for signum in [signal.SIGINT, signal.SIGTERM, signal.SIGHUP]:
        signal.signal(signum, interrupt)
    bench = Bench(options)
    try:
        return run(bench, options)
    except KeyboardInterrupt:
        say("interrupted")
        return 130
    finally:
        bench.drop()


def run(bench, options):
    started = time.monotonic()
    bench.create(options.template)
    if not options.template:
        say(f"activating svc_repair in {bench.database}")
        bench.activate()
    say(f"creating {options.clients} technicians and the pool tickets")
    bench.setup_trytond()
    # An untimed round, then up to 4 x ROUNDS timed ones (see measure())
    grab_ids, read_id, logins = prepare(
        options.clients, 4 * options.rounds + 1)
    say(f"serving with {options.workers} gunicorn workers on "
        f"127.0.0.1:{bench.port}, trytond-cron and a queue worker")
    with bench.site(options.workers) as site:
        clients = login_all(bench.port, bench.database, logins)
        meter = Meter([site], bench.database)
        try:
            say("warming up: one untimed round of each")
            balance(clients, site)
            fire(clients, 'read', read_id)
            fire(clients, 'grab', grab_ids[0])
            counted, every, busy = measure(
                options, clients, site, meter, read_id, grab_ids[1:])
        finally:
            meter.close()
    for pair in every:
        pair['consistent'] = check_database(bench.database, pair['ticket'])
    return report(
        options, counted, every, busy, time.monotonic() - started)


def measure(options, clients, site, meter, read_id, grab_ids):
    """Run pairs of rounds (a plain read, a grab) until ROUNDS pairs ran
    while the machine's other users took at most QUIET of its busy time,
    or 4 x ROUNDS pairs ran (then every pair counts)

    Return the pairs that count, every pair and whether the machine was
    too busy; a pair is {'read': round, 'grab': round, 'ticket': id}."""
    def timed_round(method, *args):
        split = balance(clients, site)
        before = meter.sample()
        results = fire(clients, method, *args)
        after = meter.sample()
        used = meter.delta(before, after)
        return {
            'results': results, 'used': used, 'split': split,
            # one gunicorn process runs Python on one core at most
            'busiest': max(meter.per_process(before, after).values()),
            'others': max(0, used['machine'] - used['ours'])
            / (used['machine'] or 1),
            }

    quiet, every = [], []
    for ticket_id in grab_ids:
        pair = {
            'read': timed_round('read', read_id),
            'grab': timed_round('grab', ticket_id),
            'ticket': ticket_id,
            }
        every.append(pair)
        if max(pair[m]['others'] for m in ['read', 'grab']) <= options.quiet:
            quiet.append(pair)
        if len(quiet) >= options.rounds:
            return quiet, every, False
    say(f"only {len(quiet)} of {options.rounds} pairs of rounds ran while "
        f"the machine's other users took at most {options.quiet:.0%} of "
        "its CPU: counting every pair")
    return every, every, True


def report(options, counted, every, busy, duration):
    "Print the figures; return the exit status"
    # Correctness: every round counts
    round_winners, refused, unexpected = [], 0, []
    for pair in every:
        winners, refusals, errors = count(pair['grab']['results'])
        round_winners.append(winners)
        refused += refusals
        unexpected.extend(errors)
        unexpected.extend(
            r['error'] for _, r in pair['read']['results'] if 'error' in r)
    consistent = all(pair['consistent'] for pair in every)
    for error in unexpected[:5]:
        say("unexpected:", json.dumps(error, ensure_ascii=False)[:300])
    won = [
        t for pair in counted for t, r in pair['grab']['results']
        if 'error' not in r]

    n, cores = options.clients, os.cpu_count()
    rounds = len(counted)
    requests = n * rounds
    rank = rank_of(0.95, n)
    if won:
        say(f"the winner answered in {statistics.median(won) * 1000:.0f} ms "
            "(median of the rounds): the requests that reached the ticket "
            "meanwhile wait for its lock")
    say(f"winners per round {round_winners}; {refused} clear refusals "
        f"({REFUSAL}); each ticket assigned once with one grab record: "
        f"{consistent}; {rounds} of {len(every)} pairs of rounds counted; "
        f"run {duration:.0f} s")
    cpu = {}
    for method in ['read', 'grab']:
        cpu[method] = {}
        for pair in counted:
            add(cpu[method], pair[method]['used'])
    say(cpu_line("plain read", cpu['read'], requests))
    say(cpu_line("grab", cpu['grab'], requests))
    figures = {}
    for label, method in [('plain read', 'read'), ('grab', 'grab')]:
        used = cpu[method]
        times = [t for pair in counted for t, _ in pair[method]['results']]
        floor = rank * used['machine'] / requests / cores
        ours = rank * used['ours'] / requests / cores
        p95 = percentile(times, 0.95)
        figures[label] = p95 / floor
        say(f"{label}: median {statistics.median(times) * 1000:.0f} ms, "
            f"p95 {p95 * 1000:.0f} ms; floor {floor * 1000:.0f} ms (the "
            f"{rank}th of {n} requests on {cores} cores at "
            f"{used['machine'] / requests * 1000:.2f} ms of machine CPU "
            f"each), p95 {p95 / floor:.2f}x floor; {p95 / ours:.2f}x the "
            f"floor of our processes alone ({ours * 1000:.0f} ms)")
        app = used['app'] / rounds
        top = statistics.mean(pair[method]['busiest'] for pair in counted)
        shown = sorted({
                '/'.join(map(str, pair[method]['split']))
                for pair in counted})
        say(f"{label}: connections per gunicorn process {', '.join(shown)}"
            f"; the busiest process did {top / app:.0%} of the app's CPU a "
            f"round ({top * 1000:.0f} of {app * 1000:.0f} ms)")
    cpu_ratio = cpu['grab']['ours'] / cpu['read']['ours']
    machine_ratio = cpu['grab']['machine'] / cpu['read']['machine']
    say(f"CPU a grab / CPU a plain read: {cpu_ratio:.2f}x counting the "
        f"processes at work, {machine_ratio:.2f}x counting the machine")
    shown = (str(round_winners[0]) if len(set(round_winners)) == 1
        else '/'.join(map(str, round_winners)))
    p95_ratio = figures['grab']
    remark = "; machine busy" if busy else ""
    print(f"grab: {shown} winner of {n}, {len(unexpected)} unexpected "
        f"errors, p95 {p95_ratio:.1f}x floor, cpu {cpu_ratio:.1f}x plain "
        f"read (target: 1 winner, 0 errors, <= {P95_TARGET:g}x, "
        f"<= {CPU_TARGET:g}x{remark})")
    ok = (set(round_winners) == {1} and not unexpected and consistent
        and p95_ratio <= P95_TARGET and cpu_ratio <= CPU_TARGET)
    return 0 if ok else 1


if __name__ == '__main__':
    sys.exit(main())
