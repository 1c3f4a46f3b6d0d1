#!/usr/bin/env python3
"""Build the zh_CN demo database of the svc_* modules, then serve it.

The first run creates the database, activates the four modules with the
Chinese translations, loads a believable story (a property-management
company, its estate, owners, receptions and repair tickets driven through
their real workflow by the right users) and serves it with the sao web
client. Later runs find the finished database and serve it at once.

Use scripts/demo (which runs scripts/setup first) rather than this file.
"""
import argparse
import datetime as dt
import hashlib
import importlib.util
import os
import random
import shutil
import socket
import subprocess
import sys
import time
import urllib.parse
from decimal import Decimal
from pathlib import Path

import serve

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
MODULES = [
    'svc_customer_service', 'svc_repair', 'svc_property',
    'svc_procurement_flow']
COMPANY = "翠湖物业服务有限公司"
ESTATE = "翠湖花园"
CITY = "苏州市"
ESTATE_ADDRESS = "苏州市吴中区翠湖路88号"
ADMIN_PASSWORD = 'admin-2026'
PASSWORD = 'demo-2026'

# Staff: key, name, department (shown in the party name), mobile
STAFF = [
    ('admin', "吴海涛", "综合管理部", '13800000001'),
    ('reception', "李娜", "客服中心", '13812340001'),
    ('reception2', "王芳", "客服中心", '13812340002'),
    ('dispatcher', "周建华", "工程部·维修调度", '13812340010'),
    ('technician', "张伟", "工程部", '13812340011'),
    ('technician2', "刘强", "工程部", '13812340012'),
    ('technician3', "陈磊", "工程部", '13812340013'),
    ('technician4', "赵军", "工程部", '13812340014'),
    ('manager', "孙丽", "客服中心·服务经理", '13812340020'),
    ]
# Users: login, staff key, role (zh_CN), groups (module, xml id)
REPAIR_GROUPS = [
    ('svc_repair', 'group_reception'),
    ('svc_repair', 'group_dispatcher'),
    ('svc_repair', 'group_technician'),
    ('svc_repair', 'group_service_manager'),
    ]
BACK_OFFICE_GROUPS = [
    ('svc_property', 'group_property_admin'),
    ('purchase', 'group_purchase'),
    ('purchase', 'group_purchase_admin'),
    ('purchase_request', 'group_purchase_request'),
    ('purchase_requisition', 'group_purchase_requisition'),
    ('purchase_requisition', 'group_purchase_requisition_approval'),
    ('stock', 'group_stock'),
    ('production', 'group_production'),
    ('quality', 'group_quality'),
    ('quality', 'group_quality_admin'),
    ('account', 'group_account'),
    ]
USERS = [
    ('admin', 'admin', "系统管理员（全部权限）",
        REPAIR_GROUPS + BACK_OFFICE_GROUPS),
    ('reception', 'reception', "客服：接待登记、开维修工作单、回访",
        [('svc_repair', 'group_reception')]),
    ('dispatcher', 'dispatcher', "维修调度：分级、派工、抢单池；工程部投诉处理",
        [('svc_repair', 'group_dispatcher'),
            ('svc_customer_service', 'group_complaint_department')]),
    ('technician', 'technician', "维修技术员（工程部）：维修、完工",
        [('svc_repair', 'group_technician')]),
    ('technician2', 'technician2', "维修技术员（工程部）",
        [('svc_repair', 'group_technician')]),
    ('technician3', 'technician3', "维修技术员（工程部，IT设备）",
        [('svc_repair', 'group_technician')]),
    ('manager', 'manager', "服务经理：验收、统计、物业与采购",
        [('svc_repair', 'group_service_manager')] + BACK_OFFICE_GROUPS),
    ]
# Who clicks which button, in order of preference (the first whose
# groups allow the button does it).
CLICKERS = {
    'create_ticket': ['reception', 'manager'],
    'dispatch': ['dispatcher', 'manager'],
    'start': ['<technician>', 'dispatcher'],
    'finish': ['<technician>', 'dispatcher'],
    'accept': ['reception', 'dispatcher', 'manager'],
    'rework': ['reception', 'dispatcher', 'manager'],
    'close': ['reception', 'manager'],
    'cancel': ['reception', 'dispatcher', 'manager'],
    'wait': ['<technician>', 'dispatcher', 'manager'],
    'resume': ['<technician>', 'dispatcher', 'manager'],
    'publish': ['dispatcher', 'manager'],
    'create_complaint': ['reception', 'manager'],
    }
NEW_YEAR = dt.date(2027, 1, 1)

BUILDINGS = {
    "1栋": {"1单元": ['301', '502', '801', '1201'],
        "2单元": ['202', '601', '1102']},
    "2栋": {"1单元": ['101', '402', '702'],
        "2单元": ['301', '902', '1501']},
    "3栋": {"1单元": ['602', '1001', '1202'],
        "2单元": ['201', '701', '1201', '1802']},
    }
OWNERS = [
    "王建国", "李秀英", "张志强", "刘桂兰", "陈明", "杨丽华", "黄海",
    "赵淑珍", "吴俊", "周敏", "徐建军", "孙晓燕", "胡斌", "朱红梅",
    "高峰", "林静", "何志刚", "郭玉兰", "马超", "罗小平",
    ]
FAMILY = ["王子涵", "李浩然", "张雨桐", "陈思远", "周可欣", "孙一鸣"]
TENANTS = ["韩雪", "冯涛", "邓佳"]
VACANT = {('2栋', '2单元', '1501'), ('3栋', '1单元', '1202')}
CATEGORIES = [('SD', "水电"), ('MC', "门窗"), ('RD', "弱电"), ('IT', "IT设备")]

# Repair tickets: house index, category code, grade, urgency, hours since
# reported, technician, assistants, buttons to click, description.
TICKETS = [
    (0, 'SD', 'B', 'general', 2, None, [], [],
        "厨房水龙头关不紧，一直滴水"),
    (3, 'MC', 'A', 'general', 30, None, [], [],
        "阳台推拉门滑轮卡住，推不动"),
    (5, 'RD', 'B', 'urgent', 3, 'technician', [], ['dispatch'],
        "单元门禁刷卡无反应，住户进不了楼"),
    (7, 'SD', 'B', 'general', 5, 'technician2', [], ['dispatch'],
        "卫生间地漏返臭味"),
    (9, 'SD', 'C', 'complex', 72, 'technician', ['technician3'],
        ['dispatch', 'start'],
        "楼上渗水导致客厅天花板发霉，需查找渗漏点并做防水"),
    (None, 'IT', 'B', 'urgent', 4, 'technician3', [],
        ['dispatch', 'start'],
        "客服中心前台电脑无法开机，影响来访登记"),
    (11, 'MC', 'A', 'general', 20, 'technician2', [],
        ['dispatch', 'start', 'finish'],
        "入户门锁芯松动，钥匙转不动"),
    (13, 'RD', 'B', 'urgent', 10, 'technician', [],
        ['dispatch', 'start', 'finish'],
        "楼道监控摄像头画面黑屏"),
    (15, 'SD', 'B', 'general', 50, 'technician', [],
        ['dispatch', 'start', 'finish', 'accept'],
        "燃气热水器进水阀漏水，需更换阀门"),
    (17, 'MC', 'B', 'general', 150, 'technician2', [],
        ['dispatch', 'start', 'finish', 'accept', 'close'],
        "卧室窗户密封条老化，冬天漏风"),
    (None, 'IT', 'B', 'general', 100, 'technician3', [],
        ['dispatch', 'start', 'finish', 'accept', 'close'],
        "物业办公室网络打印机卡纸并报错"),
    (19, 'SD', 'B', 'general', 120, 'technician', ['technician4'],
        ['dispatch', 'start', 'finish', 'rework', 'finish', 'accept',
            'close'],
        "空调冷凝水管漏水，滴到楼下阳台"),
    (4, 'SD', 'B', 'general', 40, 'technician2', [],
        ['dispatch', 'start', 'wait'],
        "燃气热水器温控阀损坏，已向厂家订购配件"),
    (6, 'MC', 'B', 'general', 60, 'technician3', [],
        ['dispatch', 'start', 'wait', 'resume', 'finish'],
        "防盗门闭门器漏油，等业主在家时更换"),
    (2, 'SD', 'A', 'general', 26, None, [], ['cancel'],
        "马桶堵塞，业主已自行疏通，取消报修"),
    ]
# Receptions: hours since received, channel, kind, house index, content,
# outcome (a list: the buttons clicked on the repair ticket it makes),
# repair category
RECEPTIONS = [
    (1, 'phone', 'repair', 1, "来电报修：主卧吸顶灯不亮，换了灯泡也不行",
        ['dispatch'], 'SD'),
    (80, 'visit', 'repair', 4, "业主来访报修：单元楼道声控灯坏了三盏",
        ['dispatch', 'start', 'finish', 'accept', 'close'], 'SD'),
    (9, 'online', 'repair', 6, "网上留言报修：家里弱电箱宽带没有信号",
        [], 'RD'),
    (28, 'visit', 'special_service', 8,
        "业主来访申请特约服务：下周六上午代为清洗油烟机", 'close', None),
    (52, 'letter', 'suggestion', 10, "来信建议：小区增设电动车集中充电桩",
        'close', None),
    (75, 'online', 'consultation', 12,
        "网上咨询：物业费可否用微信按季度缴纳", 'close', None),
    (3, 'email', 'complaint', 14, "邮件投诉：楼上装修晚上十点后仍有电钻噪音",
        'open', None),
    (30, 'phone', 'complaint', 16, "来电投诉：地下车库照明不足（重复登记）",
        'cancel', None),
    (8, 'email', 'consultation', 18, "邮件咨询：房屋交接需要带哪些材料",
        'open', None),
    ]
# Repair skills of the technicians (category codes)
SKILLS = {
    'technician': ['SD', 'MC'],
    'technician2': ['SD'],
    'technician3': ['RD', 'IT'],
    'technician4': ['MC', 'RD'],
    }
# Customer equipment: serial number, house index, purchase date
EQUIPMENT = [
    ('RS2025-00871', 0, dt.date(2025, 5, 10)),
    ('RS2023-00112', 4, dt.date(2023, 9, 1)),
    ]
# Complaint deadlines: severity, hours to respond, hours to handle
COMPLAINT_DEADLINES = [('general', 4, 48), ('serious', 2, 24),
    ('major', 1, 8)]
REPLIES = {
    'special_service': "已安排保洁班组周六上午9点上门，收费按特约服务价目表。",
    'suggestion': "感谢建议，已报公司评估，将在业主大会上讨论。",
    'consultation': "可以，微信公众号“翠湖物业”-缴费，选择按季度缴纳即可。",
    }


def main(argv=None):
    args = parse_args(argv)
    demo = Demo(args)
    started = time.monotonic()
    if args.rebuild or not demo.ready():
        demo.build()
        print(f"演示数据库已建好，用时 {time.monotonic() - started:.0f} 秒"
            f" / demo database built in {time.monotonic() - started:.0f} s")
    else:
        print(f"demo: database {args.database!r} is ready "
            "(use --rebuild to start over)")
        if demo.stamp.read_text().strip() != addons_hash():
            # New fields and models must reach the database before the
            # server reads it; the demo data itself stays as it was.
            print("demo: addons/ changed since this demo was built: "
                "updating the modules (scripts/demo --rebuild reloads "
                "the demo data too)")
            demo.update()
    demo.print_welcome()
    if not args.no_serve:
        demo.serve()


def parse_args(argv):
    parser = argparse.ArgumentParser(
        prog='scripts/demo',
        description="Build (once) and serve the zh_CN demo database.")
    parser.add_argument(
        '--rebuild', action='store_true',
        help="drop the demo database and build it again")
    parser.add_argument(
        '--database', default='svc_demo', metavar='NAME',
        help="database name (default: %(default)s)")
    parser.add_argument(
        '--database-uri', metavar='URI',
        default=os.environ.get('TRYTOND_DATABASE__URI', 'sqlite://'),
        help="sqlite:// (default) or "
        "postgresql://postgres@127.0.0.1:5432/; "
        "defaults to $TRYTOND_DATABASE__URI when set")
    parser.add_argument(
        '--port', type=int, default=8000,
        help="HTTP port on 127.0.0.1 (default: %(default)s)")
    parser.add_argument(
        '--no-serve', action='store_true',
        help="build the database and the configuration, do not serve")
    parser.add_argument(
        '--data-dir', type=Path, default=ROOT / 'var' / 'demo',
        help="configuration, SQLite files and filestore "
        "(default: var/demo)")
    return parser.parse_args(argv)


def addons_hash():
    "A digest of addons/, to tell whether the demo predates a change"
    digest = hashlib.sha1()
    for path in sorted((ROOT / 'addons').rglob('*')):
        if path.is_file() and '__pycache__' not in path.parts:
            digest.update(str(path.relative_to(ROOT)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def module_written(name):
    "Whether the module has its tryton.cfg (they are written in parallel)"
    spec = importlib.util.find_spec(f'trytond.modules.{name}')
    return bool(spec and spec.origin
        and (Path(spec.origin).parent / 'tryton.cfg').exists())


class Demo:
    "The demo database: configuration, creation, data and serving"

    def __init__(self, args):
        self.args = args
        self.name = args.database
        self.uri = args.database_uri
        self.scheme = urllib.parse.urlparse(self.uri).scheme
        if self.scheme not in {'sqlite', 'postgresql'}:
            sys.exit(f"demo: unsupported database URI {self.uri!r}")
        self.data_dir = args.data_dir.resolve()
        self.db_dir = self.data_dir / 'db'
        self.config_file = self.data_dir / 'trytond.conf'
        self.stamp = self.data_dir / f'{self.name}.{self.scheme}.ready'
        self.env = dict(os.environ)
        self.env['TRYTOND_DATABASE__URI'] = self.uri
        self.env['TRYTOND_DATABASE__PATH'] = str(self.db_dir)
        self.env['TRYTOND_CONFIG'] = str(self.config_file)
        # Building runs no queue worker: queued tasks run after each commit
        self.build_env = dict(self.env, TRYTOND_QUEUE__WORKER='False')
        self.write_config()

    def write_config(self):
        serve.write_config(
            self.config_file, self.uri, self.db_dir,
            listen=f'127.0.0.1:{self.args.port}',
            # a demo is explored at leisure: 8 hours before login again
            session_timeout=28800)

    # Database -------------------------------------------------------------
    def ready(self):
        return self.stamp.exists() and self.database_exists()

    def database_exists(self):
        if self.scheme == 'sqlite':
            return (self.db_dir / f'{self.name}.sqlite').exists()
        with self.pg_connect() as conn:
            return bool(conn.execute(
                    "SELECT 1 FROM pg_database WHERE datname = %s",
                    (self.name,)).fetchone())

    def pg_connect(self):
        import psycopg
        return psycopg.connect(self.uri, dbname='postgres', autocommit=True)

    def drop_database(self):
        self.stamp.unlink(missing_ok=True)
        if self.scheme == 'sqlite':
            (self.db_dir / f'{self.name}.sqlite').unlink(missing_ok=True)
        else:
            with self.pg_connect() as conn:
                conn.execute(
                    f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')
        shutil.rmtree(self.db_dir / self.name, ignore_errors=True)

    def create_database(self):
        if self.scheme == 'sqlite':
            (self.db_dir / f'{self.name}.sqlite').touch()
        else:
            with self.pg_connect() as conn:
                conn.execute(
                    f'CREATE DATABASE "{self.name}" TEMPLATE template0 '
                    "ENCODING 'unicode'")

    def admin(self, *args, password_file=None):
        env = dict(self.build_env)
        if password_file:
            env['TRYTONPASSFILE'] = str(password_file)
        command = [sys.executable, str(BIN / 'trytond-admin'),
            '-c', str(self.config_file), '-d', self.name, *args]
        print("demo: $ trytond-admin " + ' '.join(command[4:]), flush=True)
        subprocess.run(command, env=env, check=True)

    def build(self):
        print(f"demo: building database {self.name!r} on {self.uri}")
        if self.database_exists():
            print("demo: dropping the existing database")
            self.drop_database()
        self.create_database()
        password_file = self.data_dir / 'admin.pass'
        password_file.write_text(ADMIN_PASSWORD + '\n')
        password_file.chmod(0o600)
        try:
            # -l here loads ir and res in Chinese: the modules' zh_CN.po
            # may override their messages, which must then exist
            self.admin('--all', '--email', 'admin@example.com',
                '-l', 'zh_CN', password_file=password_file)
        finally:
            password_file.unlink()
        modules = [m for m in MODULES if module_written(m)]
        if missing := sorted(set(MODULES) - set(modules)):
            print("demo: WARNING modules not written yet: "
                + ', '.join(missing))
        # One call with -l zh_CN: activates and loads the translations
        self.admin('-u', *modules, '--activate-dependencies', '-l', 'zh_CN')
        os.environ.update(
            (k, v) for k, v in self.build_env.items()
            if k.startswith('TRYTOND'))
        DemoData(self.name, self.config_file).load()
        self.stamp.write_text(addons_hash() + '\n')

    def update(self):
        modules = [m for m in MODULES if module_written(m)]
        self.admin('-u', *modules, '--activate-dependencies', '-l', 'zh_CN')
        self.stamp.write_text(addons_hash() + '\n')

    # Serving --------------------------------------------------------------
    @property
    def url(self):
        return f'http://127.0.0.1:{self.args.port}/#{self.name}'

    def print_welcome(self):
        width = max(len(login) for login, *_ in USERS) + 2
        print()
        print(f"  翠湖物业演示系统 / demo: {self.url}")
        print(f"  数据库 database: {self.name} ({self.uri})")
        print()
        print(f"  {'login':<{width}}{'password':<12}role")
        for login, staff_key, role, _ in USERS:
            password = ADMIN_PASSWORD if login == 'admin' else PASSWORD
            name = dict((k, n) for k, n, *_ in STAFF)[staff_key]
            print(f"  {login:<{width}}{password:<12}{name}，{role}")
        print()

    def serve(self):
        with socket.socket() as sock:
            try:
                sock.bind(('127.0.0.1', self.args.port))
            except OSError:
                sys.exit(f"demo: port {self.args.port} is in use; "
                    "stop the other server or pass --port")
        print(f"demo: serving {self.url}  (Ctrl-C stops)", flush=True)
        # As production serves it: gunicorn, trytond-cron and (PostgreSQL)
        # the queue worker, under python -O
        os.execve(sys.executable, [
                sys.executable, str(ROOT / 'scripts' / 'serve.py'),
                '-c', str(self.config_file), '-d', self.name], self.env)


class DemoData:
    "The story, loaded in-process with proteus as the users who live it"

    def __init__(self, database, config_file):
        self.database = database
        self.config_file = str(config_file)
        self.configs = {}
        self.users_created = False
        self.ids = {}
        self.notes = []
        self.now = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)
        self.random = random.Random(2026)

    def load(self):
        from tqdm import tqdm
        steps = [
            ("公司与币种", 2, self.create_company),
            ("员工与用户", len(STAFF) + len(USERS), self.create_people),
            ("模块配置向导", 1, self.close_config_wizard),
            ("小区、楼栋与房屋", sum(
                    len(h) for u in BUILDINGS.values()
                    for h in u.values()) + 1, self.create_estate),
            ("维修类别与时限", len(CATEGORIES) + 1, self.configure_repair),
            ("接待登记", len(RECEPTIONS), self.create_receptions),
            ("维修工作单", len(TICKETS), self.create_tickets),
            ("班组、值班、抢单池与客户设备", 4, self.create_dispatch),
            ("投诉单", 2, self.create_complaints),
            ]
        interactive = sys.stdout.isatty()
        with tqdm(total=sum(n for _, n, _ in steps), unit="条",
                desc="演示数据", ncols=80, file=sys.stdout,
                disable=not interactive) as bar:
            self.bar = bar
            for label, planned, step in steps:
                bar.set_postfix_str(label)
                if not interactive:
                    print(f"demo: loading {label}", flush=True)
                before = bar.n
                step()
                if (skipped := planned - (bar.n - before)) > 0:
                    bar.update(skipped)
        for note in dict.fromkeys(self.notes):
            print("demo: NOTE " + note)

    def tick(self, n=1):
        self.bar.update(n)

    # Access to the database as a given user ------------------------------
    def config(self, login='admin'):
        from proteus import config
        if login not in self.configs:
            # Every new proteus config rebuilds the pool's classes, and the
            # models fetched through an older config keep the old ones
            # (records of two generations then refuse each other), so all
            # the users' configs are made before any model is fetched
            logins = [login]
            if self.users_created:
                logins += [u for u, *_ in USERS if u not in self.configs]
            for name in dict.fromkeys(logins):
                self.configs[name] = config.set_trytond(
                    self.database, user=name, config_file=self.config_file)
        return self.configs[login]

    def forget(self, login):
        self.configs.pop(login, None)

    def model(self, name, login='admin'):
        from proteus import Model
        return Model.get(name, config=self.config(login))

    def has_model(self, name):
        try:
            self.config().pool.get(name)
        except KeyError:
            return False
        return True

    def xml_id(self, module, fs_id):
        ModelData = self.model('ir.model.data')
        try:
            return ModelData.get_id(module, fs_id, self.config().context)
        except Exception:
            return None

    def module_activated(self, name):
        Module = self.model('ir.module')
        return bool(Module.find(
                [('name', '=', name), ('state', '=', 'activated')]))

    @staticmethod
    def assign(record, **values):
        "Set the values of the fields the model has (modules still evolve)"
        for name, value in values.items():
            if name in record._fields and value is not None:
                setattr(record, name, value)

    # Company, staff and users --------------------------------------------
    def create_company(self):
        from proteus import Wizard
        Currency = self.model('currency.currency')
        cny, = Currency.find([('code', '=', 'CNY')]) or [None]
        if not cny:
            cny = Currency(name="人民币", code='CNY', symbol="¥",
                rounding=Decimal('0.01'), digits=2)
            cny.save()
        self.tick()
        party = self.party(COMPANY, '0512-66881234',
            street="翠湖路88号 翠湖花园物业服务中心")
        wizard = Wizard('company.company.config', config=self.config())
        wizard.execute('company')
        wizard.form.party = party
        wizard.form.currency = cny
        wizard.form.timezone = 'Asia/Shanghai'
        wizard.execute('add')
        Company = self.model('company.company')
        company, = Company.find([('party.name', '=', COMPANY)])
        self.ids['company'] = company.id
        self.tick()

    def party(self, name, phone=None, street=None, login='admin'):
        Party = self.model('party.party', login)
        party = Party(name=name)
        if phone:
            kind = 'mobile' if phone.startswith('1') else 'phone'
            party.contact_mechanisms.new(type=kind, value=phone)
        address = (party.addresses[0] if party.addresses
            else party.addresses.new())
        address.city = CITY
        if street:
            address.street_unstructured = street
        party.save()
        return party

    def create_people(self):
        Employee = self.model('company.employee')
        employees = {}
        for key, name, department, phone in STAFF:
            party = self.party(f"{name}（{department}）", phone)
            employee = Employee(party=party, company=self.ids['company'],
                start_date=dt.date(2020, 3, 1))
            employee.save()
            employees[key] = employee
            self.tick()
        for key in ['technician', 'technician2', 'technician3',
                'technician4']:
            employees[key].supervisor = employees['dispatcher']
            employees[key].save()
        for key in ['reception', 'reception2', 'dispatcher']:
            employees[key].supervisor = employees['manager']
            employees[key].save()
        self.ids['employees'] = {k: e.id for k, e in employees.items()}

        User = self.model('res.user')
        Group = self.model('res.group')
        Lang = self.model('ir.lang')
        zh_cn, = Lang.find([('code', '=', 'zh_CN')])
        names = {k: n for k, n, *_ in STAFF}
        for login, staff_key, role, groups in USERS:
            users = User.find([('login', '=', login)])
            user = users[0] if users else User(login=login)
            if login != 'admin':  # admin's name comes from res's XML
                user.password = PASSWORD
                user.name = names[staff_key]
                user.email = f'{login}@cuihu-wuye.example.com'
            user.language = zh_cn
            employee = employees[staff_key]
            if employee not in user.employees:
                user.employees.append(Employee(employee.id))
            user.employee = Employee(employee.id)
            company = self.model('company.company')(self.ids['company'])
            if company not in user.companies:
                user.companies.append(company)
            user.company = company
            have = {g.id for g in user.groups}
            for module, fs_id in groups:
                group_id = self.xml_id(module, fs_id)
                if group_id is None:
                    if self.module_activated(module):
                        self.notes.append(
                            f"group {module}.{fs_id} not found")
                    continue
                if group_id not in have:
                    user.groups.append(Group(group_id))
                    have.add(group_id)
            user.save()
            self.tick()
        # reload the contexts: company, employee and language changed
        self.configs.clear()
        self.users_created = True

    def close_config_wizard(self):
        Item = self.model('ir.module.config_wizard.item')
        items = Item.find([('state', '!=', 'done')])
        for item in items:
            item.state = 'done'
        Item.save(items)
        self.tick()

    # Estate ----------------------------------------------------------------
    def create_estate(self):
        self.ids['houses'] = []
        if not self.has_model('svc.property.estate'):
            self.notes.append("svc_property not available: no houses")
            self.ids['owners'] = [
                self.party(name, self.mobile()).id for name in OWNERS]
            return
        Estate = self.model('svc.property.estate')
        estate = Estate(name=ESTATE)
        self.assign(estate, code='CHHY', address=ESTATE_ADDRESS,
            company=self.model('company.company')(self.ids['company']))
        for building_name, units in BUILDINGS.items():
            building = estate.buildings.new(name=building_name)
            for unit_name in units:
                building.units.new(name=unit_name)
        estate.save()
        self.tick()
        House = self.model('svc.property.house')
        owners = iter(OWNERS)
        family = iter(FAMILY)
        tenants = iter(TENANTS)
        self.ids['owners'] = []
        for building in estate.buildings:
            for unit in building.units:
                for number in BUILDINGS[building.name][unit.name]:
                    street = f"{ESTATE}{building.name}{unit.name}{number}室"
                    owner = self.party(next(owners), self.mobile(), street)
                    self.ids['owners'].append(owner.id)
                    house = House(unit=unit, number=number)
                    vacant = (building.name, unit.name, number) in VACANT
                    self.assign(house, owner=owner,
                        floor=int(number[:-2]),
                        area=Decimal(self.random.choice(
                                ['68.50', '89.20', '96.00', '118.60',
                                    '132.40', '143.80'])),
                        status='vacant' if vacant else 'occupied')
                    if not vacant and 'residents' in house._fields:
                        house.residents.new(party=owner, relation='owner',
                            phone=owner.contact_mechanisms[0].value)
                        if len(self.ids['owners']) % 3 == 1:
                            member = self.party(next(family), self.mobile(),
                                street)
                            house.residents.new(party=member,
                                relation='family',
                                phone=member.contact_mechanisms[0].value)
                        if len(self.ids['owners']) % 7 == 3:
                            tenant = self.party(next(tenants),
                                self.mobile(), street)
                            house.residents.new(party=tenant,
                                relation='tenant',
                                phone=tenant.contact_mechanisms[0].value)
                    house.save()
                    self.ids['houses'].append(house.id)
                    self.tick()

    def mobile(self):
        return '138' + ''.join(
            self.random.choice('0123456789') for _ in range(8))

    # Repair ----------------------------------------------------------------
    def configure_repair(self):
        if not self.has_model('svc.repair.category'):
            self.notes.append("svc_repair not available: no tickets")
            return
        Category = self.model('svc.repair.category')
        self.ids['categories'] = {}
        for code, name in CATEGORIES:
            categories = Category.find([('name', '=', name)])
            category = categories[0] if categories else Category(name=name)
            self.assign(category, code=code)
            category.save()
            self.ids['categories'][code] = category.id
            self.tick()
        # The deadlines per urgency (1 h / 24 h / 7 days to respond) ship
        # with svc_repair; the demo adds the coming public holiday to its
        # standard working-time calendar.
        if self.has_model('svc.repair.calendar'):
            Calendar = self.model('svc.repair.calendar')
            ModelData = self.model('ir.model.data')
            calendar = Calendar(ModelData.get_id(
                    'svc_repair', 'calendar_standard', {}))
            if not any(e.date == NEW_YEAR for e in calendar.exceptions):
                calendar.exceptions.new(
                    date=NEW_YEAR, kind='holiday', name="元旦")
                calendar.save()
        self.tick()

    def clicker(self, model, button, technician=None):
        "The first preferred user whose groups allow the button"
        preferred = [technician if login == '<technician>' else login
            for login in CLICKERS[button]
            if technician or login != '<technician>']
        Button = self.model('ir.model.button')
        buttons = Button.find([('model', '=', model), ('name', '=', button)])
        groups = {g.id for b in buttons for g in b.groups}
        if not groups:
            return preferred[0]
        User = self.model('res.user')
        for login in preferred:
            user, = User.find([('login', '=', login)])
            if groups & {g.id for g in user.groups}:
                return login
        self.notes.append(
            f"no demo user may click {model}.{button}; admin did")
        return 'admin'

    def click(self, model, record_id, button, by_technician=None,
            **values):
        "Set values and click a button as the user of that step"
        login = self.clicker(model, button, by_technician)
        record = self.model(model, login)(record_id)
        self.assign(record, **values)
        try:
            record.click(button)
        except Exception as exception:
            if login == 'admin':
                raise
            self.notes.append(f"{login} could not {button} {model} "
                f"{record_id} ({exception}); admin did")
            record = self.model(model, 'admin')(record_id)
            self.assign(record, **values)
            record.click(button)
        return login

    def reporter(self, house_index):
        if house_index is None:
            return None, self.ids['employees']['reception2']
        houses = self.ids['houses']
        if houses:
            House = self.model('svc.property.house')
            house = House(houses[house_index % len(houses)])
            return house, house.owner.id if house.owner else None
        owners = self.ids['owners']
        return None, owners[house_index % len(owners)]

    def new_ticket(self, house_index, values, login='reception'):
        Ticket = self.model('svc.repair.ticket', login)
        ticket = Ticket()
        house, reporter = self.reporter(house_index)
        if house is not None and 'house' in ticket._fields:
            ticket.house = self.model('svc.property.house', login)(house.id)
        if house_index is None:
            Employee = self.model('company.employee', login)
            reporter = Employee(reporter).party.id
            values.setdefault('address', "翠湖花园物业服务中心 客服前台")
        if not ticket.reporter or ticket.reporter.id != reporter:
            ticket.reporter = self.model('party.party', login)(reporter)
        if 'contact_phone' in ticket._fields and not ticket.contact_phone:
            mechanisms = ticket.reporter.contact_mechanisms
            ticket.contact_phone = mechanisms[0].value if mechanisms else ''
        self.assign(ticket, **values)
        ticket.save()
        return ticket.id

    def ticket_values(self, category, grade, urgency, hours, description):
        return {
            'category': self.model('svc.repair.category', 'reception')(
                self.ids['categories'][category]),
            'grade': grade,
            'urgency': urgency,
            'reported_at': self.now - dt.timedelta(hours=hours),
            'description': description,
            }

    def step_values(self, button, login, technician, assistants):
        Employee = self.model('company.employee', login)
        employees = self.ids['employees']
        values = {
            'dispatch': {
                'technician': technician and Employee(employees[technician]),
                },
            'finish': {
                'diagnosis': "现场检查确认故障原因。",
                'work_report': "已维修并测试正常，现场清理完毕。",
                },
            'accept': {
                'acceptance_result': 'satisfied',
                'acceptance_remark': "业主现场确认，功能正常。",
                },
            'wait': {
                'waiting_reason': 'parts',
                'waiting_remark': "配件需向厂家订购，约两天到货。",
                },
            'rework': {
                'acceptance_result': 'unsatisfied',
                'acceptance_remark': "业主反映仍有渗水，要求返工。",
                },
            'close': {
                'revisit_satisfaction': self.random.choice(
                    ['very_satisfied', 'satisfied']),
                'revisit_remark': "电话回访，业主对维修结果满意。",
                },
            }.get(button, {})
        return values

    def drive(self, ticket_id, buttons, technician, assistants):
        Model = 'svc.repair.ticket'
        for button in buttons:
            login = self.clicker(Model, button, technician)
            values = self.step_values(button, login, technician, assistants)
            if button == 'dispatch' and assistants:
                record = self.model(Model, login)(ticket_id)
                if 'assistants' in record._fields:
                    Employee = self.model('company.employee', login)
                    for key in assistants:
                        record.assistants.append(
                            Employee(self.ids['employees'][key]))
                    record.save()
            self.click(Model, ticket_id, button, by_technician=technician,
                **values)

    def create_tickets(self):
        if not self.has_model('svc.repair.ticket'):
            return
        for (house_index, category, grade, urgency, hours, technician,
                assistants, buttons, description) in TICKETS:
            values = self.ticket_values(
                category, grade, urgency, hours, description)
            ticket_id = self.new_ticket(house_index, values)
            self.drive(ticket_id, buttons, technician, assistants)
            self.tick()
        Ticket = self.model('svc.repair.ticket')
        states = {t.state for t in Ticket.find([])}
        for state, label in Ticket._fields['state']['selection']:
            if state not in states:
                self.notes.append(f"no demo ticket is {state} ({label})")

    # Dispatch and equipment -----------------------------------------------
    def create_dispatch(self):
        if not self.has_model('svc.repair.team'):
            self.notes.append("no dispatch models: no teams or pool")
            return
        Employee = self.model('company.employee')
        Category = self.model('svc.repair.category')
        employees = self.ids['employees']
        categories = self.ids['categories']
        for key, codes in SKILLS.items():
            employee = Employee(employees[key])
            for code in codes:
                category = Category(categories[code])
                if category not in employee.repair_skills:
                    employee.repair_skills.append(category)
            employee.save()
        Team = self.model('svc.repair.team')
        team = Team(name="水电班组", company=self.ids['company'],
            leader=Employee(employees['technician']))
        team.members.extend([Employee(employees['technician']),
                Employee(employees['technician2'])])
        team.skills.append(Category(categories['SD']))
        team.save()
        self.tick()

        # Day shift 08:30-17:30 in Asia/Shanghai, stored in UTC
        Duty = self.model('svc.repair.duty', 'dispatcher')
        today = (self.now + dt.timedelta(hours=8)).date()
        start = dt.datetime.combine(today, dt.time(0, 30))
        for key in ['technician', 'technician2', 'technician3']:
            Duty(employee=self.model('company.employee', 'dispatcher')(
                    employees[key]), shift='day', start=start,
                end=start + dt.timedelta(hours=9)).save()
        self.tick()

        # A request waiting in the pool for a plumber to grab it
        ticket_id = self.new_ticket(3, self.ticket_values(
                'SD', 'B', 'general', 1, "卫生间地漏返臭，需上门检查存水弯"))
        self.click('svc.repair.ticket', ticket_id, 'publish')
        self.tick()

        Template = self.model('product.template')
        Uom = self.model('product.uom')
        Equipment = self.model('svc.repair.equipment')
        template = Template(name="燃气热水器 JSQ25-13", type='goods',
            default_uom=Uom(self.xml_id('product', 'uom_unit')),
            list_price=Decimal('2680'))
        template.save()
        for serial, house_index, purchased in EQUIPMENT:
            _, customer = self.reporter(house_index)
            Equipment(product=template.products[0], serial_number=serial,
                customer=customer, purchase_date=purchased,
                warranty_months=24).save()
        self.tick()

    def create_complaints(self):
        if not self.has_model('svc.complaint'):
            self.notes.append("svc.complaint not available: no complaints")
            return
        Employee = self.model('company.employee')
        employees = self.ids['employees']
        Department = self.model('svc.complaint.department')
        department = Department(name="工程部", company=self.ids['company'],
            manager=Employee(employees['dispatcher']))
        department.members.extend(Employee(employees[k])
            for k in ['technician', 'technician2'])
        department.save()
        SLA = self.model('svc.complaint.sla')
        for severity, response, handling in COMPLAINT_DEADLINES:
            SLA(company=self.ids['company'], severity=severity,
                response_delay=dt.timedelta(hours=response),
                handling_delay=dt.timedelta(hours=handling),
                clock='always').save()
        self.tick()
        Reception = self.model('svc.reception', 'reception')
        for reception in Reception.find([
                    ('kind', '=', 'complaint'), ('state', '=', 'open')]):
            self.click('svc.reception', reception.id, 'create_complaint')
        self.tick()

    # Receptions -----------------------------------------------------------
    def create_receptions(self):
        if not self.has_model('svc.reception'):
            self.notes.append("svc_customer_service not available")
            return
        Reception = self.model('svc.reception', 'reception')
        Party = self.model('party.party', 'reception')
        House = self.model('svc.property.house', 'reception')
        for (hours, channel, kind, house_index, content, outcome,
                category) in RECEPTIONS:
            reception = Reception()
            house, caller = self.reporter(house_index)
            if house is not None and 'house' in reception._fields:
                reception.house = House(house.id)
            if not reception.caller or reception.caller.id != caller:
                reception.caller = Party(caller)
            mechanisms = reception.caller.contact_mechanisms
            self.assign(reception, channel=channel, kind=kind,
                content=content,
                contact_phone=mechanisms[0].value if mechanisms else None,
                received_at=self.now - dt.timedelta(hours=hours))
            reception.save()
            if isinstance(outcome, list):
                self.click('svc.reception', reception.id, 'create_ticket')
                self.prepare_reception_ticket(reception.id, category,
                    outcome)
            elif outcome == 'close':
                self.click('svc.reception', reception.id, 'close',
                    reply=REPLIES.get(kind))
            elif outcome == 'cancel':
                self.click('svc.reception', reception.id, 'cancel')
            self.tick()

    def prepare_reception_ticket(self, reception_id, category, buttons):
        "The dispatcher grades the ticket made from a reception"
        reception = self.model('svc.reception', 'admin')(reception_id)
        if not getattr(reception, 'ticket', None):
            self.notes.append(f"reception {reception_id} made no ticket")
            return
        ticket = self.model('svc.repair.ticket', 'dispatcher')(
            reception.ticket.id)
        self.assign(ticket, grade='B', urgency='general',
            category=self.model('svc.repair.category', 'dispatcher')(
                self.ids['categories'][category]))
        ticket.save()
        self.drive(ticket.id, buttons, 'technician', [])


if __name__ == '__main__':
    try:
        main()
    except subprocess.CalledProcessError as error:
        sys.exit(f"demo: {' '.join(error.cmd[:1])} failed "
            f"(exit {error.returncode})")
    except KeyboardInterrupt:
        sys.exit(130)
