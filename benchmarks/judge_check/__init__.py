"""Does the LLM judge agree with people? (issue 24): the statistics behind `bench judge-check`.

agreement.py: judge-human and human-human agreement on pairwise verdicts (MT-Bench's with/without ties),
Cohen's kappa, position consistency, first-position rate, length bias. ratings.py: Spearman and Kendall
tau-b of single 1-10 ratings with bootstrap CIs. bradley_terry.py: Bradley-Terry scores over battles with
bootstrap CIs, separability and agreement with a reference ranking (Arena-Hard). checkfile.py: the run
file a check result is re-scored from (judge replies + human verdicts), and its scoring.
"""
