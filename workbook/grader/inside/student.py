"""The student process: one kata's learner code, the given code, and nothing else.

The harness starts it in a sandbox with the channel's socket as its stdin, and its first
request is ``hello``: the source of every ``day5`` module (the given code, the learner's
code for this kata, and no other kata's code at all), the names whose objects live in the
harness (the other katas' functions and classes, as handles), and which given classes
cross by value. This process builds the ``day5`` package from these sources, answers
with its kata's module, and then serves the harness's requests until the harness closes
the channel. It holds no test, no reference and no file of the course.
"""

from __future__ import annotations

import importlib.abc
import importlib.util
import os
import sys

if __package__:
    from .channel import Channel, attributes, connect
else:  # started as ``import student`` with this folder on ``sys.path``: the sandbox shows this folder and no package around it
    from channel import Channel, attributes, connect  # type: ignore[no-redef]

PACKAGE = "day5"


class Sources(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Imports ``day5`` and its modules from source text, each with the harness's objects it names set first."""

    def __init__(self, sources: dict[str, str], filenames: dict[str, str], remote: dict[str, dict]):
        self.sources, self.filenames, self.remote = sources, filenames, remote

    def find_spec(self, name, path=None, target=None):
        module = self._module(name)
        if module is None:
            return None
        return importlib.util.spec_from_loader(name, self, is_package=module == "__init__")

    def create_module(self, spec):
        return None

    def exec_module(self, module) -> None:
        name = self._module(module.__name__)
        module.__dict__.update(self.remote.get(name, {}))
        exec(compile(self.sources[name], self.filenames[name], "exec"), module.__dict__)

    def _module(self, name: str) -> str | None:
        module = "__init__" if name == PACKAGE else name.removeprefix(PACKAGE + ".") if name.startswith(PACKAGE + ".") else None
        return module if module in self.sources else None


def hello(kata_module: str, sources: dict, filenames: dict, remote: dict, mirrored: list, channel: Channel):
    """Build the ``day5`` package; the kata's module, for the harness to reach the learner's code through."""
    sys.meta_path.insert(0, Sources(sources, filenames, remote))
    module = importlib.import_module(f"{PACKAGE}.{kata_module}")
    for module_name, class_name in mirrored:
        channel.mirrored[class_name] = attributes(getattr(importlib.import_module(f"{PACKAGE}.{module_name}"), class_name))
    return module


def main() -> None:
    channel_socket = connect(0)
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)  # nothing to read but the channel
    os.dup2(2, 1)  # print() goes where the harness keeps the last lines of this process's output
    sys.stdout = sys.stderr
    learner_file = os.environ.get("DAY5_LEARNER_FILE")
    channel = Channel(channel_socket, "s", learner_file=learner_file)
    channel.exports[0] = lambda *args: hello(*args, channel)  # handle 0: how the harness says hello
    channel.serve()


if __name__ == "__main__":
    main()
