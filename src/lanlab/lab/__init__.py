"""Labs with checks (`lanlab lab`): a teacher's exercise in YAML (model), a variant per student
(variants), the trace query language (query), the stages run through the simulator's Python API
(runner), each check judged (checks), a class graded in parallel (grade). A front end beside cli/:
it reads a run only through the simulator's public objects. Format: docs/labs.md."""

from lanlab.lab.checks import Result
from lanlab.lab.model import Check, Lab, LabError, Stage, load_lab
from lanlab.lab.runner import Submission, read_answers, run_lab

__all__ = ["Check", "Lab", "LabError", "Result", "Stage", "Submission", "load_lab", "read_answers", "run_lab"]
