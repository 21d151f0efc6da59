"""A Jupyter kernel whose cells are the lesson format's cells (``lessons`` kernel).

A cell is one of:

* ``check ID`` on its first line, then the check's parameters in YAML (``t: [2, 10]``);
* ``plot NAME``: a lesson's figure, as PNG;
* a one-line command of the ``lessons`` tool: ``calc …``, ``verify FILE``, ``run LESSON --cell N``,
  ``checks [ID]``;
* magics, alone or on a cell's first lines: ``%seed N`` (the seed of the following cells, as
  ``--seed`` in the terminal), ``%samples N`` or ``%samples default``, ``%stream K`` (above a
  check) and ``%timeout SECONDS`` (the time limit of a cell).

The Swift ``lessons`` binary reads and runs each cell (``lessons kernel cell``, the grammar
``lessons run NOTEBOOK.ipynb`` reads too), one process per cell: the kernel stays responsive,
an interrupt stops exactly that cell, and the same seed gives the same rows as ``lessons run``
in the terminal. The kernel keeps the state between cells and sends the outputs. See
python/README.md.
"""

__version__ = "0.1.0"
