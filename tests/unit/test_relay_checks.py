"""relay_checks: which visitordocument URLs the service relays to agents (pure, on CPython)."""
from session_server.doc_store import DocStore, doc_url
from session_server.relay_checks import document_url_problem, visitor_event_problem

CSV = b"a,b\n1,2\n"


def store_with_docs():
    store = DocStore()
    mine = store.put("s1", "visitor", "my statement.csv", CSV, origin="127.0.0.1:8000")
    agents = store.put("s1", "agent", "price-list.csv", CSV, origin="127.0.0.1:8000")
    other = store.put("s2", "visitor", "other.csv", CSV, origin="127.0.0.1:8000")
    return store, mine, agents, other


def test_the_url_the_service_issued_for_the_visitors_upload_is_relayed():
    store, mine, _, _ = store_with_docs()
    url = "http://127.0.0.1:8000" + doc_url(mine)
    assert "%20" in url
    assert document_url_problem(url, "s1", store.get) is None
    assert visitor_event_problem(store, "s1", "visitordocument", {"name": "x", "size": 1, "url": url}) is None
    assert visitor_event_problem(store, "s1", "accessibility", {"enabled": True}) is None


def test_any_other_url_is_refused_with_a_reason():
    store, mine, agents, other = store_with_docs()
    path = doc_url(mine)
    bad = ["http://evil.example" + path,                    # another server, a real path
           "http://127.0.0.1:8001" + path,                  # another port
           "http://user@127.0.0.1:8000" + path,             # credentials in the URL
           "ftp://127.0.0.1:8000" + path, "javascript:alert(1)", "//127.0.0.1:8000" + path, path,
           "http://127.0.0.1:8000" + path + "?x=1", "http://127.0.0.1:8000" + path + "#x",
           "http://127.0.0.1:8000" + doc_url(agents),        # an agent's document
           "http://127.0.0.1:8000" + doc_url(other),         # another session's document
           "http://127.0.0.1:8000/api/docs/" + mine["id"] + "/other-name.csv",
           "http://127.0.0.1:8000/api/docs/nope/x.csv", "http://127.0.0.1:8000/agent",
           "http://127.0.0.1:8000" + path + "x" * 3000, "", None, 42, ["http://127.0.0.1:8000" + path]]
    for url in bad:
        problem = document_url_problem(url, "s1", store.get)
        assert problem and problem.startswith("visitordocument"), url
    assert visitor_event_problem(store, "s1", "visitordocument", "not a dict")
    assert visitor_event_problem(store, "s1", "visitordocument", {"name": "x"})


def test_the_host_is_compared_without_case():
    store, mine, _, _ = store_with_docs()
    store.docs[mine["id"]]["origin"] = "Shop.Example:443"
    assert document_url_problem("https://shop.example:443" + doc_url(mine), "s1", store.get) is None
