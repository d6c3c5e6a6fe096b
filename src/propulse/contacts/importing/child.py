"""The child process of a big import: ``python -m propulse.contacts.importing.child``.

A module of its own, so that what it pickles (``pipeline.Batch``...) is named after
``pipeline`` and not after ``__main__``.
"""

from propulse.contacts.importing.pipeline import convert_in_child

if __name__ == "__main__":
    convert_in_child()
