"""The glance_continue URL of a session continued on another domain (legacy urlstartwarning).

Pure Python. media_core re-exports these; legacy.py (in the feature chunk,
which a session needs at once) imports them from here, so that it does not
pull in the media part (lazy_parts.py).
"""

_ID_CHARS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-"

CONTINUE_PARAMS = ("glance_continue", "glance_group", "glance_resume")


def continue_query(key, groupid, resume):
    """The query string that asks a page on another domain to continue session `key` (urlstartwarning)."""
    def enc(s):
        out = ""
        for ch in str(s):
            out += ch if ch in _ID_CHARS or ch in ".~" else "%%%02X" % ord(ch) if ord(ch) < 128 else ch
        return out
    return "glance_continue=" + enc(key) + "&glance_group=" + enc(groupid) + "&glance_resume=" + enc(resume)


def parse_continue(params):
    """{name: value} of the page URL's query -> {key, groupid, resume} or None.

    All three glance_* parameters must be present; the key must be 1-64
    characters, the group a positive integer and the resume token at most 2,000
    characters.
    """
    if not isinstance(params, dict):
        return None
    key, group, resume = (params.get(n) for n in CONTINUE_PARAMS)
    if not (isinstance(key, str) and 0 < len(key) <= 64):
        return None
    if not (isinstance(group, str) and group.isdigit() and 0 < len(group) <= 15 and int(group) > 0):
        return None
    if not (isinstance(resume, str) and 0 < len(resume) <= 2000):
        return None
    return {"key": key, "groupid": int(group), "resume": resume}
