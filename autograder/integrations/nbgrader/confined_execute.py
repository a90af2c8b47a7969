"""nbgrader's ``Execute``, with every kernel confined: how the kit's autograde runs a notebook.

Three things change, and nothing else about how nbgrader runs a notebook:

- the kernel manager is ``kernels.ConfinedKernelManager``, fixed here rather than configurable
  (nbgrader's ``Execute`` passes its own class to nbclient, over any configuration), so a course
  cannot end up running students' notebooks in ordinary kernels by a slip in a config file;
- what a cell prints is capped (``printed_bytes`` per cell, ``notebook_bytes`` per notebook): past the
  cap, outputs are dropped as they arrive, so a cell that prints gigabytes costs the grader nothing;
  display updates are not kept at all (one could rewrite every output that shares its id);
- a kernel that dies (``os._exit``, a signal, a limit), that an interrupt cannot stop (a loop that
  ignores SIGINT) or that sends a message nbclient cannot read costs the cell it was running, which
  gets an error output saying so, and the cells after it run in a fresh kernel. Ordinary nbgrader
  stops the whole student there, and their trusted layer scores with it;
- a notebook's cells share ``notebook_seconds`` (each cell still has nbgrader's ``timeout``): once it is
  spent, the running cell is stopped and the cells after it are not run, each with an error output
  saying so. A notebook of cells that each sleep just under the timeout would otherwise hold up every
  student graded after it, for as long as its cells last.
"""

from __future__ import annotations

import time
from typing import Any

from jupyter_core.utils import run_sync
from nbclient.exceptions import CellTimeoutError, DeadKernelError
from nbformat import NotebookNode
from nbformat.v4 import new_output
from nbgrader.preprocessors import Execute
from traitlets import Integer

from autograder.sandbox.kernels import ConfinedKernelManager, refuse_unless_confinable

DROPPED = "[the grader dropped some of this cell's output: a cell may print {cell} MB, a notebook {notebook} MB]\n"


def _size(value: Any) -> int:
    """Roughly how many bytes a message's content carries: every string in it, keys included."""
    if isinstance(value, str | bytes):
        return len(value)
    if isinstance(value, dict):
        return sum(_size(key) + _size(item) for key, item in value.items())
    if isinstance(value, list | tuple):
        return sum(_size(item) for item in value) + len(value)
    return 8


class ConfinedExecute(Execute):
    """Execute a student's notebook in confined kernels, with capped output, surviving a dead kernel."""

    printed_bytes = Integer(1 << 20, help="Output one cell may produce; the rest is dropped.").tag(config=True)
    notebook_bytes = Integer(16 << 20, help="Output one notebook may produce; the rest is dropped.").tag(config=True)
    notebook_seconds = Integer(300, help="Seconds all of one notebook's cells may run in; the rest are not run."
                               ).tag(config=True)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs["kernel_manager_class"] = ConfinedKernelManager
        # The cage is thrown away with the kernel: nothing is saved by a graceful shutdown, which a
        # kernel that runs as its namespace's first process can make wait for seconds (SIGTERM there
        # is ignored unless handled).
        kwargs["shutdown_kernel"] = "immediate"
        super().__init__(*args, **kwargs)
        self._printed: dict[int, int] = {}  # bytes of output kept, per cell
        self._dropped: set[int] = set()  # cells that lost output to a cap
        self._deadline = 0.0  # when the notebook's cells have used up notebook_seconds (time.monotonic)

    def preprocess(self, nb: NotebookNode, resources: Any = None, km: Any = None) -> tuple[NotebookNode, Any]:
        refuse_unless_confinable()
        self._printed, self._dropped = {}, set()
        self._deadline = time.monotonic() + self.notebook_seconds
        return super().preprocess(nb, resources, km)

    def _get_timeout(self, cell: NotebookNode | None) -> int | None:
        """nbgrader's timeout for the cell, or the notebook's time left if that is shorter."""
        timeout = super()._get_timeout(cell)
        left = max(1, int(self._deadline - time.monotonic()) + 1)
        return left if timeout is None else min(timeout, left)

    def output(self, outs: list[NotebookNode], msg: dict[str, Any], display_id: str | None,
               cell_index: int) -> NotebookNode | None:
        size = _size(msg.get("content", {})) + _size(msg.get("metadata", {}))
        kept = self._printed.get(cell_index, 0)
        if kept + size > self.printed_bytes or sum(self._printed.values()) + size > self.notebook_bytes:
            if cell_index not in self._dropped:
                self._dropped.add(cell_index)
                note = DROPPED.format(cell=self.printed_bytes >> 20, notebook=self.notebook_bytes >> 20)
                outs.append(new_output("stream", name="stdout", text=note))
            return None
        self._printed[cell_index] = kept + size
        return super().output(outs, msg, display_id, cell_index)

    def _update_display_id(self, display_id: str, msg: dict[str, Any]) -> None:
        """Display updates are not kept: one update can rewrite every output sharing its id, past the cap."""

    def preprocess_cell(self, cell: NotebookNode, resources: Any, index: int) -> tuple[NotebookNode, Any]:
        if cell.cell_type == "code" and time.monotonic() >= self._deadline:
            cell.outputs = [self._error("NotebookTimeout", f"the notebook's cells ran for {self.notebook_seconds} s "
                                        "in all, so this cell was not run")]
            return cell, self.resources
        try:
            return super().preprocess_cell(cell, resources, index)
        except DeadKernelError:
            self._fail(cell, "KernelDied", "the notebook's kernel stopped while this cell ran (it ended, was killed "
                       "or ran into a limit)")
        except CellTimeoutError:
            if time.monotonic() >= self._deadline:
                self._fail(cell, "NotebookTimeout", f"the notebook's cells ran for {self.notebook_seconds} s in all, "
                           "so this cell was stopped")
            else:
                self._fail(cell, "CellTimeoutError", f"this cell ran for more than {self.timeout} s and did not stop "
                           "when interrupted")
        except Exception as error:  # a message nbclient could not read: what the kernel sends is student code
            self.log.warning("Cell %d: the kernel sent what could not be read (%s); restarting it", index, error)
            self._fail(cell, "KernelMessageError", "the notebook's kernel sent a message the grader could not read")
        self._restart()
        return cell, self.resources

    @staticmethod
    def _fail(cell: NotebookNode, name: str, why: str) -> None:
        cell.outputs.append(new_output("error", ename=name, evalue=why,
                                       traceback=[f"{name}: {why}. The cells after it ran in a fresh kernel."]))

    @staticmethod
    def _error(name: str, why: str) -> NotebookNode:
        return new_output("error", ename=name, evalue=why, traceback=[f"{name}: {why}."])

    def _restart(self) -> None:
        """A fresh kernel in the same cage, and the client talking to it."""
        assert self.km is not None and self.kc is not None
        run_sync(self.km.restart_kernel)(now=True)
        run_sync(self.kc.wait_for_ready)(timeout=self.startup_timeout)
