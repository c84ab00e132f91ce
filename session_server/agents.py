"""`python -m session_server.agents`: add agents and set their passwords in a groups file.

    python -m session_server.agents add --groups FILE --group 72937 --username U [--password-stdin]
        [--name N] [--title T] [--agentrole R] [--partneruserid P] [--no-password]
    python -m session_server.agents set-password --groups FILE --group 72937 --username U [--password-stdin]
    python -m session_server.agents hash-file --groups FILE     # every clear-text password -> its hash
    python -m session_server.agents hash [--password-stdin]     # print one hash

Passwords are read from the terminal (asked twice), or with --password-stdin
as the first line of standard input. The file is edited in place, as text
(comments and layout are kept), and written atomically; only the agent's
own lines change. Agent tables must be written `[[groups.<id>.agents]]`, as
in the demo file. See docs/agent-sign-in.md.
"""

import argparse
import getpass
import json
import os
import re
import sys
import tempfile
import tomllib

from . import passwords

_HEADER = re.compile(r"^\s*\[")
_AGENTS = re.compile(r"^\s*\[\[\s*groups\s*\.\s*\"?([0-9]+)\"?\s*\.\s*agents\s*\]\]\s*(#.*)?$")
_GROUP_LINE = re.compile(r"^\s*\[\[?\s*groups\s*\.\s*\"?([0-9]+)\"?\s*[.\]]")
_PW_LINE = re.compile(r"^(\s*)(password|password_hash)\s*=")


class CliError(Exception):
    """A problem the command reports in one line (exit status 2)."""


def _blocks(lines):
    """[(start, end, group id or None, is_agent_table)] for every table of the file (end exclusive)."""
    starts = [i for i, line in enumerate(lines) if _HEADER.match(line)]
    out = []
    for n, start in enumerate(starts):
        end = starts[n + 1] if n + 1 < len(starts) else len(lines)
        m, g = _AGENTS.match(lines[start]), _GROUP_LINE.match(lines[start])
        out.append((start, end, int(g.group(1)) if g else None, bool(m)))
    return out


def _body(lines, start, end):
    try:
        return tomllib.loads("".join(lines[start + 1:end]))
    except tomllib.TOMLDecodeError as exc:
        raise CliError("cannot read the table at line %d: %s" % (start + 1, exc))


def _toml_str(value):
    return json.dumps(value, ensure_ascii=False)


def _find_agent(lines, group, username):
    for start, end, gid, is_agent in _blocks(lines):
        if is_agent and gid == group and _body(lines, start, end).get("username") == username:
            return start, end
    return None


def _set_hash(lines, start, end, stored):
    """Replace the agent table's password / password_hash line(s) by one password_hash line."""
    body = lines[start + 1:end]
    idx = [i for i, line in enumerate(body) if _PW_LINE.match(line)]
    indent = _PW_LINE.match(body[idx[0]]).group(1) if idx else ""
    new_line = indent + "password_hash = " + _toml_str(stored) + "\n"
    if idx:
        body[idx[0]] = new_line
        for i in reversed(idx[1:]):
            del body[i]
    else:
        at = next((i + 1 for i, line in enumerate(body) if re.match(r"^\s*username\s*=", line)), 0)
        body.insert(at, new_line)
    return lines[:start + 1] + body + lines[end:]


def _check(text, group=None, username=None, stored=None):
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:   # never write a file we broke
        raise CliError("the edited file would not be valid TOML (%s); nothing was written" % exc)
    if username is not None:
        agents = data.get("groups", {}).get(str(group), {}).get("agents", [])
        if not any(a.get("username") == username and a.get("password_hash") == stored for a in agents):
            raise CliError("could not place the agent in the file; nothing was written")


def _write(path, text):
    d = os.path.dirname(os.path.abspath(path))
    mode = os.stat(path).st_mode & 0o777
    fd, tmp = tempfile.mkstemp(dir=d, prefix=".groups-")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def _read(path):
    try:
        with open(path, encoding="utf-8") as fh:
            return fh.read().splitlines(keepends=True)
    except (OSError, UnicodeError) as exc:
        raise CliError("cannot read " + path + ": " + str(exc))


def read_password(from_stdin, stdin=None):
    """The new password: the first line of stdin, or asked twice on the terminal."""
    if from_stdin:
        line = (stdin or sys.stdin).readline()
        pw = line[:-1] if line.endswith("\n") else line
        pw = pw[:-1] if pw.endswith("\r") else pw
    else:
        pw = getpass.getpass("New password: ")
        if getpass.getpass("Again: ") != pw:
            raise CliError("the two passwords differ")
    if not pw:
        raise CliError("the password is empty")
    return pw


def set_password(path, group, username, password):
    lines = _read(path)
    where = _find_agent(lines, group, username)
    if where is None:
        raise CliError("no agent %s in group %d of %s (add it with `add`)" % (username, group, path))
    stored = passwords.hash_password(password)
    text = "".join(_set_hash(lines, where[0], where[1], stored))
    _check(text, group, username, stored)
    _write(path, text)


def add_agent(path, group, username, password, fields):
    lines = _read(path)
    if _find_agent(lines, group, username) is not None:
        raise CliError("group %d already has an agent %s (use set-password)" % (group, username))
    mine = [b for b in _blocks(lines) if b[2] == group]
    if not mine:
        raise CliError("%s has no [groups.%d] table" % (path, group))
    at = mine[-1][1]
    # before the blank lines and comments that end the group (comments there introduce the next table)
    while at > mine[-1][0] + 1 and (not lines[at - 1].strip() or lines[at - 1].lstrip().startswith("#")):
        at -= 1
    if at > 0 and not lines[at - 1].endswith("\n"):
        lines[at - 1] += "\n"
    stored = passwords.hash_password(password) if password is not None else None
    block = ["\n", "[[groups.%d.agents]]\n" % group, "username = " + _toml_str(username) + "\n"]
    if stored is not None:
        block.append("password_hash = " + _toml_str(stored) + "\n")
    for k in ("partneruserid", "name", "title", "agentrole"):
        if fields.get(k) is not None:
            block.append(k + " = " + _toml_str(fields[k]) + "\n")
    text = "".join(lines[:at] + block + lines[at:])
    _check(text, group, username, stored)
    _write(path, text)


def hash_file(path):
    """Replace every clear-text `password` of the file's agents by its hash; answers how many."""
    lines = _read(path)
    count = 0
    for start, end, gid, is_agent in reversed(_blocks(lines)):
        if not is_agent:
            continue
        body = _body(lines, start, end)
        pw = body.get("password")
        if pw is None:
            continue
        if not isinstance(pw, str) or not pw:
            raise CliError("the agent table at line %d has a password that is not a non-empty string" % (start + 1))
        if not any(re.match(r"^\s*password\s*=", line) for line in lines[start + 1:end]):
            raise CliError("the agent table at line %d writes its password in a form this command cannot edit"
                           % (start + 1))
        lines = _set_hash(lines, start, end, passwords.hash_password(pw))
        count += 1
    text = "".join(lines)
    _check(text)
    if count:
        _write(path, text)
    return count


def main(argv=None, stdin=None, stdout=None):
    out = stdout or sys.stdout
    ap = argparse.ArgumentParser(prog="python -m session_server.agents",
                                 description="add agents and set their password hashes in a groups file")
    sub = ap.add_subparsers(dest="cmd", required=True)
    for name in ("add", "set-password"):
        p = sub.add_parser(name)
        p.add_argument("--groups", required=True, help="the groups TOML file to edit")
        p.add_argument("--group", required=True, type=int)
        p.add_argument("--username", required=True)
        p.add_argument("--password-stdin", action="store_true", help="read the password from stdin's first line")
        if name == "add":
            p.add_argument("--no-password", action="store_true", help="an agent who signs in by login key only")
            for k in ("partneruserid", "name", "title", "agentrole"):
                p.add_argument("--" + k)
    p = sub.add_parser("hash-file", help="replace every clear-text password of a groups file by its hash")
    p.add_argument("--groups", required=True)
    p = sub.add_parser("hash", help="print the hash of one password")
    p.add_argument("--password-stdin", action="store_true")
    args = ap.parse_args(argv)
    try:
        if args.cmd == "hash":
            print(passwords.hash_password(read_password(args.password_stdin, stdin)), file=out)
        elif args.cmd == "hash-file":
            n = hash_file(args.groups)
            print("%s: %d clear-text password%s replaced by hashes" % (args.groups, n, "" if n == 1 else "s"), file=out)
        elif args.cmd == "set-password":
            set_password(args.groups, args.group, args.username, read_password(args.password_stdin, stdin))
            print("%s: password of %s (group %d) set" % (args.groups, args.username, args.group), file=out)
        else:
            pw = None if args.no_password else read_password(args.password_stdin, stdin)
            add_agent(args.groups, args.group, args.username, pw,
                      {k: getattr(args, k) for k in ("partneruserid", "name", "title", "agentrole")})
            print("%s: agent %s added to group %d" % (args.groups, args.username, args.group), file=out)
    except (CliError, ValueError) as exc:
        print("session_server.agents: " + str(exc), file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
