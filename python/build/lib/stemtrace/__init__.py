"""Read a stemtrace store from Python: the catalog as pandas DataFrames, the arrays as numpy.

    import stemtrace
    store = stemtrace.Store("STORE")
    store.effects()                         # DataFrame, as `stemtrace export` writes effects
    store.arrays(kind="logfiltspec")        # numpy arrays, every record checked

The package never writes a store. docs/FORMAT.md in the stemtrace repository describes the bytes.
"""

from . import torch
from .records import RecordError, StoreError, decode
from .store import SCHEMA_VERSION, Store

__version__ = "0.1.0"
__all__ = ["Store", "StoreError", "RecordError", "decode", "torch", "SCHEMA_VERSION", "__version__"]
