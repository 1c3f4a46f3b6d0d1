"""Every module's zh_CN catalogue is complete and keeps its placeholders."""
import pathlib
import re

import polib
import pytest

ADDONS = pathlib.Path(__file__).resolve().parent.parent / 'addons'
CATALOGUES = sorted(ADDONS.glob('*/locale/zh_CN.po'))
PLACEHOLDER = re.compile(r'%\(\w+\)s')


def test_every_module_has_a_catalogue():
    modules = {p.parent.name for p in ADDONS.glob('*/tryton.cfg')}
    assert {p.parent.parent.name for p in CATALOGUES} == modules


@pytest.mark.parametrize(
    'path', CATALOGUES, ids=[p.parent.parent.name for p in CATALOGUES])
def test_catalogue_complete(path):
    problems = []
    for entry in polib.pofile(str(path)):
        if entry.obsolete:
            continue
        where = f"{entry.msgctxt} {entry.msgid!r}"
        if not entry.msgstr:
            problems.append(f"untranslated: {where}")
        elif 'fuzzy' in entry.flags:
            problems.append(f"fuzzy: {where}")
        elif (sorted(PLACEHOLDER.findall(entry.msgstr))
                != sorted(PLACEHOLDER.findall(entry.msgid))):
            problems.append(f"placeholders differ: {where}")
    assert not problems, '\n'.join(problems)
