"""Numbers as the candidate reads them: whole numbers rounded half up.

The web UI shows every score with JavaScript's `Math.round` (62.5 -> 63, 76.5 -> 77). Python's
`round()` and the `:.0f` format round half to even (62.5 -> 62, 76.5 -> 76), so a summary said
"talking points (62)" beside a bar labelled 63 (issue #12, QA J18/J21). Every whole number in
a text the server writes goes through `half_up`, and every band (the card's colour, the verdict
word) is chosen from the number shown, so that text, number and colour agree.
"""

from __future__ import annotations

import math


def half_up(value: float) -> int:
    """`value` to the nearest whole number, halves upwards: exactly what `Math.round` returns
    (2.5 -> 3, -2.5 -> -2, 0.49999999999999994 -> 0; `value - floor(value)` is exact)."""
    whole = math.floor(value)
    return int(whole) + 1 if value - whole >= 0.5 else int(whole)
