"""The server as users get it: scripts/demo's configuration, served by
scripts/serve.py (gunicorn, trytond-cron and, on PostgreSQL, the queue
worker), spoken to over JSON-RPC.

A refused create or write must leave nothing behind, the scheduled jobs
must run, and on PostgreSQL several processes must serve one database as
one server: an access right changed through one is enforced by the other,
queued work is done by the queue worker, and a process killed in the
middle of a request leaves the others serving and nothing half-written.
"""
import configparser
import datetime as dt
import os
import re
import signal
import threading
import time
import uuid

import pytest
from served import Client, RPCError, free_port, serve

NUMBER = re.compile(r'[A-Z]{2}\d{4}-\d+')


def rpc_datetime(value):
    return {'__class__': 'datetime', **{
            k: getattr(value, k) for k in [
                'year', 'month', 'day', 'hour', 'minute', 'second',
                'microsecond']}}


def wait_until(condition, timeout, interval=0.1):
    end = time.monotonic() + timeout
    while True:
        if result := condition():
            return result
        if time.monotonic() > end:
            return result
        time.sleep(interval)


@pytest.fixture(scope='module')
def admin(demo_server, demo_database):
    return Client(demo_server.base_url, demo_database.database)


def new_caller(admin):
    "A caller of her own: no recent reception makes a call a duplicate"
    party, = admin('party.party.create', [{
                'name': f"测试来电人 {uuid.uuid4().hex[:6]}"}])
    return party


def existing_numbers(admin, model):
    return {r['number'] for r in admin(
            f'{model}.read', admin.ids(model), ['number'])}


def queue_tasks(demo_database):
    "Return {task id: finished} of ir.queue (not open to RPC)"
    import psycopg
    with psycopg.connect(demo_database.uri,
            dbname=demo_database.database) as conn:
        return {id_: finished is not None for id_, finished in conn.execute(
                    "SELECT id, finished_at FROM ir_queue")}


def test_configuration_written_in_one_place(demo_database):
    "The demo's configuration is the launcher's for its backend"
    written = configparser.RawConfigParser()
    written.read(demo_database.config_file, encoding='utf-8')
    expected = serve.config_sections(
        demo_database.uri, demo_database.data_dir / 'db')
    for section in ['cache', 'queue', 'report']:
        assert dict(written[section]) == expected[section]
    sqlite = serve.config_sections('sqlite://', '/tmp')
    postgresql = serve.config_sections('postgresql://', '/tmp')
    # SQLite has no channel: a polled cache would autocommit a transaction
    assert int(sqlite['cache']['clean_timeout']) >= 365 * 24 * 3600
    assert sqlite['queue']['worker'] == 'False'
    assert postgresql['cache']['clean_timeout'] == '0'
    assert postgresql['queue']['worker'] == 'True'
    with pytest.raises(ValueError):
        serve.backend_of('mysql://')
    if demo_database.backend == 'sqlite':
        with pytest.raises(ValueError):
            serve.Site(demo_database.config_file, demo_database.database,
                workers=2)


def test_refused_ticket_leaves_nothing(admin):
    "A ticket without its description is refused and not stored"
    before = admin.ids('svc.repair.ticket')
    numbers = existing_numbers(admin, 'svc.repair.ticket')
    reporter = new_caller(admin)
    with pytest.raises(RPCError) as refusal:
        admin('svc.repair.ticket.create', [{
                    'reporter': reporter,
                    'reported_at': rpc_datetime(dt.datetime.now().replace(
                            microsecond=0)),
                    }])
    assert "故障描述" in refusal.value.message
    # The refusal names no ticket number that does not exist
    assert set(NUMBER.findall(refusal.value.message)) <= numbers
    # SQLite validates the new record, PostgreSQL's NOT NULL refuses first
    assert ("新维修工作单" in refusal.value.message
        or "记录" not in refusal.value.message)
    assert admin.ids('svc.repair.ticket') == before


def test_refused_reception_leaves_nothing(admin):
    "A reception without its content is refused and not in the inbox"
    before = admin.ids('svc.reception')
    numbers = existing_numbers(admin, 'svc.reception')
    caller = new_caller(admin)
    with pytest.raises(RPCError) as refusal:
        admin('svc.reception.create', [{'caller': caller}])
    assert "内容" in refusal.value.message
    assert set(NUMBER.findall(refusal.value.message)) <= numbers
    assert admin.ids('svc.reception') == before
    assert admin.ids('svc.reception', [['state', '=', 'open']]) == [
        i for i in before if i in admin.ids(
                'svc.reception', [['state', '=', 'open']])]


def test_refused_write_leaves_nothing(admin):
    "A satisfaction score of 9 is refused and the ticket keeps its score"
    ticket = admin.ids('svc.repair.ticket')[-1]
    fields = ['satisfaction_response', 'description', 'write_date']
    before = admin('svc.repair.ticket.read', [ticket], fields)
    with pytest.raises(RPCError) as refusal:
        admin('svc.repair.ticket.write', [ticket], {
                'satisfaction_response': 9, 'description': "改过的描述"})
    assert "1 到 5" in refusal.value.message
    number, = [r['number'] for r in admin(
            'svc.repair.ticket.read', [ticket], ['number'])]
    assert number in refusal.value.message
    assert admin('svc.repair.ticket.read', [ticket], fields) == before


def test_refused_core_create_leaves_nothing(admin):
    "A refused create of a core model (res.user.warning) is not stored"
    before = admin.ids('res.user.warning')
    with pytest.raises(RPCError):
        admin('res.user.warning.create', [{'user': admin.user_id}])
    assert admin.ids('res.user.warning') == before


def test_cron_escalates_overdue_ticket(admin, demo_server):
    "trytond-cron runs beside the server and escalates an overdue ticket"
    assert 'cron' in demo_server.processes
    reporter = new_caller(admin)
    ticket, = admin('svc.repair.ticket.create', [{
                'reporter': reporter,
                'description': "楼道灯不亮（逾期测试）",
                'urgency': 'urgent',
                'reported_at': rpc_datetime(
                    dt.datetime.now().replace(microsecond=0)
                    - dt.timedelta(days=2)),
                }])
    read = ['response_escalation', 'resolution_escalation']
    assert admin('svc.repair.ticket.read', [ticket], read)[0][
        'response_escalation'] is None
    cron, = admin('ir.cron.search', [['method', '=',
                'svc.repair.ticket|escalate']])
    admin('ir.cron.write', [cron], {'next_call': None})
    escalated = wait_until(
        lambda: admin('svc.repair.ticket.read', [ticket], read)[0][
            'response_escalation'] == 'overdue', timeout=75, interval=1)
    assert escalated, "the escalation cron did not run within 75 s"


@pytest.fixture(scope='module')
def second_node(demo_database, demo_server):
    "Another application node on the same PostgreSQL database"
    if demo_database.backend != 'postgresql':
        pytest.skip("several server processes need PostgreSQL")
    site = serve.Site(demo_database.config_file, demo_database.database,
        bind=f'127.0.0.1:{free_port()}', workers=1, cron=False,
        queue_workers=0, log_dir=demo_database.data_dir / 'log-node2')
    with site:
        yield site


def test_access_change_enforced_by_other_process(
        admin, demo_database, second_node):
    "A technician taken out of his group through one process is refused by"
    " the other at once, and let in again when put back"
    technician = Client(
        second_node.base_url, demo_database.database, 'technician')

    def refused():
        try:
            technician('svc.repair.ticket.search', [])
        except RPCError:
            return True
        return False
    assert not refused()
    user, = admin('res.user.search', [['login', '=', 'technician']])
    group, = admin('res.group.search', [['name', '=', "维修技术员"]])
    admin('res.user.write', [user], {'groups': [['remove', [group]]]})
    try:
        assert wait_until(refused, timeout=1, interval=0.02), (
            "the other process still lets him in after 1 s")
    finally:
        admin('res.user.write', [user], {'groups': [['add', [group]]]})
    assert wait_until(lambda: not refused(), timeout=1, interval=0.02)


def test_queued_work_done_by_queue_worker(
        admin, demo_database, demo_server, second_node):
    "Generating a campaign's forms returns at once; the queue worker of"
    " the first node generates them and stores their PDF"
    assert 'worker' in demo_server.processes
    clerk = Client(second_node.base_url, demo_database.database)
    tasks = queue_tasks(demo_database)
    template, = clerk('svc.survey.template.create', [{
                'name': "服务意见征询（队列测试）",
                'questions': [['create', [{
                                'text': "您对报修服务是否满意？",
                                'type': 'text'}]]]}])
    owners = sorted({house['owner'] for house in admin(
                'svc.property.house.search_read', [], 0, 5, None,
                ['owner'])})
    today = dt.date.today()
    campaign, = clerk('svc.survey.campaign.create', [{
                'name': "半年度意见征询（队列测试）", 'kind': 'written',
                'template': template, 'year': today.year,
                'half': '1' if today.month <= 6 else '2',
                'date': {'__class__': 'date', 'year': today.year,
                    'month': today.month, 'day': today.day},
                'sampling': 'all',
                'parties': [['add', owners]]}])
    clerk('svc.survey.campaign.start', [campaign])
    fields = ['state', 'response_count', 'forms_name']
    state = clerk('svc.survey.campaign.read', [campaign], fields)[0]
    assert state['state'] == 'generating'
    assert set(queue_tasks(demo_database)) - set(tasks)

    def generated():
        state = clerk('svc.survey.campaign.read', [campaign], fields)[0]
        return state if state['forms_name'] else None
    state = wait_until(generated, timeout=60, interval=0.5)
    assert state, "the queue worker did not generate the forms in 60 s"
    assert state['state'] == 'running'
    assert state['response_count'] > 0
    assert state['forms_name'].endswith('.pdf')
    queued = queue_tasks(demo_database)
    assert all(queued[t] for t in set(queued) - set(tasks))


def test_killed_process_leaves_nothing_half_written(
        admin, demo_database, second_node):
    "A process killed mid-request: the others serve, nothing is stored"
    before = admin.ids('svc.reception')
    caller = new_caller(admin)
    batch = [{'caller': caller, 'content': f"批量来电 {i}",
            'kind': 'consultation'} for i in range(3000)]
    clerk = Client(second_node.base_url, demo_database.database)
    outcome = {}

    def create():
        try:
            outcome['result'] = clerk('svc.reception.create', batch,
                timeout=300)
        except Exception as error:
            outcome['error'] = error
    request = threading.Thread(target=create)
    request.start()
    time.sleep(2)
    assert request.is_alive(), (
        f"the request ended before it could be killed: {outcome}")
    master = second_node.processes['app'].pid
    workers = [int(pid) for pid in open(
            f'/proc/{master}/task/{master}/children').read().split()]
    for pid in workers:
        os.kill(pid, signal.SIGKILL)
    request.join(60)
    assert 'error' in outcome and 'result' not in outcome
    # The first node serves on, and no reception of the batch was stored
    assert admin.ids('svc.reception') == before
