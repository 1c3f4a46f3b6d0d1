"""The sao web client on the zh_CN demo database, driven by Chromium.

The demo database of tests/conftest.py (built with scripts/demo.py, on
PostgreSQL when TRYTOND_DATABASE__URI is set, else SQLite) is served as
scripts/demo serves it, and the tests log in as the demo users with a zh-CN
browser.
Screenshots go to var/screenshots/ (look at them: a test cannot tell
Chinese glyphs from empty boxes).
"""
import base64
import contextlib
import datetime as dt
import json
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = Path('/usr/bin/chromium')
CHROMIUM_ARGS = [
    '--no-sandbox', '--disable-gpu', '--disable-background-networking',
    '--disable-component-update', '--disable-sync', '--no-first-run']
SCREENSHOTS = ROOT / 'var' / 'screenshots'
SAO = ROOT / 'var' / 'sao'
DEMO_PASSWORD = 'demo-2026'
ADMIN_PASSWORD = 'admin-2026'
TIMEOUT = 30_000  # ms, for sao's waits

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(),
    reason="/usr/bin/chromium is not installed (scripts/setup installs it)")


class Server:
    "The demo database served by trytond"

    def __init__(self, uri, database, base):
        self.uri = uri
        self.database = database
        self.base = base
        self.backend = urllib.parse.urlparse(uri).scheme

    def url(self, fragment=''):
        return f'{self.base}/#{self.database}{fragment}'

    def rpc(self, method, *params):
        "JSON-RPC as admin (to know what the browser should show)"
        if not hasattr(self, '_auth'):
            user_id, session, _ = self._post(None, 'common.db.login',
                'admin', {'password': ADMIN_PASSWORD}, 'zh_CN')
            self._auth = 'Session ' + base64.b64encode(
                f'admin:{user_id}:{session}'.encode()).decode()
        return self._post(self._auth, method, *params)

    def _post(self, auth, method, *params):
        request = urllib.request.Request(
            f'{self.base}/{self.database}/rpc/',
            data=json.dumps(
                {'id': 1, 'method': method, 'params': params}).encode(),
            headers={'Content-Type': 'application/json',
                **({'Authorization': auth} if auth else {})})
        with urllib.request.urlopen(request, timeout=30) as response:
            answer = json.loads(response.read())
        if answer.get('error'):
            raise RuntimeError(answer['error'])
        return answer['result']


@pytest.fixture(scope='module')
def server(demo_database, demo_server):
    if not (SAO / 'dist' / 'tryton-sao.js').exists():
        pytest.fail("sao is missing from var/sao: run scripts/setup")
    return Server(
        demo_database.uri, demo_database.database, demo_server.base_url)


@pytest.fixture(scope='module')
def browser():
    from playwright.sync_api import sync_playwright
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def new_page(browser):
    contexts = []

    def new_page(**options):
        context = browser.new_context(
            locale='zh-CN', timezone_id='Asia/Shanghai', **options)
        context.set_default_timeout(TIMEOUT)
        contexts.append(context)
        page = context.new_page()
        page.sao_errors = []
        page.on('pageerror', lambda error: page.sao_errors.append(
                str(error)))
        return page
    yield new_page
    for context in contexts:
        context.close()


def login(page, server, user, password, fragment=''):
    "Log in through sao's two dialogs; fragment opens a model after"
    page.goto(server.url(fragment))
    page.wait_for_selector('.login-dialog input#login')
    # sao fills the database a moment later: an input when the server
    # lists one database, a select when it lists several (PostgreSQL)
    page.wait_for_function(
        "() => Array.from(document.querySelectorAll("
        "'.login-dialog #database')).some(e => e.value)")
    page.fill('.login-dialog input#login', user)
    page.click('.login-dialog button[type=submit]')
    page.wait_for_selector('.ask-dialog input#ask-dialog-entry')
    page.fill('.ask-dialog input#ask-dialog-entry', password)
    page.keyboard.press('Enter')
    page.wait_for_selector('#menu .column-char', state='attached')


@contextlib.contextmanager
def telling_sao_errors(page):
    "A wait that times out after an error fails with the error's text"
    try:
        yield
    except Exception as error:
        dialogs = []
        try:
            dialogs = page.locator(
                '.modal-dialog:visible').all_inner_texts()
        except Exception:
            pass
        if page.sao_errors or dialogs:
            raise AssertionError(
                "sao JavaScript errors: %s; dialogs shown: %s" % (
                    page.sao_errors, dialogs)) from error
        raise


def active_tab(page):
    return page.locator('#tabcontent .tab-pane.active')


def wait_form_focus(page):
    "sao redraws the new form with its defaults, then focuses a field"
    page.wait_for_function(
        "() => { const e = document.activeElement;"
        " return e && e.closest('#tabcontent .form')"
        " && ['INPUT', 'TEXTAREA', 'SELECT'].includes(e.tagName); }")


def show_field(tab, name):
    "Open the notebook page that holds the field"
    pane = tab.locator(f'[name="{name}"]').first.evaluate(
        "e => e.closest('.form-notebook > .tab-content > .tab-pane')?.id")
    if pane:
        tab.locator(f'a[href="#{pane}"]').click()


def choose(tab, name, text):
    "Type into a Many2One and pick the completion that matches"
    show_field(tab, name)
    entry = tab.locator(f'input[name="{name}"]')
    entry.click()
    entry.press_sequentially(text, delay=50)
    widget = tab.locator(
        '.form-many2one', has=tab.page.locator(f'input[name="{name}"]'))
    widget.locator('li.completion a', has_text=text).first.click()
    tab.page.wait_for_function(
        "([e, text]) => e.value.includes(text)",
        arg=[entry.element_handle(), text])


def select(tab, name, text):
    "Pick the option of a Selection labelled text, or containing it"
    show_field(tab, name)
    widget = tab.locator(f'select[name="{name}"]')
    labels = widget.locator('option').all_inner_texts()
    label, = ([t for t in labels if t == text]
        or [t for t in labels if text in t])
    widget.select_option(label=label)


def selected_text(tab, name):
    return tab.locator(f'select[name="{name}"]').evaluate(
        "s => s.options[s.selectedIndex]?.text")


def wait_selected(page, name, text):
    "Wait until the Selection of the active tab shows the label text"
    page.wait_for_function(
        "([name, text]) => { const s = document.querySelector("
        "`#tabcontent .tab-pane.active select[name=\"${name}\"]`);"
        " return s && s.options[s.selectedIndex]?.text === text; }",
        arg=[name, text])


def wait_value(page, name, value):
    "Wait until the input of the active tab holds value (record loaded)"
    page.wait_for_function(
        "([name, value]) => document.querySelector("
        "`#tabcontent .tab-pane.active input[name=\"${name}\"]`)"
        "?.value === value",
        arg=[name, value])


def open_menu(page, *path):
    "Click through the menu: each folder expands, the last entry opens"
    for name in path:
        page.locator('#menu tbody tr').filter(
            has=page.get_by_text(name, exact=True)).first.click()


def x2many(scope, string):
    "The One2Many or Many2Many widget labelled string"
    return scope.locator('.form-one2many, .form-many2many').filter(
        has=scope.page.locator('.panel-heading label').get_by_text(
            string, exact=True))


def rows_text(widget, expected):
    """Wait for expected among the rows of widget and return their text

    sao draws the rows of a list below the fold only once it is scrolled
    into view."""
    widget.scroll_into_view_if_needed()
    widget.locator('tbody tr').filter(has_text=expected).first.wait_for()
    return widget.locator('tbody').inner_text()


def screenshot(page, name):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / name
    page.screenshot(path=str(path), full_page=True)
    return path


def test_dispatcher_creates_and_dispatches_ticket(server, new_page):
    page = new_page(viewport={'width': 1280, 'height': 860})
    with telling_sao_errors(page):
        login(page, server, 'dispatcher', DEMO_PASSWORD,
            '/model/svc.repair.ticket')
        tab = active_tab(page)
        tab.locator('.treeview').first.wait_for(state='attached')
        assert page.locator('#tablist').get_by_text("维修工作单").count()

        tab.locator('button#new_').click()
        wait_form_focus(page)
        assert tab.get_by_text("报修人").first.is_visible()
        choose(tab, 'reporter', "王建国")
        show_field(tab, 'description')
        tab.locator('[name="description"]').fill("浏览器测试：3栋电梯厅灯管闪烁")
        select(tab, 'grade', "一般")
        select(tab, 'urgency', "紧急")
        choose(tab, 'technician', "张伟")
        tab.locator('button#save').click()
        page.wait_for_function(
            "() => document.querySelector("
            "'#tabcontent .tab-pane.active button#save')?.disabled")
        number = tab.locator('input[name="number"]').input_value()
        assert number.startswith('WX')

        tab.locator('button[name="dispatch"]').click()
        wait_selected(page, 'state', "已派工")
        assert selected_text(tab, 'state') == "已派工"
        assert tab.get_by_text("维修工作单").count() or page.locator(
            '#tablist').get_by_text("维修工作单").count()
        show_field(tab, 'technician')
        path = screenshot(page, f'dispatcher-ticket-{server.backend}.png')
        assert path.stat().st_size > 10_000

        tickets = server.rpc('model.svc.repair.ticket.search_read',
            [('number', '=', number)], 0, None, None,
            ['state', 'technician.rec_name', 'dispatched_by.login'], {})
        assert tickets[0]['state'] == 'assigned'
        assert "张伟" in tickets[0]['technician.']['rec_name']
        assert tickets[0]['dispatched_by.']['login'] == 'dispatcher'


def test_technician_phone_sees_own_tickets(server, new_page):
    page = new_page(viewport={'width': 390, 'height': 844},
        is_mobile=True, has_touch=True)
    with telling_sao_errors(page):
        login(page, server, 'technician', DEMO_PASSWORD,
            '/model/svc.repair.ticket')
        tab = active_tab(page)
        rows = tab.locator('.treeview table.tree > tbody > tr')
        rows.first.wait_for()
        page.wait_for_load_state('networkidle')
        shown = {number for number in (
                row.inner_text() for row in rows.all()) if number}

        tickets = server.rpc('model.svc.repair.ticket.search_read',
            [], 0, None, None,
            ['number', 'technician', 'assistants', 'in_pool', 'state'], {})
        employee_ids = {e['id'] for e in server.rpc(
                'model.company.employee.search_read',
                [('party.name', 'like', "张伟%")], 0, None, None, ['id'], {})}
        # his own tickets, and the pool he may grab from
        own = {t['number'] for t in tickets
            if (t['technician'] in employee_ids
                or employee_ids & set(t['assistants'])
                or (t['in_pool'] and t['state'] == 'draft'))}
        others = {t['number'] for t in tickets} - own
        assert own and others
        shown_numbers = {n for n in own | others
            if any(n in text for text in shown)}
        assert shown_numbers == own, (shown_numbers, own)
        screenshot(page, f'technician-phone-{server.backend}.png')


def test_technician_grabs_pool_ticket(server, new_page):
    pool_tickets = server.rpc('model.svc.repair.ticket.search_read',
        [('in_pool', '=', True), ('state', '=', 'draft')], 0, None, None,
        ['number'], {})
    assert pool_tickets, "the demo publishes a ticket to the pool"
    ticket = pool_tickets[0]
    page = new_page(viewport={'width': 390, 'height': 844},
        is_mobile=True, has_touch=True)
    with telling_sao_errors(page):
        login(page, server, 'technician', DEMO_PASSWORD,
            f'/model/svc.repair.ticket/{ticket["id"]}')
        tab = active_tab(page)
        tab.locator('input[name="number"]').wait_for(state='attached')
        wait_value(page, 'number', ticket['number'])
        tab.locator('button[name="grab"]').click()
        wait_selected(page, 'state', "已派工")
        screenshot(page, f'technician-grab-{server.backend}.png')

    grabbed, = server.rpc('model.svc.repair.ticket.read', [ticket['id']],
        ['state', 'in_pool', 'technician.rec_name', 'dispatched_by.login'],
        {})
    assert grabbed['state'] == 'assigned'
    assert not grabbed['in_pool']
    assert "张伟" in grabbed['technician.']['rec_name']
    assert grabbed['dispatched_by.']['login'] == 'technician'


def test_clerk_looks_up_caller_by_phone(server, new_page):
    "The clerk types the number as the caller gives it and sees the card"
    reception, = server.rpc('model.svc.reception.search_read',
        [('channel', '=', 'phone'), ('kind', '=', 'repair')], 0, None, None,
        ['number', 'contact_phone', 'caller.rec_name', 'house.rec_name',
            'ticket.number'], {})
    phone = reception['contact_phone']
    _, unit, house_number = reception['house.']['rec_name'].split()
    page = new_page(viewport={'width': 1280, 'height': 1200})
    with telling_sao_errors(page):
        login(page, server, 'reception', DEMO_PASSWORD)
        open_menu(page, "客服中心", "来电查询")
        dialog = page.locator('.wizard-dialog .modal-dialog')
        dialog.locator('input[name="phone"]').fill(
            f'+86 {phone[:3]} {phone[3:7]} {phone[7:]}')
        dialog.get_by_role('button', name="查询", exact=True).click()

        rows_text(x2many(dialog, "来电人"), reception['caller.']['rec_name'])
        # the number as the module stores it
        assert dialog.locator('input[name="phone"]').input_value() == phone
        houses = rows_text(x2many(dialog, "房屋"), house_number)
        assert unit in houses and house_number in houses
        open_requests = rows_text(
            x2many(dialog, "未办结诉求"), reception['number'])
        assert "处理中" in open_requests
        screenshot(page, f'reception-lookup-{server.backend}.png')
        dialog.get_by_role('tab', name="维修工作单").click()
        rows_text(x2many(dialog, "维修工作单"),
            reception['ticket.']['number'])


def test_clerk_classifies_complaint(server, new_page):
    "The clerk classifies the emailed complaint as the 工程部's liability"
    # The demo's only complaint; no other test reads its state
    complaint, = server.rpc('model.svc.complaint.search_read',
        [('state', '=', 'registered')], 0, None, None, ['number'], {})
    page = new_page(viewport={'width': 1280, 'height': 860})
    with telling_sao_errors(page):
        login(page, server, 'reception', DEMO_PASSWORD,
            '/model/svc.complaint')
        tab = active_tab(page)
        tab.locator('.treeview table.tree > tbody > tr').filter(
            has_text=complaint['number']).dblclick()
        wait_value(page, 'number', complaint['number'])
        assert selected_text(tab, 'state') == "已登记"
        tab.locator('input[name="summary"]').fill("楼上装修夜间电钻噪音扰民")
        select(tab, 'nature', "责任投诉")
        choose(tab, 'department', "工程部")
        tab.locator('button[name="classify"]').click()
        wait_selected(page, 'state', "已定性")
        screenshot(page, f'reception-complaint-{server.backend}.png')

    classified, = server.rpc('model.svc.complaint.read', [complaint['id']],
        ['state', 'nature', 'department.rec_name', 'classified_by.login',
            'classified_at'], {})
    assert classified['state'] == 'classified'
    assert classified['nature'] == 'liability'
    assert classified['department.']['rec_name'] == "工程部"
    assert classified['classified_by.']['login'] == 'reception'
    stamped_at = dt.datetime(*(classified['classified_at'][k] for k in [
                'year', 'month', 'day', 'hour', 'minute', 'second']))
    now = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)
    assert abs(now - stamped_at) < dt.timedelta(minutes=5), stamped_at


@pytest.mark.parametrize('login_name, model, title', [
        ('reception', 'svc.complaint', "投诉单"),
        ('dispatcher', 'svc.repair.duty', "值班"),
        ('manager', 'svc.repair.equipment', "客户设备"),
        ('manager', 'svc.repair.ticket.statistic', "维修统计"),
        ])
def test_new_screens_open(server, new_page, login_name, model, title):
    "Each role opens the lists of the new processes without an error"
    page = new_page(viewport={'width': 1280, 'height': 860})
    with telling_sao_errors(page):
        login(page, server, login_name, DEMO_PASSWORD, f'/model/{model}')
        tab = active_tab(page)
        tab.locator('.treeview').first.wait_for(state='attached')
        page.wait_for_load_state('networkidle')
        assert not page.sao_errors, page.sao_errors
        assert page.locator('.modal-dialog:visible').count() == 0
        assert page.locator('#tablist').get_by_text(title).count()
        screenshot(page, f'{login_name}-{model}-{server.backend}.png')


def stored_datetime(value):
    "The datetime of a JSON-RPC answer"
    return dt.datetime(*(value[k] for k in [
                'year', 'month', 'day', 'hour', 'minute', 'second']))


def test_clerk_receptions_stamped_when_received(server, new_page):
    "Two visits received seconds apart are not stamped with one time"
    wait = dt.timedelta(seconds=6)
    # Callers never received before, or the clerk is asked about a
    # duplicate call when the test runs again on the same database
    callers = [f"来访业主{n}-{uuid.uuid4().hex[:6]}" for n in "甲乙"]
    server.rpc('model.party.party.create',
        [{'name': name} for name in callers], {})
    page = new_page(viewport={'width': 1280, 'height': 860})
    numbers = []
    with telling_sao_errors(page):
        login(page, server, 'reception', DEMO_PASSWORD, '/model/svc.reception')
        tab = active_tab(page)
        tab.locator('.treeview').first.wait_for(state='attached')
        for caller in callers:
            if numbers:
                page.wait_for_timeout(wait.total_seconds() * 1000)
            page.evaluate("() => document.activeElement?.blur()")
            tab.locator('button#new_').click()
            wait_form_focus(page)
            choose(tab, 'caller', caller)
            select(tab, 'channel', "来访")
            select(tab, 'kind', "咨询")
            show_field(tab, 'content')
            tab.locator('[name="content"]').fill("浏览器测试：询问停车月卡办理")
            tab.locator('button#save').click()
            page.wait_for_function(
                "() => document.querySelector("
                "'#tabcontent .tab-pane.active button#save')?.disabled")
            numbers.append(tab.locator('input[name="number"]').input_value())

    first, second = (
        stored_datetime(r['received_at']) for r in sorted(
            server.rpc('model.svc.reception.search_read',
                [('number', 'in', numbers)], 0, None, None,
                ['number', 'received_at'], {}),
            key=lambda r: numbers.index(r['number'])))
    assert wait <= second - first < wait + dt.timedelta(seconds=30), (
        first, second)
