"""Field specs: the one mini-language for payloads of both catalogues.

Pure Python (no imports), so it runs on CPython and inside the Brython
bundle. The visitor event catalogue (catalogue.py) and the agent action
catalogue (agent_actions.py) describe every payload with it; validation,
the generated docs and the TypeScript declarations read it.

A field spec is a dict made by `F(name, type, values, optional, fields,
items)`: {"name", "type", "values", "optional", "fields", "items"}.
"type" is one of FIELD_TYPES; "values" lists the allowed values, "fields"
describes a nested object and "items" the element spec of an array.
Call `check_fields(specs, payload, where)` to list a payload's problems,
`render(specs)` for the one-line form the docs show
(`{type: "click" | "dblclick", gid?: number}`).
"""

FIELD_TYPES = ("string", "number", "boolean", "object", "array", "function", "any")


def F(name, type_, values=None, optional=False, fields=None, items=None):
    """Describe one payload field (see the module docstring)."""
    return {
        "name": name,
        "type": type_,
        "values": values,
        "optional": optional,
        "fields": fields,
        "items": items,
    }


def type_ok(type_, value):
    """Whether `value` (a decoded JSON value, or a callable) is of field type `type_`."""
    if type_ == "any":
        return True
    if type_ == "string":
        return isinstance(value, str)
    if type_ == "boolean":
        return isinstance(value, bool)
    if type_ == "number":
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if type_ == "object":
        return isinstance(value, dict)
    if type_ == "array":
        return isinstance(value, (list, tuple))
    if type_ == "function":
        return callable(value)
    return False


def check_fields(specs, payload, where, problems=None, open_=False):
    """Append to `problems` (and return it) what is wrong with dict `payload` against `specs`.

    A missing or null field is a problem unless optional; a field the specs do
    not name is a problem unless `open_`. `where` prefixes each problem
    ("rcevent.gid should be a number").
    """
    if problems is None:
        problems = []
    known = set()
    for spec in specs:
        known.add(spec["name"])
        key = spec["name"]
        path = where + "." + key
        if key not in payload or payload[key] is None:
            if not spec["optional"]:
                problems.append(path + " is missing")
            continue
        check_value(spec, payload[key], path, problems)
    if not open_:
        for key in payload:
            if key not in known:
                problems.append(where + "." + str(key) + " is not a documented field")
    return problems


def check_value(spec, value, path, problems):
    """Append to `problems` what is wrong with one value against its field spec."""
    if not type_ok(spec["type"], value):
        problems.append(path + " should be a " + spec["type"])
        return
    if spec["values"] is not None and value not in spec["values"]:
        problems.append(path + " must be one of " + "|".join(str(v) for v in spec["values"]))
    if spec["fields"] is not None and isinstance(value, dict):
        check_fields(spec["fields"], value, path, problems)
    if spec["items"] is not None and isinstance(value, (list, tuple)):
        for i, item in enumerate(value):
            check_value(spec["items"], item, path + "[" + str(i) + "]", problems)


def _render_type(spec):
    if spec["values"]:
        return " | ".join('"' + v + '"' if isinstance(v, str) else str(v) for v in spec["values"])
    if spec["type"] == "object" and spec["fields"]:
        return render(spec["fields"])
    if spec["type"] == "array" and spec["items"]:
        return _render_type(spec["items"]) + "[]"
    return spec["type"]


def render(specs):
    """The one-line form of a payload: {name: type, optional?: type} ({} when it has no fields)."""
    if not specs:
        return "{}"
    return "{" + ", ".join(s["name"] + ("?" if s["optional"] else "") + ": " + _render_type(s)
                           for s in specs) + "}"


def sample_value(spec, make_callback):
    """A valid value for field `spec` (docs and tests); `make_callback(name)` makes function fields."""
    if spec["values"]:
        return spec["values"][0]
    t = spec["type"]
    if t == "object":
        return {f["name"]: sample_value(f, make_callback) for f in (spec["fields"] or ())}
    if t == "array":
        return [sample_value(spec["items"], make_callback)] if spec["items"] else []
    if t == "function":
        return make_callback(spec["name"])
    return {"string": "sample", "number": 1, "boolean": True, "any": None}[t]
