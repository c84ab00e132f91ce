"""Guests, documents (both ways) and reverse sessions, end to end: Chromium, the real service, Python agents.

Pages run with data-ui="none" (ui=none) and check=1 (every payload validated
against the catalogue); the test plays the site's custom UI by calling the
accept/decline callbacks it keeps from the events.
"""
import asyncio
import http.client as httpclient
import json
import urllib.error
import urllib.request

import pytest

from session_server.agent_client import AgentClient, AgentError, guest_token
from tests.browser.test_session_lifecycle import names, payloads, shop, start, wait_event

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
CSV = b"sku,name,price\nK-1,Blue Kettle,39.00\nT-2,Red Teapot,24.00\n"
FIVE_MB = 5 * 1024 * 1024


def keep(page, *events):
    """Keep the last payload of each event in window.kept (the callbacks stay callable)."""
    page.evaluate("""(names) => { window.kept = window.kept || {};
        names.forEach(n => GLANCE.Cobrowse.Visitor.addEventListener(n, p => { window.kept[n] = p; })); }""",
                  list(events))


def count(page, name):
    return names(page).count(name)


def open_session(page, server, agents, key):
    shop(page, server, query="check=1&ui=none")
    keep(page, "addguestrequested", "reverseconfirm", "docsharerequested")
    start(page, key)
    agent = agents.agent(server.url, key)
    wait_event(page, "agents", 2)
    return agent


def agent_event_names(agents, agent):
    async def snap():
        await asyncio.sleep(0.3)
        return [e["name"] for e in agent._events]
    return agents.run(snap())


def http(method, url, data=None, headers=None):
    req = urllib.request.Request(url, data=data, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def post_too_big(url, path, n, headers):
    """POST n bytes; the service may answer 413 before the body is sent (then the send breaks)."""
    host = url.split("//", 1)[1]
    conn = httpclient.HTTPConnection(host, timeout=10)
    conn.putrequest("POST", path)
    for k, v in dict(headers, **{"Content-Length": str(n)}).items():
        conn.putheader(k, v)
    conn.endheaders()
    try:
        conn.send(b"a" * n)
    except (BrokenPipeError, ConnectionResetError):
        pass
    try:
        return conn.getresponse().status
    finally:
        conn.close()


def test_guest_accepted_joins_as_guest_declined_and_double_calls(page, server, agents):
    agent = open_session(page, server, agents, "guest-1")
    agents.run(agent.addguest({"name": "Betty Rubble"}, id="g1"))
    wait_event(page, "addguestrequested")
    page.evaluate("window.kept.addguestrequested.accept(); window.kept.addguestrequested.accept();"
                  "window.kept.addguestrequested.decline()")
    ev = agents.run(agent.next_event("addguestaccepted"))
    assert ev["ref"] == "g1" and ev["payload"]["name"] == "Betty Rubble"
    token = guest_token(ev)
    assert token and ev["payload"]["guest"]["guestid"] > 0

    guest = AgentClient.as_guest(server.url, 72937, "guest-1", token, "betty")
    agents.run(guest.join())
    wait_event(page, "agents", 3)
    lst = payloads(page, "agents")[-1]
    assert lst["count"] == 2
    g = [a for a in lst["agentlist"] if a["role"] == "guest"]
    assert g == [{"role": "guest", "name": "Betty Rubble", "guestid": ev["payload"]["guest"]["guestid"],
                  "num": g[0]["num"]}] and g[0]["num"] == 2
    agents.run(agent.wait_until(lambda a: a.agents and a.agents["count"] == 2))

    # the token admits one guest once; a guest watches but cannot act
    with pytest.raises(AgentError) as e:
        agents.run(AgentClient.as_guest(server.url, 72937, "guest-1", token).join())
    assert e.value.code == "unauthorized"
    with pytest.raises(AgentError) as e:
        agents.run(AgentClient.as_guest(server.url, 72937, "guest-1", token[:-3] + "AAA").join())
    assert e.value.code == "unauthorized"
    agents.run(guest.action("rcrequest"))
    agents.run(guest.wait_until(lambda c: c.errors))
    assert guest.errors[0]["code"] == "forbidden"

    agents.run(agent.addguest({"name": "Fred"}, id="g2"))
    wait_event(page, "addguestrequested", 2)
    page.evaluate("window.kept.addguestrequested.decline(); window.kept.addguestrequested.decline();"
                  "window.kept.addguestrequested.accept()")
    ev = agents.run(agent.next_event("addguestdeclined"))
    assert ev["ref"] == "g2" and ev["payload"] == {"name": "Fred"}
    assert (count(page, "addguestaccepted"), count(page, "addguestdeclined")) == (1, 1)
    assert not {"addguestaccepted", "addguestdeclined"} & set(agent_event_names(agents, agent))
    agents.run(guest.leave())
    wait_event(page, "agents", 4)
    assert payloads(page, "agents")[-1]["count"] == 1
    assert page.console.errors == []


def test_reverse_accept_decline_and_withdrawn_confirmation(page, server, agents):
    agent = open_session(page, server, agents, "reverse-1")
    agents.run(agent.reverse(id="r1"))
    wait_event(page, "reverseconfirm")
    page.evaluate("window.kept.reverseconfirm.accept(); window.kept.reverseconfirm.accept();"
                  "window.kept.reverseconfirm.decline()")
    assert agents.run(agent.next_event("reverseaccepted"))["ref"] == "r1"
    agents.run(agent.reverseend(id="e1"))
    wait_event(page, "reverseended")
    assert agents.run(agent.next_event("reverseended"))["payload"] == {"withdrawn": False}

    agents.run(agent.reverse(id="r2"))
    wait_event(page, "reverseconfirm", 2)
    agents.run(agent.reverseend(id="e2"))          # the agent takes the request back before an answer
    wait_event(page, "reverseended", 2)
    assert agents.run(agent.next_event("reverseended"))["payload"] == {"withdrawn": True}
    page.evaluate("window.kept.reverseconfirm.accept(); window.kept.reverseconfirm.decline()")  # withdrawn: nothing

    agents.run(agent.reverse(id="r3"))
    wait_event(page, "reverseconfirm", 3)
    page.evaluate("window.kept.reverseconfirm.decline(); window.kept.reverseconfirm.accept()")
    assert agents.run(agent.next_event("reversedeclined"))["ref"] == "r3"
    rest = agent_event_names(agents, agent)
    assert "reverseaccepted" not in rest and "reversedeclined" not in rest
    assert payloads(page, "reverseconfirm")[0] == {"accept": "[function]", "decline": "[function]"}
    assert page.console.errors == []


def test_agent_shares_documents_viewer_download_and_refusals(page, server, agents):
    agent = open_session(page, server, agents, "docs-1")
    page.console.expect("GLANCE: refused a shared document: ")   # one warning per reason
    # refused by the agent client before anything is sent
    for name, data, words in [("run.exe", b"MZ..", "only PDF"), ("big.pdf", b"%PDF-" + b"0" * FIVE_MB, "5 MB"),
                              ("fake.pdf", CSV, "not a PDF")]:
        with pytest.raises(AgentError) as e:
            agents.run(agent.share_document(name, data))
        assert words in e.value.msg
    # refused by the service when a client skips its checks
    auth = {"Authorization": "Bearer " + agent.resume}
    assert http("POST", server.url + "/api/docs?name=run.exe", b"MZ", auth)[0] == 415
    assert http("POST", server.url + "/api/docs?name=fake.xlsx", PDF, auth)[0] == 415
    assert post_too_big(server.url, "/api/docs?name=big.csv", FIVE_MB + 1, auth) == 413
    assert http("POST", server.url + "/api/docs?name=a.pdf", PDF)[0] == 401
    # refused by the visitor's page: bad name or URL, or content that does not match its type
    fake = agents.run(agent.upload_document("prices.csv", CSV))
    for i, payload in enumerate([{"name": "run.exe", "url": "/x/run.exe"},
                                 {"name": "a.pdf", "url": "javascript:alert(1)//a.pdf"},
                                 {"name": "a.pdf", "url": "/a.pdf", "size": FIVE_MB + 1},
                                 {"name": "prices.pdf", "url": fake["url"].rsplit("/", 1)[0] + "/prices.pdf"}]):
        agents.run(agent.docshare(payload, id="bad%d" % i))
        ev = agents.run(agent.next_event("docshareerror"))
        assert ev["ref"] == "bad%d" % i and ev["payload"]["reason"]
    assert count(page, "agentdocshare") == 0 and count(page, "documentviewed") == 0

    info = agents.run(agent.share_document("price-list.pdf", PDF, id="d1"))
    assert info["size"] == len(PDF) and info["url"].endswith("/price-list.pdf")
    wait_event(page, "documentviewed")
    assert payloads(page, "agentdocshare") == [{"name": "price-list.pdf"}]
    assert payloads(page, "documentviewed") == [{"name": "price-list.pdf", "agentselected": True}]
    assert names(page).index("agentdocshare") < names(page).index("documentviewed")
    assert page.is_visible("#glance-doc-viewer")
    ev = agents.run(agent.next_event("documentviewed"))
    assert ev["ref"] == "d1" and ev["payload"] == {"name": "price-list.pdf", "agentselected": True}
    with page.expect_download() as dl:
        page.click("#glance-doc-viewer-download")
    assert dl.value.suggested_filename == "price-list.pdf"
    with open(dl.value.path(), "rb") as f:
        assert f.read() == PDF
    wait_event(page, "visitordownload")
    assert payloads(page, "visitordownload") == [{"name": "price-list.pdf", "agentselected": True}]
    assert agents.run(agent.next_event("visitordownload"))["payload"] == {"name": "price-list.pdf",
                                                                          "agentselected": True}
    # the PDF takes the focus once it has loaded; a click on the viewer's title brings it back to the
    # page, and Escape closes the viewer from there
    page.wait_for_function("document.activeElement && document.activeElement.tagName === 'IFRAME'")
    page.click("#glance-doc-viewer-title")
    page.keyboard.press("Escape")
    assert not page.is_visible("#glance-doc-viewer")

    # a CSV shared by URL (a document of the site), and a site link opened by the visitor
    agents.run(agent.share_document("prices.csv", CSV))
    wait_event(page, "documentviewed", 2)
    page.wait_for_function("document.querySelector('#glance-doc-viewer pre').textContent.includes('Blue Kettle')")
    page.evaluate("""() => { const a = document.createElement('a'); a.id = 'doclink';
        a.href = '/static/docs/catalogue.pdf'; a.textContent = 'Catalogue';
        a.addEventListener('click', e => e.preventDefault()); document.body.appendChild(a); }""")
    page.click("#glance-doc-viewer-close")
    page.click("#doclink")
    wait_event(page, "documentviewed", 3)
    assert payloads(page, "documentviewed")[-1] == {"url": server.url + "/static/docs/catalogue.pdf"}
    assert page.console.errors == []


def test_clicks_outside_links_in_a_session_write_nothing_to_the_console(page, server, agents):
    """Every visitor click in a session passes the document-link check; one outside a link is silent."""
    shop(page, server, "/checkout", "ui=none&check=1")
    start(page, "doc-quiet-1")
    page.click("h1")
    page.click("#fullname")
    page.evaluate("""() => { const a = document.createElement('a'); a.id = 'doclink2';
        a.href = '/static/docs/catalogue.pdf'; a.textContent = 'Catalogue';
        a.addEventListener('click', e => e.preventDefault()); document.body.appendChild(a); }""")
    page.click("#doclink2")                               # a document link still fires documentviewed
    wait_event(page, "documentviewed")
    assert [m for m in page.console.messages if "GLANCE" in m[1]] == []


def test_visitor_shares_a_document_with_refusals(page, server, agents, tmp_path):
    agent = open_session(page, server, agents, "docs-2")
    page.console.expect("GLANCE: refused a shared document: ")
    agents.run(agent.docsharerequest(id="q1"))
    wait_event(page, "docsharerequested")
    page.evaluate("window.kept.docsharerequested.decline(); window.kept.docsharerequested.accept()")
    wait_event(page, "docsharestatus")
    assert payloads(page, "docsharestatus") == [{"status": "declined"}]
    ev = agents.run(agent.next_event("docsharestatus"))
    assert ev["ref"] == "q1" and ev["payload"] == {"status": "declined"}

    agents.run(agent.docsharerequest(id="q2"))
    wait_event(page, "docsharerequested", 2)
    page.evaluate("window.kept.docsharerequested.accept(); window.kept.docsharerequested.accept()")
    wait_event(page, "docsharestatus", 2)
    assert payloads(page, "docsharestatus")[-1] == {"status": "accepted"}
    assert agents.run(agent.next_event("docsharestatus"))["payload"] == {"status": "accepted"}

    bad = [("notes.txt", b"hello", "only PDF"), ("big.csv", b"a" * (FIVE_MB + 1), "5 MB"),
           ("empty.csv", b"", "empty"), ("fake.xlsx", CSV, "not a XLSX")]
    for name, data, words in bad:
        page.set_input_files("#glance-doc-input", files=[{"name": name, "mimeType": "application/octet-stream",
                                                          "buffer": data}])
        ev = agents.run(agent.next_event("docshareerror"))
        assert ev["ref"] == "q2" and words in ev["payload"]["reason"], ev
        page.wait_for_selector("#glance-doc-viewer-again")
    assert count(page, "documentviewed") == 0

    page.set_input_files("#glance-doc-input", files=[{"name": "my-statement.csv", "mimeType": "text/csv",
                                                      "buffer": CSV}])
    wait_event(page, "documentviewed")
    assert payloads(page, "documentviewed") == [{"name": "my-statement.csv", "visitorselected": True}]
    wait_event(page, "docsharestatus", 3)
    assert payloads(page, "docsharestatus")[-1] == {"status": "started"}
    assert agents.run(agent.next_event("docsharestatus"))["payload"] == {"status": "started"}
    doc = agents.run(agent.next_event("visitordocument"))
    assert doc["ref"] == "q2" and doc["payload"]["name"] == "my-statement.csv" and doc["payload"]["size"] == len(CSV)
    url = doc["payload"]["url"]
    assert http("GET", url)[0] == 401                        # the visitor's file is for the session's agents
    assert agents.run(agent.download_document(url)) == CSV
    wait_event(page, "agentdownload")
    assert payloads(page, "agentdownload") == [{"name": "my-statement.csv"}]
    page.wait_for_function("document.getElementById('glance-doc-viewer-status').textContent.includes('downloaded')")

    # a forged upload ticket is refused; agents cannot fake agentdownload
    assert http("POST", server.url + "/api/docs?name=x.csv&ticket=" + "x.y", CSV)[0] == 401
    agents.run(agent.action("agentdownload", {"name": "fake.pdf"}))
    agents.run(agent.wait_until(lambda a: a.errors))
    assert agent.errors[-1]["code"] == "forbidden"
    page.wait_for_timeout(200)
    assert count(page, "agentdownload") == 1
    assert json.loads(json.dumps(payloads(page, "docsharerequested")[0])) == {"accept": "[function]",
                                                                             "decline": "[function]"}
    assert page.console.errors == []
