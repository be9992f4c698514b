# Reads an HTML page on stdin and fails unless it is one balanced document whose inline SVG
# diagrams are each well-formed XML; used by tests/it/graph.rs on `report --format html`.
import re
import sys
import xml.etree.ElementTree as ElementTree
from html.parser import HTMLParser

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class Balance(HTMLParser):
    def __init__(self):
        super().__init__()
        self.open = []
        self.roots = 0

    def handle_starttag(self, tag, attrs):
        if tag in VOID:
            return
        if not self.open:
            self.roots += 1
        self.open.append(tag)

    def handle_startendtag(self, tag, attrs):
        pass

    def handle_endtag(self, tag):
        if tag in VOID:
            return
        if not self.open or self.open[-1] != tag:
            sys.exit(f"</{tag}> closes <{self.open[-1] if self.open else 'nothing'}> at line {self.getpos()[0]}")
        self.open.pop()


page = sys.stdin.read()
balance = Balance()
balance.feed(page)
balance.close()
if balance.open:
    sys.exit(f"left open: {balance.open}")
if balance.roots != 1:
    sys.exit(f"{balance.roots} root elements, not one")
depth, start = 0, 0
for tag in re.finditer(r"<svg\b|</svg>", page):
    if tag.group() == "<svg":
        start = tag.start() if depth == 0 else start
        depth += 1
    else:
        depth -= 1
        if depth == 0:
            ElementTree.fromstring(page[start : tag.end()])
