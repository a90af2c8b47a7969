"""Writing a file so that no reader ever sees half of it: the one way the kit writes its outputs,
the Gradescope bundle and the child's replies.

The data goes to a temporary file beside the target (``.NAME.RANDOM.partial``), which is renamed
over the target only once it is whole: a reader, or a run killed meanwhile, sees the old file or the
new one. Standard library only: the sandboxed child writes its replies with it.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

PARTIAL = ".partial"  # the suffix of a file being written (``batch.remove_leftovers`` deletes strays)


@contextmanager
def replaced_atomically(path: Path, mode: int | None = 0o644) -> Iterator[IO[bytes]]:
    """A binary file that becomes ``path`` when the block ends, or is removed if the block raises.

    ``mode`` is the file's permission bits; None keeps the temporary file's 0o600 (a sandboxed child,
    which may not call chmod, writes its replies so; the grader reads them as root).
    """
    with tempfile.NamedTemporaryFile("wb", dir=path.parent, prefix=f".{path.name}.", suffix=PARTIAL,
                                     delete=False) as file:
        try:
            yield file
        except BaseException:
            file.close()
            os.unlink(file.name)
            raise
    try:
        if mode is not None:
            os.chmod(file.name, mode)
        os.replace(file.name, path)
    except BaseException:  # e.g. a folder where the file goes: nothing of this write is left behind
        os.unlink(file.name)
        raise


def write_atomically(path: Path, data: str | bytes, mode: int | None = 0o644) -> None:
    """Write ``data`` (text is written as UTF-8) to ``path`` whole or not at all."""
    with replaced_atomically(path, mode) as file:
        file.write(data.encode("utf-8") if isinstance(data, str) else data)
