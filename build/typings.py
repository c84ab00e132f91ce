"""Generate glance-cobrowse.d.ts and the README's event reference from the catalogue.

Called by build/build.py (declarations) and scripts/gen_docs.py (markdown).
"""

from visitor_sdk import catalogue

_TS = {"string": "string", "number": "number", "boolean": "boolean", "any": "unknown",
       "function": "(...args: any[]) => void"}

# No catch-all `name: string` overload: under `tsc --strict` a misspelled event
# name is an error. A name built at run time needs a cast (`as VisitorEventName`).
METHODS_TS = """  /** Listeners run in registration order; adding one twice keeps one. */
  addEventListener<K extends VisitorEventName>(name: K, handler: (payload: VisitorEventMap[K]) => void): void;
  removeEventListener<K extends VisitorEventName>(name: K, handler: (payload: VisitorEventMap[K]) => void): void;
  /** A key string, {sessionKey, groupid, name, email, phone, ...}, "GLANCE_KEYTYPE_RANDOM", or nothing. */
  startSession(params?: string | number | StartSessionParams): void;
  stopSession(): void;
  inSession(): boolean;
  getKey(): string | null;
  isRandomKey(): boolean;
  /** The session state the service sent for this page (after `statereceived`), or one section of it. */
  getSessionState(type?: string): unknown;
  readonly readyState: "idle" | "starting" | "active" | "reconnecting";
  isSessionPaused(): boolean;
  isPageMasked(): boolean;
  toggleVideo(): void;
  showTerms(params?: ShowTermsParams): void;
"""

# startSession's options (visitor_sdk/params.py START_OPTION_KEYS), with their types.
START_OPTION_TYPES = {"sessionKey": "string | number", "groupid": "number | string", "name": "string",
                      "email": "string", "phone": "string | number", "video": "unknown",
                      "videoParams": "Record<string, unknown>", "terms": "unknown"}

# The arguments of each function InvokeVisitor.invoke accepts (visitor_sdk/invoke_rules.py ALLOWED_FUNCS).
INVOKE_ARGS = {"startSession": "[params?: string | number | StartSessionParams]", "stopSession": "[]",
               "showTerms": "[params?: ShowTermsParams]", "toggleVideo": "[]"}

# The script tag's data-* options, as the README's "Integration: one tag" table documents them.
TAG_OPTIONS = [
    ("groupid", "string", False, "Required: the group id, a positive integer."),
    ("additionalgroupids", "string", True, "More group ids (comma separated) that startSession({groupid}) and glance_invoke accept."),
    ("site", '"staging" | "production"', True, "The environment; production by default."),
    ("ws", "string", True, "The session service's base URL (http(s)://host:port)."),
    ("ui", '"none" | "default"', True, "none turns off the default visitor UI."),
    ("debug", '"true" | "false"', True, "true turns on the SDK's diagnostic logging on the console."),
    ("nonce", "string", True, "A style nonce the SDK puts on its one <style> element where constructable stylesheets are missing."),
]

# window.GLANCE_COBROWSE, set before the tag (README, "Integration: one tag" and "What an agent can do").
CONFIG_TS = """export interface MaskingDescriptor {
  /** CSS selectors of elements the agent sees masked. */
  maskedSelectors: string[];
}

/** window.GLANCE_COBROWSE: set it before the cobrowse script tag. An invalid field is ignored with a console message. */
export interface GlanceCobrowseConfig {
  /** A session key: 1-50 of A-Za-z0-9_- (startSession() without a key uses it). */
  visitorid?: string;
  /** At most 62 characters. */
  name?: string;
  /** At most 62 characters. */
  email?: string;
  /** At most 20 characters. */
  phone?: string;
  /** More selectors to mask, asked for when a session captures the page; may return a promise. */
  getMaskingDescriptor?: () => MaskingDescriptor | PromiseLike<MaskingDescriptor>;
}
"""


def _check_tables():
    from visitor_sdk import invoke_rules, params
    if set(START_OPTION_TYPES) != set(params.START_OPTION_KEYS):
        raise SystemExit("build/typings.py: START_OPTION_TYPES must list params.START_OPTION_KEYS exactly")
    if set(INVOKE_ARGS) != set(invoke_rules.ALLOWED_FUNCS):
        raise SystemExit("build/typings.py: INVOKE_ARGS must list invoke_rules.ALLOWED_FUNCS exactly")
    if set(params.VISITOR_FIELD_LIMITS) - set(CONFIG_TS.replace("?:", " ").split()):
        raise SystemExit("build/typings.py: CONFIG_TS must declare every params.VISITOR_FIELD_LIMITS field")


def _type(spec, indent):
    t = spec["type"]
    if spec["values"]:
        return " | ".join('"' + v + '"' for v in spec["values"])
    if t == "object":
        if spec["fields"]:
            return _object(spec["fields"], indent)
        return "Record<string, unknown>"
    if t == "array":
        inner = _type(spec["items"], indent) if spec["items"] else "unknown"
        return "Array<" + inner + ">"
    if t == "function" and spec["name"] == "accept":
        return "(params?: Record<string, unknown>) => void"
    return _TS[t]


def _object(fields, indent):
    pad = "  " * (indent + 1)
    lines = ["{"]
    for f in fields:
        lines.append(pad + f["name"] + ("?" if f["optional"] else "") + ": " + _type(f, indent + 1) + ";")
    lines.append("  " * indent + "}")
    return "\n".join(lines)


def declarations():
    """The text of glance-cobrowse.d.ts."""
    from visitor_sdk import invoke_rules, params
    _check_tables()
    out = ["// glance-cobrowse.d.ts: generated by build/build.py (build/typings.py) from visitor_sdk/catalogue.py,",
           "// params.py and invoke_rules.py; do not edit.",
           "",
           "export interface VisitorEventMap {"]
    for ev in catalogue.EVENTS:
        out.append("  /** " + ev["doc"] + " (" + ev["group"] + ") */")
        body = _object(ev["fields"], 1) if ev["fields"] else "Record<string, never>"
        out.append("  " + ev["name"] + ": " + body + ";")
    out.append("}")
    out.append("")
    out.append("export type VisitorEventName = keyof VisitorEventMap;")
    out.append("")
    out.append("export interface StartSessionParams {")
    out.extend("  " + k + "?: " + START_OPTION_TYPES[k] + ";" for k in params.START_OPTION_KEYS)
    out.append("}")
    out.append("")
    out.append("export interface ShowTermsParams {")
    out.append("  sessionKey?: string;")
    out.append("}")
    out.append("")
    out.append("/** GLANCE.Cobrowse.Visitor, defined by glance-cobrowse.js. */")
    out.append("export interface GlanceCobrowseVisitor {")
    out.append(METHODS_TS.rstrip("\n"))
    out.append("}")
    out.append("")
    out.append("/** The functions a chat window may invoke, and their arguments. */")
    out.append("export interface InvokeArgs {")
    out.extend("  " + f + ": " + INVOKE_ARGS[f] + ";" for f in invoke_rules.ALLOWED_FUNCS)
    out.append("}")
    out.append("")
    out.append("export type InvokeFunc = keyof InvokeArgs;")
    out.append("")
    out.append("/** GLANCE.Cobrowse.InvokeVisitor, defined by GlanceCobrowseInvokeVisitor.js in a chat window. */")
    out.append("export interface GlanceCobrowseInvokeVisitor {")
    out.append("  /** origin: the visitor page's origin, a bare hostname, or \"*\". */")
    out.append("  init(wnd: Window, groupid: number | string, origin: string): void;")
    out.append("  invoke<F extends InvokeFunc>(func: F, ...args: InvokeArgs[F]): void;")
    out.append("}")
    out.append("")
    out.append("/** The cobrowse script tag's data-* options, as attributes (setAttribute, a tag manager's template). */")
    out.append("export interface GlanceCobrowseTagOptions {")
    for name, ts, optional, doc in TAG_OPTIONS:
        out.append("  /** " + doc + " */")
        out.append('  "data-' + name + '"' + ("?" if optional else "") + ": " + ts + ";")
    out.append("}")
    out.append("")
    out.append("/** The same options as the tag's dataset (script.dataset.groupid = \"72937\"). */")
    out.append("export type GlanceCobrowseDataset = {")
    out.append("  [K in keyof GlanceCobrowseTagOptions as K extends `data-${infer N}` ? N : never]: GlanceCobrowseTagOptions[K];")
    out.append("};")
    out.append("")
    out.append(CONFIG_TS.rstrip("\n"))
    out.append("")
    out.append("export interface GlanceNamespace {")
    out.append("  Cobrowse: {")
    out.append("    /** On a page with the cobrowse tag (glance-cobrowse.js). */")
    out.append("    Visitor: GlanceCobrowseVisitor;")
    out.append("    /** In a chat window with GlanceCobrowseInvokeVisitor.js. */")
    out.append("    InvokeVisitor: GlanceCobrowseInvokeVisitor;")
    out.append("  };")
    out.append("}")
    out.append("")
    out.append("declare global {")
    out.append("  var GLANCE: GlanceNamespace;")
    out.append("  var GLANCE_COBROWSE: GlanceCobrowseConfig | undefined;")
    out.append("}")
    out.append("")
    return "\n".join(out)


def _payload_md(fields):
    parts = []
    for f in fields:
        t = _type(f, 0).replace("\n", " ")
        t = " ".join(t.split())
        parts.append("`" + f["name"] + ("?" if f["optional"] else "") + ": " + t + "`")
    return ", ".join(parts) if parts else "—"


def events_markdown():
    """The README's event reference table, one row per catalogue event."""
    rows = ["| event | group | payload | description |", "|---|---|---|---|"]
    for ev in catalogue.EVENTS:
        rows.append("| `" + ev["name"] + "` | " + ev["group"] + " | " + _payload_md(ev["fields"]).replace("|", "\\|")
                    + " | " + ev["doc"] + " |")
    return "\n".join(rows) + "\n"
