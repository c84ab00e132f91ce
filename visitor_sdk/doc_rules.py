"""Which documents may be shared in a session: type and size rules, one place.

Pure Python (no imports): the visitor SDK checks a file before it shows or
uploads it, the session service checks every upload with the same rules,
and the agent client checks before it uploads. Call `name_problem(name)`
for a file name, `size_problem(size)` for a byte count, `content_problem(name,
head)` with the first bytes of the file, `file_problem(name, size, head)` for
all three, and `url_problem(url)` for a shared link. Each returns a sentence
for the person who tried, or None when the document is acceptable.
"""

MAX_BYTES = 5 * 1024 * 1024      # "under 5 MB": at most this many bytes
MAX_NAME_LEN = 200
HEAD_BYTES = 8                   # how many leading bytes content_problem looks at
TYPES = ("pdf", "xlsx", "xls", "csv")
MIME = {
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "xls": "application/vnd.ms-excel",
    "csv": "text/csv",
}
# File signatures: a pdf starts with %PDF-, an xlsx is a zip archive, an xls an OLE2 compound file.
MAGIC = {
    "pdf": (0x25, 0x50, 0x44, 0x46, 0x2D),
    "xlsx": (0x50, 0x4B, 0x03, 0x04),
    "xls": (0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1),
}
LINK_TYPES = ("pdf", "csv")      # site links that count as opening a document (documentviewed {url})
ACCEPT = ",".join("." + t for t in TYPES)   # the value of <input type=file accept=...>
TYPES_TEXT = "PDF, XLSX, XLS or CSV"
_BAD_NAME_CHARS = "/\\\0\r\n\t\"<>|:*?"


def extension(name):
    """The lower-case extension of a file name or URL path ('' when there is none)."""
    if not isinstance(name, str):
        return ""
    base = name
    for sep in ("?", "#"):
        if sep in base:
            base = base[:base.index(sep)]
    base = base.rsplit("/", 1)[-1]
    if "." not in base:
        return ""
    return base.rsplit(".", 1)[-1].lower()


def mime_type(name):
    """The Content-Type to serve a document with (by its extension)."""
    return MIME.get(extension(name), "application/octet-stream")


def name_problem(name):
    """Why `name` cannot be shared (type or form of the name), or None."""
    if not isinstance(name, str) or not name.strip():
        return "the document needs a file name"
    if len(name) > MAX_NAME_LEN:
        return "the file name is longer than " + str(MAX_NAME_LEN) + " characters"
    for ch in name:
        if ch in _BAD_NAME_CHARS or ord(ch) < 32:
            return "the file name contains " + repr(ch) + ", which is not allowed"
    if name.startswith("."):
        return "the file name must not start with a dot"
    ext = extension(name)
    if ext not in TYPES:
        return "only " + TYPES_TEXT + " documents can be shared, not " + (("." + ext) if ext else "files without an extension")
    return None


def size_problem(size):
    """Why a document of `size` bytes cannot be shared, or None."""
    if isinstance(size, bool) or not isinstance(size, (int, float)):
        return "the document's size is unknown"
    if size <= 0:
        return "the document is empty"
    if size > MAX_BYTES:
        return "the document is larger than 5 MB (" + str(int(size)) + " bytes)"
    return None


def content_problem(name, head):
    """Why the first bytes `head` (bytes or a list of ints) do not match the type of `name`, or None."""
    ext = extension(name)
    data = [b for b in head] if head is not None else []
    if ext == "csv":
        for b in data:
            if b == 0:
                return "the file is not a text (CSV) file"
        return None
    want = MAGIC.get(ext)
    if want is None:
        return name_problem(name) or "unknown document type"
    if len(data) < len(want) or tuple(data[:len(want)]) != want:
        return "the file's content is not a " + ext.upper() + " document"
    return None


def file_problem(name, size, head=None):
    """name_problem, then size_problem, then (when `head` is given) content_problem."""
    p = name_problem(name) or size_problem(size)
    if p is None and head is not None:
        p = content_problem(name, head)
    return p


def url_problem(url):
    """Why `url` cannot be a shared document's address (scheme, type), or None.

    Relative URLs ("/docs/list.pdf") are allowed; the page resolves them.
    """
    if not isinstance(url, str) or not url.strip():
        return "the document needs a URL"
    if len(url) > 2000:
        return "the document URL is too long"
    low = url.strip().lower()
    if ":" in low.split("/", 1)[0] and not (low.startswith("http://") or low.startswith("https://")):
        return "only http(s) document URLs can be shared"
    if low.startswith("//"):
        return "the document URL must name its scheme (http or https)"
    ext = extension(url)
    if ext not in TYPES:
        return "the URL does not point to a " + TYPES_TEXT + " document"
    return None


def is_document_link(url):
    """True when a link the visitor opens is a PDF or CSV document (documentviewed {url})."""
    if not isinstance(url, str):
        return False
    low = url.strip().lower()
    if not (low.startswith("http://") or low.startswith("https://")):
        return False
    return extension(url) in LINK_TYPES
