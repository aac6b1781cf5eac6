"""UltraChat as a living pipeline: seed trees for the three sectors, a user-simulator/assistant dialogue
loop, filters (schema, refusals, dedup, near-dup, decontamination), statistics and exports.

Entry points: `builders.ultrachat.pipeline.build`, `.merge`; `builders.ultrachat.stats.compute_stats`;
`builders.ultrachat.formats.export_h4_folder`.
"""
