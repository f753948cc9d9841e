"""`streamlit run`, with Streamlit's legacy `pages/` mode switched off before the server starts.

Why: when a folder named `pages/` sits beside the main script, Streamlit 1.67 runs the app in
its old multipage mode (each file of `pages/` run on its own, app.py skipped) until some run
calls st.navigation. A first visit straight to a page URL would then show that page without
the language switch and the filters. The Dampak page lives in dashboard/pages/, so `prakerja
dashboard` starts Streamlit through this module, which sets the flag st.navigation itself sets.
Usage is exactly that of `streamlit`: python -m dashboard.launch run dashboard/app.py ...
"""

from __future__ import annotations

import sys


def main() -> None:
    from streamlit.runtime.pages_manager import PagesManager
    from streamlit.web.cli import main as streamlit_main

    # The class attribute is only computed when still None: set it first, as st.navigation does.
    PagesManager.uses_pages_directory = False
    sys.exit(streamlit_main())


if __name__ == "__main__":
    main()
