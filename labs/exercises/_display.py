"""Show exercise feedback: coloured HTML in Jupyter, plain text anywhere else.

Under IPython the feedback is one display bundle with both ``text/html`` (JupyterLab,
VS Code) and ``text/plain`` (terminal IPython). In a plain Python script it is printed.
Nothing here raises: feedback that cannot be shown is dropped rather than breaking a
learner's cell.
"""

from __future__ import annotations

import html
import re
import sys
from typing import Any

# kind -> (label, symbol, accent colour, background colour)
STYLES: dict[str, tuple[str, str, str, str]] = {
    "correct": ("Correct", "\u2714", "#137333", "#e6f4ea"),
    "incorrect": ("Incorrect", "\u2718", "#b3261e", "#fce8e6"),
    "not_attempted": ("Not attempted yet", "\u25cb", "#5f6368", "#f1f3f4"),
    "hint": ("Hint", "\u2139", "#8a5a00", "#fef7e0"),
    "solution": ("Solution", "\u270e", "#0b57d0", "#e8f0fe"),
    "info": ("", "\u2139", "#0b57d0", "#e8f0fe"),
}

_CODE_SPAN = re.compile(r"`([^`]+)`")


def ipython_shell() -> Any | None:
    """The running IPython shell, or None in plain Python (IPython is never imported here)."""
    module = sys.modules.get("IPython")
    if module is None:
        return None
    try:
        return module.get_ipython()
    except Exception:
        return None


def execution_count() -> int | None:
    """The number of the cell running now, or None outside IPython."""
    shell = ipython_shell()
    count = getattr(shell, "execution_count", None) if shell is not None else None
    return count if isinstance(count, int) else None


def render_text(
    kind: str, headline: str, body: str = "", code: str | None = None, label: str | None = None
) -> str:
    """The plain-text form: ``Label (headline): body`` then any code, indented."""
    label = STYLES.get(kind, STYLES["info"])[0] if label is None else label
    first = f"{label} ({headline})" if label and headline else (label or headline)
    lines = [f"{first}: {body}" if body else first]
    if code:
        lines.extend("    " + line for line in code.rstrip("\n").splitlines())
    return "\n".join(lines)


def _inline(text: str) -> str:
    """Escape ``text`` for HTML, turning `code` spans into <code> and newlines into <br>."""
    escaped = html.escape(text)
    escaped = _CODE_SPAN.sub(r"<code>\1</code>", escaped)
    return escaped.replace("\n", "<br>")


def render_html(
    kind: str, headline: str, body: str = "", code: str | None = None, label: str | None = None
) -> str:
    """The HTML form: a box with a coloured left border, label, headline, body and code."""
    default_label, symbol, accent, background = STYLES.get(kind, STYLES["info"])
    label = default_label if label is None else label
    title = f"{symbol} {label}".strip() if label else symbol
    parts = [
        f'<div style="border-left:4px solid {accent};background:{background};color:#202124;'
        "padding:6px 10px;margin:4px 0;border-radius:2px;"
        'font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;font-size:14px;">',
        f'<b style="color:{accent}">{html.escape(title)}</b>',
    ]
    if headline:
        parts.append(f' <span style="color:#5f6368">{html.escape(headline)}</span>')
    if body:
        parts.append(f'<div style="margin-top:2px">{_inline(body)}</div>')
    if code:
        parts.append(
            '<pre style="background:#ffffff;color:#202124;border:1px solid #dadce0;'
            'padding:6px 8px;margin:6px 0 2px 0;overflow-x:auto;font-size:13px;">'
            f"<code>{html.escape(code.rstrip())}</code></pre>"
        )
    parts.append("</div>")
    return "".join(parts)


def show(
    kind: str, headline: str, body: str = "", code: str | None = None, label: str | None = None
) -> None:
    """Display feedback of ``kind`` (a key of :data:`STYLES`); never raises.

    ``label`` replaces the kind's label ("Hint 2 of 3" instead of "Hint").
    """
    try:
        text = render_text(kind, headline, body, code, label)
    except Exception:
        return
    shell = ipython_shell()
    if shell is not None:
        try:
            from IPython.display import display

            bundle = {
                "text/plain": text,
                "text/html": render_html(kind, headline, body, code, label),
            }
            display(bundle, raw=True)
            return
        except Exception:
            pass
    try:
        print(text)
    except UnicodeEncodeError:
        try:
            print(text.encode("ascii", "replace").decode("ascii"))
        except Exception:
            return
    except Exception:
        return
