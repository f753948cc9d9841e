"""Value formatting as the source systems export it (vectorised with pyarrow)."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

EPOCH = dt.date(1970, 1, 1)


def day_strings(day: np.ndarray, style: str = "iso", nullable: bool = True) -> pa.Array:
    """Days since epoch as text; -1 is empty when nullable (programme dates, never before 1970;
    birth dates are not nullable). Few distinct dates: format each once."""
    uniq, inverse = np.unique(day, return_inverse=True)
    fmt = "%Y-%m-%d" if style == "iso" else "%d/%m/%Y"
    labels = [
        None if nullable and d < 0 else (EPOCH + dt.timedelta(days=int(d))).strftime(fmt)
        for d in uniq
    ]
    return pa.array(labels, pa.string()).take(pa.array(inverse.ravel()))


def day_values(day: np.ndarray) -> pa.Array:
    return pa.array(np.where(day < 0, 0, day).astype(np.int32), pa.date32(), mask=day < 0)


def timestamp_strings(seconds: np.ndarray) -> pa.Array:
    return pc.strftime(pa.array(seconds, pa.timestamp("s")), format="%Y-%m-%d %H:%M:%S")


def rupiah_comma(amount: np.ndarray) -> pa.Array:
    """`450.000,00`: thousands dots and decimal comma (Indonesian locale)."""
    uniq, inverse = np.unique(amount, return_inverse=True)
    labels = [f"{int(a):,}".replace(",", ".") + ",00" for a in uniq]
    return pa.array(labels, pa.string()).take(pa.array(inverse.ravel()))


def labels(
    codes: np.ndarray, vocabulary: tuple[str, ...] | list[str], missing: int = -1
) -> pa.Array:
    arr = pa.array(list(vocabulary), pa.string())
    mask = codes == missing
    return arr.take(pa.array(np.where(mask, 0, codes), mask=mask))


def booleans(values: np.ndarray, true: str, false: str) -> pa.Array:
    return pc.if_else(pa.array(values, pa.bool_()), true, false)


def ints(values: np.ndarray, keep: np.ndarray | None = None) -> pa.Array:
    """Whole numbers as text; empty where `keep` is False."""
    mask = None if keep is None else ~keep
    return pc.cast(pa.array(values.astype(np.int64), mask=mask), pa.string())


def join(*parts: pa.Array | str) -> pa.Array:
    return pc.binary_join_element_wise(*parts, "")


def padded(values: np.ndarray, width: int) -> pa.Array:
    return pc.utf8_lpad(ints(values), width=width, padding="0")
