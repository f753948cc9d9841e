"""The filters that carry across pages: wave range, province, gender, age band.

They are sidebar widgets drawn by app.py on every run, whatever the page; the choices are kept
in st.session_state under the keys below (plain entries, not widget keys, so they survive a
language switch), and every page reads the same choice.
"""

from __future__ import annotations

from dataclasses import dataclass

WAVE_KEY = "f_waves"
PROVINCE_KEY = "f_province"
GENDER_KEY = "f_gender"
AGE_BAND_KEY = "f_age_band"
ALL = "__all__"


@dataclass(frozen=True)
class Filters:
    """A filter choice; None means "all"."""

    wave_from: int
    wave_to: int
    province: str | None = None
    gender: str | None = None
    age_band: str | None = None

    def applied(self, *dimensions: str) -> list[str]:
        """The label keys of the given dimensions whose filter narrows the data."""
        narrowing = {
            "wave_range": True,
            "province": self.province is not None,
            "gender": self.gender is not None,
            "age_band": self.age_band is not None,
        }
        return [d for d in dimensions if narrowing[d]]


def _choice(value: object) -> str | None:
    return None if value in (None, ALL) else str(value)


def current(wave_bounds: tuple[int, int]) -> Filters:
    """The filters chosen in the sidebar (or the defaults before the sidebar ran)."""
    import streamlit as st

    state = st.session_state
    chosen = state.get(WAVE_KEY, wave_bounds)
    low, high = chosen if isinstance(chosen, tuple | list) and len(chosen) == 2 else wave_bounds
    return Filters(
        wave_from=int(low),
        wave_to=int(high),
        province=_choice(state.get(PROVINCE_KEY)),
        gender=_choice(state.get(GENDER_KEY)),
        age_band=_choice(state.get(AGE_BAND_KEY)),
    )
