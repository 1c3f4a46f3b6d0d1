# This file is part of the svc_repair Tryton module, licensed under the
# GNU General Public License version 3 or later (see pyproject.toml).
import unittest

from trytond.modules.svc_repair.dispatch import Candidate, rank_candidates

PLUMBING, ELECTRICAL = 1, 2


def candidate(id, skills=(PLUMBING,), load=0, on_duty=False, busy=False):
    return Candidate(id, set(skills), load, on_duty, busy)


def ids(candidates):
    return [c.id for c in candidates]


class RankCandidatesTestCase(unittest.TestCase):
    "The technician suggested to the dispatcher"

    def test_skill_required(self):
        "Only technicians with the skill of the category are suggested"
        ranked = rank_candidates([
                candidate(1, skills=[ELECTRICAL]),
                candidate(2, skills=[PLUMBING, ELECTRICAL]),
                ], PLUMBING)
        self.assertEqual(ids(ranked), [2])

    def test_no_category(self):
        "Without a category every technician may take the job"
        ranked = rank_candidates([
                candidate(1, skills=[ELECTRICAL], load=1),
                candidate(2, skills=[], load=0),
                ])
        self.assertEqual(ids(ranked), [2, 1])

    def test_on_duty_first(self):
        "A technician on duty comes before a lighter loaded one off duty"
        ranked = rank_candidates([
                candidate(1, load=0),
                candidate(2, load=3, on_duty=True),
                ], PLUMBING)
        self.assertEqual(ids(ranked), [2, 1])

    def test_on_duty_overloaded(self):
        "Past ten more open tickets, being on duty no longer wins"
        ranked = rank_candidates([
                candidate(1, load=0),
                candidate(2, load=11, on_duty=True),
                ], PLUMBING)
        self.assertEqual(ids(ranked), [1, 2])

    def test_lighter_load_first(self):
        "Between technicians on duty, the one with fewer open tickets wins"
        ranked = rank_candidates([
                candidate(1, load=2, on_duty=True),
                candidate(2, load=1, on_duty=True),
                candidate(3, load=1, on_duty=True),
                ], PLUMBING)
        self.assertEqual(ids(ranked), [2, 3, 1])

    def test_busy_excluded(self):
        "A technician with another job at the appointment is not suggested"
        ranked = rank_candidates([
                candidate(1, on_duty=True, busy=True),
                candidate(2, load=5),
                ], PLUMBING)
        self.assertEqual(ids(ranked), [2])

    def test_nobody(self):
        self.assertEqual(rank_candidates([], PLUMBING), [])
        self.assertEqual(
            rank_candidates([candidate(1, busy=True)], PLUMBING), [])
