#!/usr/bin/env python3
"""Why is something in a NativeAOT binary? Reads the dependency graph ILC writes with -p:IlcGenerateDgmlFile=true.

    python3 bench/footprint/why.py obj/.../native/APP.codegen.dgml.xml TEXT [--paths N]

For every graph node whose label contains TEXT (the first --paths N of them, default 3, shortest labels first), prints
the shortest chain of dependencies from a root (Main, a runtime export, reflection roots) down to it: each line is
needed by the line above it, for the reason in brackets (ILC's words). The codegen graph (APP.codegen.dgml.xml) has
the final dependencies; the scan graph (APP.scan.dgml.xml) is the earlier whole-program scan.
"""
import collections
import sys
import xml.etree.ElementTree as ET


def load(path):
    labels, edges = {}, collections.defaultdict(list)   # edges: target -> [(source, reason)]
    has_source = set()
    for _, el in ET.iterparse(path, events=("end",)):
        tag = el.tag.rsplit("}", 1)[-1]
        if tag == "Node":
            labels[el.get("Id")] = el.get("Label") or el.get("Id")
        elif tag == "Link":
            edges[el.get("Target")].append((el.get("Source"), el.get("Reason") or ""))
            has_source.add(el.get("Target"))
        el.clear()
    roots = {n for n in labels if n not in has_source}
    return labels, edges, roots


def chain(target, edges, roots):
    """Breadth-first from the target towards the roots over reversed edges."""
    previous = {target: None}
    queue = collections.deque([target])
    while queue:
        node = queue.popleft()
        if node in roots:
            path = []
            while node is not None:
                nxt = previous[node]
                path.append((node, nxt[1] if nxt else ""))
                node = nxt[0] if nxt else None
            return path
        for source, reason in edges.get(node, ()):
            if source not in previous:
                previous[source] = (node, reason)
                queue.append(source)
    return None


def main():
    args = sys.argv[1:]
    count = 3
    if "--paths" in args:
        i = args.index("--paths")
        count = int(args[i + 1])
        del args[i:i + 2]
    if len(args) != 2:
        sys.exit(__doc__)
    labels, edges, roots = load(args[0])
    matches = sorted((n for n, label in labels.items() if args[1] in label), key=lambda n: len(labels[n]))
    print(f"{len(matches)} nodes name {args[1]!r}")
    for node in matches[:count]:
        path = chain(node, edges, roots)
        print()
        if path is None:
            print(f"{labels[node]}: no path from a root")
            continue
        reason = ""
        for depth, (n, why) in enumerate(path):
            print(f"{'  ' * depth}{labels[n]}" + (f"   [{reason}]" if reason else ""))
            reason = why


if __name__ == "__main__":
    main()
