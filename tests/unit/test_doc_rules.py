"""The document rules shared by the visitor SDK, the session service and the agent client."""
import ast
import os

import pytest

from visitor_sdk import doc_rules as D

PDF = b"%PDF-1.4\n"
XLSX = b"PK\x03\x04rest"
XLS = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1rest"


def test_pure_module_imports_nothing():
    path = os.path.join(os.path.dirname(D.__file__), "doc_rules.py")
    tree = ast.parse(open(path).read())
    assert not [n for n in ast.walk(tree) if isinstance(n, (ast.Import, ast.ImportFrom))]


@pytest.mark.parametrize("name", ["a.pdf", "Report.PDF", "sheet.xlsx", "old.xls", "list.csv", "a b-c_(1).pdf"])
def test_accepted_names(name):
    assert D.name_problem(name) is None


@pytest.mark.parametrize("name, words", [
    ("", "needs a file name"), ("   ", "needs a file name"), (None, "needs a file name"),
    ("a.exe", ".exe"), ("a.pdf.exe", ".exe"), ("noext", "without an extension"), ("a.docx", ".docx"),
    ("../a.pdf", "'/'"), ("a\\b.pdf", "'\\\\'"), ("a\x00.pdf", "not allowed"), (".pdf", "dot"),
    ("x" * 300 + ".pdf", "longer than"), ('a".pdf', "not allowed"),
])
def test_refused_names(name, words):
    p = D.name_problem(name)
    assert p is not None and words in p


def test_sizes():
    assert D.size_problem(1) is None
    assert D.size_problem(D.MAX_BYTES) is None
    assert "larger than 5 MB" in D.size_problem(D.MAX_BYTES + 1)
    assert "empty" in D.size_problem(0)
    assert "unknown" in D.size_problem(None)
    assert "unknown" in D.size_problem(True)
    assert "unknown" in D.size_problem("12")


@pytest.mark.parametrize("name, head, ok", [
    ("a.pdf", PDF, True), ("a.pdf", XLSX, False), ("a.pdf", b"", False), ("a.pdf", b"%PD", False),
    ("a.xlsx", XLSX, True), ("a.xlsx", PDF, False),
    ("a.xls", XLS, True), ("a.xls", XLSX, False),
    ("a.csv", b"a,b\n1,2", True), ("a.csv", b"a\x00b", False),
    ("a.exe", b"MZ", False),
])
def test_content(name, head, ok):
    assert (D.content_problem(name, head) is None) is ok
    assert (D.content_problem(name, list(head)) is None) is ok   # the browser passes a list of ints


def test_file_problem_order():
    assert "only PDF" in D.file_problem("a.exe", 10, b"MZ")
    assert "larger" in D.file_problem("a.pdf", D.MAX_BYTES + 1, PDF)
    assert "not a PDF" in D.file_problem("a.pdf", 100, XLSX)
    assert D.file_problem("a.pdf", 100, PDF) is None
    assert D.file_problem("a.pdf", 100) is None


@pytest.mark.parametrize("url, ok", [
    ("/docs/a.pdf", True), ("https://x.example/a.xlsx?v=1#p", True), ("http://x/api/docs/abc/list.csv", True),
    ("docs/a.xls", True), ("javascript:alert(1)//a.pdf", False), ("data:application/pdf,x.pdf", False),
    ("//evil.example/a.pdf", False), ("/a.exe", False), ("/a.pdf.html", False), ("", False), (None, False),
    ("/" + "a" * 2001 + ".pdf", False),
])
def test_urls(url, ok):
    assert (D.url_problem(url) is None) is ok


def test_extension_and_mime():
    assert D.extension("https://x/a/b.PDF?x=1.exe#y.z") == "pdf"
    assert D.extension("https://x/a.b/c") == ""
    assert D.mime_type("a.csv") == "text/csv"
    assert D.mime_type("a.bin") == "application/octet-stream"
    assert D.ACCEPT == ".pdf,.xlsx,.xls,.csv"


@pytest.mark.parametrize("url, ok", [
    ("http://shop.example/price-list.pdf", True), ("https://shop.example/a.CSV?x", True),
    ("https://shop.example/a.xlsx", False), ("/relative.pdf", False), ("mailto:a.pdf", False), (None, False),
])
def test_document_links(url, ok):
    assert D.is_document_link(url) is ok
