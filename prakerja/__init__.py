"""prakerja-warehouse: the analytics warehouse for the evaluation of Kartu Prakerja."""

__version__ = "0.1.0"
