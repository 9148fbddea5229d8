"""How the reports write a probability: a percentage, to one decimal in the tables and whole in
the words-first bottom line and brief (where "14%" reads better than "14.3%")."""


def percent(value: float, decimals: int = 1) -> str:
    return f"{100 * value:.{decimals}f}%"


def error_points(error: float | None) -> str:
    """A probability's Monte Carlo error in percentage points: "± 0.3 pt" (empty if none)."""
    return "" if error is None else f"± {100 * error:.1f} pt"
