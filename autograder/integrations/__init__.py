"""Where grading meets the course's tools: grade-all, Dask, nbgrader, Gradescope, and the students' seeds."""
