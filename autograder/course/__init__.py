"""Staff tools: the student release, the notebooks run headless, the demo."""
