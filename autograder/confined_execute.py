"""nbgrader's ``Execute``, with every kernel confined: the first preprocessor of the kit's autograde.

Three things change, and nothing else about how nbgrader runs a notebook:

- the kernel manager is ``kernels.ConfinedKernelManager``, fixed here rather than configurable
  (nbgrader's ``Execute`` passes its own class to nbclient, over any configuration), so a course
  cannot end up running students' notebooks in ordinary kernels by a slip in a config file;
- what a cell prints is capped (``printed_bytes`` per cell, ``notebook_bytes`` per notebook): past the
  cap, outputs are dropped as they arrive, so a cell that prints gigabytes costs the grader nothing;
- a kernel that dies (``os._exit``, a signal, a limit) or that an interrupt cannot stop (a loop that
  ignores SIGINT) costs the cell it was running, which gets an error output saying so, and the
  cells after it run in a fresh kernel. Ordinary nbgrader stops the whole student there, and their
  trusted layer scores with it.
"""

from __future__ import annotations

from typing import Any

from jupyter_core.utils import run_sync
from nbclient.exceptions import CellTimeoutError, DeadKernelError
from nbformat import NotebookNode
from nbformat.v4 import new_output
from nbgrader.preprocessors import Execute
from traitlets import Integer

from autograder.kernels import ConfinedKernelManager, refuse_unless_confinable

DROPPED = "[the grader dropped the rest of this cell's output: it printed more than {limit} MB]\n"


def _size(content: dict[str, Any]) -> int:
    """Roughly how many bytes an output message carries (its text and data)."""
    size = len(str(content.get("text", "")))
    for value in (content.get("data") or {}).values():
        size += len(str(value))
    size += sum(len(str(line)) for line in content.get("traceback") or [])
    return size + len(str(content.get("evalue", "")))


class ConfinedExecute(Execute):
    """Execute a student's notebook in confined kernels, with capped output, surviving a dead kernel."""

    printed_bytes = Integer(1 << 20, help="Output one cell may produce; the rest is dropped.").tag(config=True)
    notebook_bytes = Integer(16 << 20, help="Output one notebook may produce; the rest is dropped.").tag(config=True)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs["kernel_manager_class"] = ConfinedKernelManager
        super().__init__(*args, **kwargs)
        self._printed: dict[int, int] = {}

    def preprocess(self, nb: NotebookNode, resources: Any = None, km: Any = None) -> tuple[NotebookNode, Any]:
        refuse_unless_confinable()
        self._printed = {}
        return super().preprocess(nb, resources, km)

    def output(self, outs: list[NotebookNode], msg: dict[str, Any], display_id: str | None,
               cell_index: int) -> NotebookNode | None:
        size = _size(msg.get("content", {}))
        cell_total = self._printed.get(cell_index, 0) + size
        notebook_total = sum(self._printed.values()) + size
        already_over = self._printed.get(cell_index, 0) > self.printed_bytes
        self._printed[cell_index] = cell_total
        if cell_total > self.printed_bytes or notebook_total > self.notebook_bytes:
            if not already_over:
                outs.append(new_output("stream", name="stdout", text=DROPPED.format(limit=self.printed_bytes >> 20)))
                self._printed[cell_index] = self.printed_bytes + 1
            return None
        return super().output(outs, msg, display_id, cell_index)

    def preprocess_cell(self, cell: NotebookNode, resources: Any, index: int) -> tuple[NotebookNode, Any]:
        try:
            return super().preprocess_cell(cell, resources, index)
        except DeadKernelError:
            reason = getattr(self.km, "stopped_because", "") or "it ended, was killed or ran into a limit"
            self._fail(cell, "KernelDied", f"the notebook's kernel stopped while this cell ran ({reason})")
        except CellTimeoutError:
            self._fail(cell, "CellTimeoutError", f"this cell ran for more than {self.timeout} s and did not stop "
                       "when interrupted")
        self._restart()
        return cell, self.resources

    @staticmethod
    def _fail(cell: NotebookNode, name: str, why: str) -> None:
        cell.outputs.append(new_output("error", ename=name, evalue=why,
                                       traceback=[f"{name}: {why}. The cells after it ran in a fresh kernel."]))

    def _restart(self) -> None:
        """A fresh kernel in the same cage, and the client talking to it."""
        assert self.km is not None and self.kc is not None
        self.km.stopped_because = ""
        run_sync(self.km.restart_kernel)(now=True)
        run_sync(self.kc.wait_for_ready)(timeout=self.startup_timeout)
