"""The backprop kit's grader: finite differences and a reference oracle, student code in a child."""

from pathlib import Path

KIT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_REFERENCE = KIT_ROOT / "solutions" / "backprop"
DEFAULT_RELEASE = KIT_ROOT / "assignment" / "backprop"
EXAMPLES = KIT_ROOT / "examples"  # whole example submissions the demo grades, one folder each
