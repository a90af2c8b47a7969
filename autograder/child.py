"""Entry point of the process that runs a submission's code: ``python -m autograder.child SCRATCH``.

It reads ``SCRATCH/request.npz`` ({"module_path", "module", "functions", "requests"}), imports the
student's module from its file, and for each function in order writes ``SCRATCH/reply-<name>.npz``
as soon as that function is done, so a crash or a hang later costs only the function it hit.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import numpy as np  # imported before the submission's folder is on sys.path: a numpy.py there can't shadow it

from autograder import wire
from autograder.execute import describe_exception, run_function
from autograder.spec import BY_NAME


def _import_student(path: Path, name: str):
    if not path.is_file():
        raise FileNotFoundError(f"{path.name} is missing from the submission")
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # lets rnn_layers.py do `from layers import ...` like in a notebook
    spec.loader.exec_module(module)
    return module


def _import_error_message(path: Path, error: BaseException) -> str:
    if isinstance(error, SyntaxError):
        return f"{path.name} could not be imported: syntax error on line {error.lineno}: {error.msg}"
    if isinstance(error, FileNotFoundError):
        return str(error)
    return f"{path.name} could not be imported: {describe_exception(error)}"


def main(scratch: Path) -> None:
    request = wire.read(scratch / "request.npz")
    path = Path(request["module_path"])
    sys.path.append(str(path.parent))
    try:
        module = _import_student(path, request["module"])
        import_error = ""
    except (Exception, SystemExit, KeyboardInterrupt) as error:
        module, import_error = None, _import_error_message(path, error)
    for name in request["functions"]:
        if import_error:
            replies = [{"error": import_error, "not_implemented": False, "import_failed": True}
                       for _ in request["requests"][name]]
        else:
            replies = run_function(module, BY_NAME[name], request["requests"][name])
        wire.write(scratch / f"reply-{name}.npz", {"cases": replies})


if __name__ == "__main__":
    np.seterr(all="ignore")
    main(Path(sys.argv[1]))
