"""XQuAD English and Chinese (SQuAD v1.1 dev subset, parallel): 1,190 questions each.

English uses the SQuAD v1.1 definitions. Chinese uses CMRC 2018's character-level EM/F1, since
whitespace-token F1 is meaningless on unsegmented Chinese.
"""
from benchmarks.tasks.qa_task import QATask, official_mode

TASK_EN = QATask(
    name="xquad-en", kind="qa", dataset="xquad", language="en", split="test", modes=(official_mode(("EM", "F1")),),
    file="xquad.en.json", metric="squad", rule_train="crossfit",
    description="XQuAD English (SQuAD v1.1 dev subset), SQuAD v1.1 EM/F1.",
)
TASK_ZH = QATask(
    name="xquad-zh", kind="qa", dataset="xquad", language="zh", split="test",
    modes=(official_mode(("EM", "F1", "AVERAGE")),), file="xquad.zh.json", metric="cmrc", rule_train="cmrc2018:cmrc2018_trial.json",
    description="XQuAD Chinese (professional translation), CMRC 2018 character-level EM/F1.",
    conventions={"metric_choice": "CMRC 2018 EM/F1 for Chinese instead of whitespace-token SQuAD F1"},
)
