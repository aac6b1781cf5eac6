"""`bench data fetch|verify|where`. (Filled in by the foundation work.)"""
