"""Run Tryton scenario doctests (tests/scenario_*.rst) as pytest items."""
import doctest
import functools
import unittest

import pytest


def pytest_collect_file(parent, file_path):
    if (file_path.suffix == '.rst'
            and file_path.name.startswith('scenario')
            and file_path.parent.name == 'tests'):
        return ScenarioFile.from_parent(parent, path=file_path)


def pytest_collection_modifyitems(items):
    """Run the scenarios of a module after its other tests

    Its unit tests then cache the activated modules first, and the
    scenarios build their databases from that cache (see
    activate_modules) instead of activating the modules once more."""
    folders = {}
    for item in items:
        folders.setdefault(item.path.parent, len(folders))
    items.sort(key=lambda item: (
            folders[item.path.parent], isinstance(item, ScenarioItem)))


def activate_modules(activate, modules, *setup):
    """Activate as trytond.tests.tools.activate_modules does, but build a
    database missing from DB_CACHE from the unit tests' cache of the same
    modules

    A scenario activates its modules, then runs its setup functions
    (create_company, ...) and caches the result.  When the unit tests
    (test_tryton.activate_module) have cached the same modules, restoring
    that database and running the setup functions gives the same database
    in a few seconds instead of the minute or more of an activation."""
    from trytond.tests import test_tryton, tools
    if isinstance(modules, str):
        modules = [modules]
    if setup and test_tryton.DB_CACHE:
        name = '-'.join(sorted(modules)) + '--' + '|'.join(
            tools._func_name(f) for f in setup)
        if test_tryton.restore_db_cache(name):
            return tools._get_config()
        for base in dict.fromkeys(
                ['-'.join(modules), '-'.join(sorted(modules))]):
            if test_tryton.restore_db_cache(base):
                config = tools._get_config()
                for func in setup:
                    func(config=config)
                test_tryton.backup_db_cache(name)
                return config
    return activate(modules, *setup)


class ScenarioFile(pytest.File):
    def collect(self):
        yield ScenarioItem.from_parent(self, name=self.path.name)


class ScenarioItem(pytest.Item):
    def runtest(self):
        from trytond import backend
        from trytond.tests.test_tryton import (
            STRIP_DECIMAL, doctest_checker, doctest_setup, doctest_teardown)
        flags = (doctest.REPORT_ONLY_FIRST_FAILURE | doctest.ELLIPSIS
            | doctest.IGNORE_EXCEPTION_DETAIL)
        if backend.name == 'sqlite':
            flags |= STRIP_DECIMAL
        suite = doctest.DocFileSuite(
            str(self.path), module_relative=False,
            setUp=doctest_setup, tearDown=doctest_teardown,
            encoding='utf-8', checker=doctest_checker, optionflags=flags)
        result = unittest.TestResult()
        from trytond.tests import tools
        activate = tools.activate_modules
        tools.activate_modules = functools.partial(activate_modules, activate)
        try:
            suite.run(result)
        finally:
            tools.activate_modules = activate
        if problems := result.failures + result.errors:
            raise ScenarioFailure('\n'.join(t for _, t in problems))

    def repr_failure(self, excinfo):
        if isinstance(excinfo.value, ScenarioFailure):
            return str(excinfo.value)
        return super().repr_failure(excinfo)

    def reportinfo(self):
        return self.path, 0, f"scenario: {self.name}"


class ScenarioFailure(Exception):
    pass
