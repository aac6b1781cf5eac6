"""LLM-as-judge evaluation of chat models (issue 13): the machinery behind `bench run ultrachat-eval`.

questions (UltraChat ultra_eval.json or MT-Bench-style JSONL) -> answers (answers.py, any engines.llm
backend, multi-turn) -> judgments (judge.py: single 1-10, pairwise in both orders; prompts/*.txt) ->
a judgments bundle (bundle.py; the result's run file) -> metrics (stats.py). Every request goes through a
durable cache (cache.py, calls.py), so a killed run resumes and a re-run asks nothing twice;
`bundle.recheck` + `bundle.score_bundle` are what `bench verify` runs instead of calling a judge.
"""
