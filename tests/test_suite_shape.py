"""The shape of the suite that keeps scripts/test within its time budget."""
import ast
import pathlib

import pytest

ADDONS = pathlib.Path(__file__).resolve().parent.parent / 'addons'
MODULES = sorted(p.parent.name for p in ADDONS.glob('*/tryton.cfg'))


def module_test_cases(module):
    "Return (file name, class name) of the module's ModuleTestCase classes"
    found = []
    for path in sorted((ADDONS / module / 'tests').glob('test_*.py')):
        tree = ast.parse(path.read_text(encoding='utf-8'))
        for node in ast.walk(tree):
            if isinstance(node, ast.ClassDef) and any(
                    getattr(base, 'id', getattr(base, 'attr', None))
                    == 'ModuleTestCase' for base in node.bases):
                found.append((path.name, node.name))
    return found


@pytest.mark.parametrize('module', MODULES)
def test_one_module_test_case(module):
    """Each module has one ModuleTestCase, in tests/test_module.py

    Its generic checks take minutes on a real module and run for every
    class; the module's other test classes derive from
    trytond.tests.test_tryton.TestCase (svc_repair's ZhCnTestCase)."""
    classes = module_test_cases(module)
    assert [f for f, _ in classes] == ['test_module.py'], classes
