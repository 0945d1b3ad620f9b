#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Fill pmemctl.8.in with the commands of the built pmemctl.

    gen-pmemctl-man.py TEMPLATE PMEMCTL OUTPUT VERSION

@COMMANDS@ becomes one .SS section per command of `pmemctl --help`, made
from `pmemctl COMMAND --help`: synopsis, description, options and the
command's own exit codes; @EXIT_STATUS@ the shared exit codes of
`pmemctl --help`. So the page documents exactly what the binary accepts.
Fails (exit 1, saying what) when the help text has a shape this script
does not know, rather than writing a page with pieces missing.
"""
import re
import subprocess
import sys

# the paragraph every online/offline command repeats: said once in the page
TARGET_PARA = "Online (the default) the command goes to"


def die(msg):
    sys.stderr.write("gen-pmemctl-man: %s\n" % msg)
    sys.exit(1)


def run(pmemctl, *args):
    p = subprocess.run([pmemctl, *args], stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, text=True, check=False)
    if p.returncode != 0:
        die("'%s' exited %d: %s" % (" ".join(args), p.returncode, p.stderr))
    return p.stdout


def esc(text):
    """Text for a roff text line (no line starting with . or ')."""
    text = text.replace("\\", "\\e")
    text = text.replace("-", "\\-")
    return text


def text_lines(text):
    out = []
    for line in text.split("\n"):
        line = esc(line.strip())
        if line.startswith(".") or line.startswith("'"):
            line = "\\&" + line
        out.append(line)
    return out


def sections(helptext):
    """Split help text into {heading: lines}; '' for the part on top."""
    parts = {"": []}
    cur = ""
    for line in helptext.rstrip("\n").split("\n"):
        m = re.fullmatch(r"([a-z][a-z ]*):", line)
        if m:
            cur = m.group(1)
            parts[cur] = []
            continue
        parts[cur].append(line)
    return parts


def paragraphs(lines):
    paras, cur = [], []
    for line in lines:
        if line.strip():
            cur.append(line)
        elif cur:
            paras.append(cur)
            cur = []
    if cur:
        paras.append(cur)
    return paras


def exit_codes(lines):
    """[(code, text)] from '  239  EEXIST: ...' lines and continuations."""
    codes = []
    for line in lines:
        m = re.fullmatch(r"  (\d+|N)\s+(.*)", line)
        if m:
            codes.append([m.group(1), m.group(2)])
        elif re.fullmatch(r" {5,}\S.*", line) and codes:
            codes[-1][1] += " " + line.strip()
        elif line.strip():
            break
    return codes


def roff_exit_codes(codes):
    out = []
    for code, text in codes:
        out += [".TP", ".B " + code] + text_lines(text)
    return out


OPT_RE = re.compile(r"  (?:(-[A-Za-z0-9]), |    )(--[a-z][a-z0-9-]*)"
                    r"(?: (\S+))?\s{2,}(\S.*)")


def command_section(pmemctl, name, summary, shared):
    help_text = run(pmemctl, name, "--help")
    parts = sections(help_text)
    top = parts[""]
    if not top or not top[0].startswith("usage: pmemctl " + name):
        die("'%s --help' does not start with its usage line" % name)
    usage = top[0][len("usage: pmemctl " + name):].strip()
    i = 1
    while i < len(top) and top[i].startswith(" ") and top[i].strip():
        usage += " " + top[i].strip()
        i += 1
    out = [".SS " + name, ".SY \"pmemctl " + esc(name) + "\""]
    if usage:
        out += text_lines(usage)
    out += [".YS", ".PP"] + text_lines(summary[:1].upper() + summary[1:] + ".")
    for para in paragraphs(top[i:]):
        if para[0].startswith(TARGET_PARA):
            continue
        out += [".PP"] + text_lines(" ".join(l.strip() for l in para))
    opts = parts.get("options")
    if opts is None:
        die("'%s --help' has no options list" % name)
    out += [".PP", "Options:"]
    n = 0
    for line in opts:
        if not line.strip():
            continue
        m = OPT_RE.fullmatch(line)
        if not m:
            die("'%s --help': option line not understood: %r" % (name, line))
        short, long_, arg, desc = m.groups()
        tag = ""
        if short:
            tag = "\\fB" + esc(short) + "\\fR, "
        tag += "\\fB" + esc(long_) + "\\fR"
        if arg:
            tag += " \\fI" + esc(arg) + "\\fR"
        out += [".TP", tag] + text_lines(desc)
        n += 1
    if n == 0:
        die("'%s --help': no options found" % name)
    codes = exit_codes(parts.get("exit codes", []))
    own = [c for c in codes if c[0] not in shared]
    if not codes:
        die("'%s --help' lists no exit codes" % name)
    if own:
        out += [".PP", "Exit codes besides the shared ones (see \\fBEXIT STATUS\\fR):"]
        out += roff_exit_codes(own)
    return out


def main():
    if len(sys.argv) != 5:
        die("usage: gen-pmemctl-man.py TEMPLATE PMEMCTL OUTPUT VERSION")
    template, pmemctl, output, version = sys.argv[1:]
    main_help = sections(run(pmemctl, "--help"))
    cmds = []
    for line in main_help.get("commands", []):
        m = re.fullmatch(r"  ([a-z][a-z-]*)\s+(\S.*)", line)
        if m:
            cmds.append(m.groups())
    if not cmds:
        die("'pmemctl --help' lists no commands")
    shared_codes = exit_codes(main_help.get("exit codes", []))
    if not shared_codes:
        die("'pmemctl --help' lists no exit codes")
    shared = {c[0] for c in shared_codes}
    body = []
    for name, summary in cmds:
        body += command_section(pmemctl, name, summary, shared)
    with open(template, encoding="utf-8") as f:
        page = f.read()
    for marker in ("@COMMANDS@", "@EXIT_STATUS@", "@VERSION@"):
        if marker not in page:
            die("template has no %s" % marker)
    page = page.replace("@COMMANDS@", "\n".join(body))
    page = page.replace("@EXIT_STATUS@", "\n".join(roff_exit_codes(shared_codes)))
    page = page.replace("@VERSION@", version)
    with open(output, "w", encoding="utf-8") as f:
        f.write(page)


if __name__ == "__main__":
    main()
