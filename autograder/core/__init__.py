"""What is graded and how a function is called: the spec, the cases, finite differences and tolerances.

numpy and the standard library only: this layer runs in the grader and in the sandboxed child, and
``numeric.py`` is what the students' public tests use (released as ``gradcheck.py``).
"""
