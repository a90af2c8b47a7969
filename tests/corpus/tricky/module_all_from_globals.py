"""The reference plus a module-level __all__ built from the names in globals(): reading globals()
only to list names fetches no code."""

TARGET = "layers"

import numpy as np


__all__ = [name for name in globals() if name.endswith(("_forward", "_backward", "_loss"))]
