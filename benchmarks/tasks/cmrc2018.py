"""CMRC 2018 dev (Chinese span extraction), scored with the official CMRC 2018 EM/F1."""
from benchmarks.tasks.qa_task import QATask, official_mode

TASK = QATask(
    name="cmrc2018-dev", kind="qa", dataset="cmrc2018", language="zh", split="dev",
    modes=(official_mode(("EM", "F1", "AVERAGE")),), file="cmrc2018_dev.json", metric="cmrc",
    rule_train="cmrc2018:cmrc2018_trial.json",
    description="CMRC 2018 dev, 3,219 questions; official CMRC EM/F1 (character-level, punctuation removed).",
    conventions={"gold": "all 3 reference texts per question, offsets ignored (193 have answer_start -1)"},
)
