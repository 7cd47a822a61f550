"""One module per command: options → engine → output.

Where does it go?

- The command module (``commands/<command>.py``) checks its options (one
  :class:`~aiinfra_cli.errors.UsageError` line for a bad one), calls the engine, and writes the
  engine's result: a plain typed function returning an exit code, nothing else. ``cli.py`` only
  declares the options and calls it.
- The engine (``report/``, ``health/``, ``scan/``, ``prompts/``, ``scaffold/``, ``usage/``, …)
  computes a typed document and never prints; it exports what the agent may see of it (its
  "facts") next to the document.
- Renderers (Rich, Markdown) are small functions in the engine's package, one per section,
  taking the typed document; the command picks one.
- ``--agent`` is :class:`aiinfra_cli.agent.AgentStep`: run → attach → markdown → show → notice.
- A fixed vocabulary used by more than one package (error classes, statuses, plan actions, …)
  is one ``Literal`` alias in :mod:`aiinfra_cli.vocabulary`, with its tuple derived from it;
  a JSON form is derived from its dataclass (:func:`aiinfra_cli._jsondoc.json_object`), not
  written out by hand.
- Packages import each other only through their public surface (``__all__``), never another
  package's ``_private`` module (``tests/test_public_surface.py`` checks both).
"""

from __future__ import annotations

__all__: list[str] = []
