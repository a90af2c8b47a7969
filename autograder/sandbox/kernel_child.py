"""Entry point of a confined notebook kernel:
``python -s -m autograder.sandbox.kernel_child POLICY CONNECTION_FILE NOTEBOOK_FOLDER``.

The kernel manager (``kernels``) starts this inside the sandbox's wrapper (its own uid, no network,
its own PID and IPC namespaces). It shuts itself in with POLICY (JSON, see ``confine``: limits, then
Landlock) while nothing of the notebook has run and only this module is loaded, and only then
moves into NOTEBOOK_FOLDER and starts IPython's kernel on CONNECTION_FILE, whose ZeroMQ channel is
a set of UNIX sockets in the kernel's own folder. If any protection cannot be applied, no kernel
starts. It is started in an empty folder of the grader's making, which Python puts first on
``sys.path``: nothing in the notebook's folder can shadow this module or what it imports.
"""

from __future__ import annotations

import json
import os
import runpy
import sys

from autograder.sandbox.confine import shut_in


def main(policy: dict, connection_file: str, notebook_folder: str) -> None:
    # Off the path: the kit and the empty folder this started in. IPython puts the notebook's folder on
    # it, after the standard library, as in any kernel.
    shut_in(policy, keep_off_path=(os.getcwd(),))
    os.chdir(notebook_folder)
    # In its own PID namespace the kernel cannot see its manager, and would take it for dead.
    os.environ.pop("JPY_PARENT_PID", None)
    sys.argv = ["ipykernel_launcher", "-f", connection_file, "--HistoryManager.enabled=False"]
    runpy.run_module("ipykernel_launcher", run_name="__main__", alter_sys=True)


if __name__ == "__main__":
    main(json.loads(sys.argv[1]), sys.argv[2], sys.argv[3])
