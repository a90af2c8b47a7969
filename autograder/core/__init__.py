"""What is graded and how a function is called: the spec, the cases, finite differences and tolerances.

numpy and the standard library only: this layer runs in the grader, in the sandboxed child, and (as
``gradcheck.py``) in the students' public tests.
"""
