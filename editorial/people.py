"""How the desk names a member of staff: one rule for pages, messages and e-mails."""

import re

# A name written in Japanese is family name first (佐藤 美咲); a Latin one keeps its order.
_JAPANESE = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uf900-\ufaff]")


def display_name(user) -> str:
    """The person's full name, else their user name."""
    first, last = user.first_name.strip(), user.last_name.strip()
    if first and last and _JAPANESE.search(first + last):
        return f"{last} {first}"
    return " ".join(part for part in (first, last) if part) or user.get_username()
