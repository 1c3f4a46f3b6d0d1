"""Helpers of the tests that serve the demo: JSON-RPC clients, ports and
the launcher scripts/serve.py."""
import base64
import importlib.util
import json
import socket
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ADMIN_PASSWORD = 'admin-2026'
DEMO_PASSWORD = 'demo-2026'


def load_script(name):
    "Import scripts/<name>.py (scripts/ is not a package)"
    spec = importlib.util.spec_from_file_location(
        name, ROOT / 'scripts' / f'{name}.py')
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


serve = load_script('serve')


def free_port():
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


def drop_postgresql(uri, name):
    import psycopg
    with psycopg.connect(uri, dbname='postgres', autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


class RPCError(Exception):
    "An error answered by the server: ['UserError', [message, ...]]"

    def __init__(self, error):
        super().__init__(error)
        self.error = error

    @property
    def message(self):
        "The text a user is shown"
        args = self.error[1] if len(self.error) > 1 else None
        return args[0] if isinstance(args, list) and args else str(args)


class Client:
    "A JSON-RPC session of one user on one served database"

    def __init__(self, base_url, database, login='admin', password=None):
        self.url = f'{base_url}/{database}/rpc/'
        if password is None:
            password = ADMIN_PASSWORD if login == 'admin' else DEMO_PASSWORD
        user_id, session, _ = self.post(
            None, 'common.db.login', login, {'password': password}, 'zh_CN')
        self.user_id = user_id
        self.auth = 'Session ' + base64.b64encode(
            f'{login}:{user_id}:{session}'.encode()).decode()
        self.context = self.post(
            self.auth, 'model.res.user.get_preferences', True, {})

    def post(self, auth, method, *params, timeout=60):
        request = urllib.request.Request(
            self.url,
            data=json.dumps(
                {'id': 1, 'method': method, 'params': params}).encode(),
            headers={'Content-Type': 'application/json',
                **({'Authorization': auth} if auth else {})})
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                answer = json.loads(response.read())
        except urllib.error.HTTPError as error:
            # trytond answers errors with an HTTP status, most with JSON
            body = error.read()
            try:
                answer = json.loads(body)
            except ValueError:
                answer = {'error': [error.code, [body.decode()[:500]]]}
        if answer.get('error'):
            raise RPCError(answer['error'])
        return answer['result']

    def __call__(self, method, *params, **options):
        "Call model.<method> with the user's context"
        return self.post(
            self.auth, f'model.{method}', *params, self.context, **options)

    def ids(self, model, domain=None):
        return self(f'{model}.search', domain or [], 0, None, [['id', 'ASC']])


class DemoDatabase:
    def __init__(self, uri, database, data_dir):
        self.uri = uri
        self.backend = urllib.parse.urlparse(uri).scheme
        self.database = database
        self.data_dir = data_dir
        self.config_file = data_dir / 'trytond.conf'
