"""CMRC 2018 dev (Chinese span extraction), scored with the official CMRC 2018 EM/F1."""
from benchmarks.tasks.qa_task import QATask

TASK = QATask(
    name="cmrc2018-dev", kind="qa", dataset="cmrc2018", language="zh", split="dev",
    metrics=("EM", "F1", "AVERAGE"), main_score="F1", file="cmrc2018_dev.json", metric="cmrc",
    rule_train="cmrc2018:cmrc2018_trial.json",
    description="CMRC 2018 dev, 3,219 questions; official CMRC EM/F1 (character-level, punctuation removed).",
    conventions={"gold": "all 3 reference texts per question, offsets ignored (193 have answer_start -1)"},
)
