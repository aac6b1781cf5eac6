"""`bench list`: tasks and retrievers. (Filled in by the foundation work.)"""
