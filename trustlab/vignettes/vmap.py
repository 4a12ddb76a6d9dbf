"""A map of a vignette for authors and instructors: every scene, choice and ending on one picture.

    from trustlab.vignettes.vmap import map_svg, map_html
    svg = map_svg(vignette)                                  # an inline SVG string
    page = map_html(vignette, counts={"choices": {("waiting_room", 0): 12}, "endings": {"door_open": 7}})

Why hand-written SVG rather than Graphviz or a chart library: the map must render offline,
on Binder and in a class debrief, without a system binary, a script or a web font, and
its text must take the page's colour (``currentColor``) so it reads in dark themes.

The layout is a small layered ("Sugiyama") drawing, left to right:

1. **Layers.** A scene's column is its depth: the most choices on a way to it from a
   start (the ``start`` scene and, in a session of a series, every ``start_when``
   opening), loops left out, so every arrow but a loop points right. Every ending sits
   in one last column, so the outcomes read down the right edge.
2. **Long arrows.** An arrow that skips columns gets a thin placeholder in each column it
   crosses, so it runs between boxes instead of through them.
3. **Order.** A few sweeps sort each column by the mean position of what leads into it
   (the barycentre heuristic), which removes most crossings.
4. **Heights.** Boxes are stacked in that order, each as close as it can get to the arrows
   that enter it, never closer than a fixed gap to the box above: boxes cannot overlap.
5. **Loops back** (to a scene in the same or an earlier column) leave the box to the
   right and run along a lane above or below the whole drawing, one lane per loop.

Each choice is a row inside its scene's box ("2 · Open question") and its arrow leaves
from that row, so the label sits where the arrow starts; skill kind is shown by colour
AND line style (builds solid blue, risks dashed vermilion); endings carry their kind as a
word as well as a colour. Long words are shortened; the full text is in a ``<title>``
tooltip.
"""

from __future__ import annotations

import re
import sys
import textwrap
from dataclasses import dataclass, field
from html import escape
from pathlib import Path
from typing import Iterable, Mapping

from trustlab.charts import PALETTE
from trustlab.vignettes.model import Skill, Vignette, load_skills

__all__ = ["map_svg", "map_html", "maps_html", "maps_svg", "write_map"]

# Okabe-Ito colours (trustlab.charts.PALETTE), each paired with a second cue.
KIND_COLOURS = {"builds": PALETTE[0], "risks": PALETTE[5]}  # blue solid / vermilion dashed
KIND_DASH = {"builds": "", "risks": "6 4"}
ENDING_COLOURS = {"positive": PALETTE[2], "mixed": PALETTE[1], "troubled": PALETTE[5]}
OTHER = "#888888"  # a skill or ending kind the map does not know (never in a checked file)

FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif"
BOX_W = 230          # scene and ending boxes
PAD = 8
LINE = 15            # height of a line of box text
ROW = 17             # height of one choice row
GAP_X = 120          # between columns: room for curves and counts
GAP_Y = 26           # between boxes in a column
DUMMY_H = 6          # a long arrow's placeholder in a column it crosses
LANE = 9             # between the lanes of loops back
MARGIN = 16
LEGEND_H = 64
CHAR_W = {12: 6.6, 11: 6.1, 10.5: 5.8, 10: 5.5}  # generous mean glyph widths for system-ui


# --------------------------------------------------------------------------- graph and layout

@dataclass
class _Node:
    id: str
    kind: str           # "scene", "ending" or "dummy"
    layer: int
    height: float
    y: float = 0.0
    order: float = 0.0


@dataclass
class _Edge:
    scene: str
    index: int
    target: str
    back: bool
    via: list[str] = field(default_factory=list)  # dummy node ids, one per crossed column


@dataclass
class _Layout:
    nodes: dict[str, _Node]
    layers: list[list[str]]
    edges: list[_Edge]
    entries: dict[tuple[str, int], float]  # (scene, choice index) -> y where its arrow enters the target
    width: float
    height: float
    top: float       # first y below the upper loop lanes
    lanes_up: dict[tuple[str, int], int]
    lanes_down: dict[tuple[str, int], int]


def _starts(vignette: Vignette) -> list[str]:
    """The start scene, then every extra opening of a session (``start_when``), without repeats."""
    return list(dict.fromkeys([vignette.start_id, *(s for _, s in vignette.start_when)]))


def _loops(vignette: Vignette) -> set[tuple[str, int]]:
    """The choices that lead back to a scene already on the way there (a depth-first walk from
    every start, in file order): without them the scenes form a graph with no cycles."""
    loops, state = set(), {}  # state: 1 = on the current way down, 2 = done
    for start in [*_starts(vignette), *vignette.scenes]:
        if start not in vignette.scenes or start in state:
            continue
        state[start] = 1
        stack = [(start, iter(enumerate(vignette.scenes[start].choices)))]
        while stack:
            sid, choices = stack[-1]
            item = next(choices, None)
            if item is None:
                state[sid] = 2
                stack.pop()
                continue
            index, choice = item
            if choice.next not in vignette.scenes:
                continue
            if state.get(choice.next) == 1:
                loops.add((sid, index))
            elif choice.next not in state:
                state[choice.next] = 1
                stack.append((choice.next, iter(enumerate(vignette.scenes[choice.next].choices))))
    return loops


def _depths(vignette: Vignette, loops: set[tuple[str, int]]) -> dict[str, int]:
    """A scene's column: the most choices on a way to it from a start, loops left out, so every
    other arrow points to the right. (The fewest would put scenes that follow each other in one
    column.) Computed in one pass over the scenes in an order where each comes after those
    leading to it."""
    preds: dict[str, list[str]] = {sid: [] for sid in vignette.scenes}
    for sid, scene in vignette.scenes.items():
        for i, choice in enumerate(scene.choices):
            if choice.next in vignette.scenes and (sid, i) not in loops:
                preds[choice.next].append(sid)
    depth: dict[str, int] = {}
    waiting = {sid: len(p) for sid, p in preds.items()}
    ready = [sid for sid, n in waiting.items() if n == 0]
    while ready:
        sid = ready.pop()
        depth[sid] = max((depth[p] + 1 for p in preds[sid]), default=0)
        for choice in [c.next for i, c in enumerate(vignette.scenes[sid].choices) if (sid, i) not in loops]:
            if choice in waiting:
                waiting[choice] -= 1
                if waiting[choice] == 0:
                    ready.append(choice)
    return depth


def _scene_height(vignette: Vignette, sid: str) -> float:
    extra = LINE if sid in _starts(vignette) else 0
    return PAD + LINE + 2 * LINE + 4 + ROW * len(vignette.scenes[sid].choices) + PAD + extra


ENDING_H = PAD + LINE + 2 * LINE + LINE + PAD


def _layout(vignette: Vignette) -> _Layout:
    loops = _loops(vignette)
    depth = _depths(vignette, loops)
    last = max(depth.values(), default=0) + 1
    nodes: dict[str, _Node] = {}
    for sid in vignette.scenes:
        nodes[sid] = _Node(sid, "scene", depth[sid], _scene_height(vignette, sid))
    for eid in vignette.endings:
        nodes[eid] = _Node(eid, "ending", last, ENDING_H)

    edges: list[_Edge] = []
    for sid, scene in vignette.scenes.items():
        for i, choice in enumerate(scene.choices):
            target = nodes.get(choice.next)
            if target is None:  # a broken link: the checker reports it; the map skips the arrow
                continue
            edge = _Edge(sid, i, choice.next, back=(sid, i) in loops)
            if not edge.back:
                for layer in range(depth[sid] + 1, target.layer):
                    did = f"\0{sid}\0{i}\0{layer}"
                    nodes[did] = _Node(did, "dummy", layer, DUMMY_H)
                    edge.via.append(did)
            edges.append(edge)

    layers = _order(nodes, edges, last + 1, vignette)
    entries = _place(nodes, layers, edges, vignette)
    lanes_up, lanes_down = _lanes(nodes, edges, vignette)
    top = MARGIN + LEGEND_H + LANE * (len(lanes_up) + 1)
    bottom_of_boxes = 0.0
    for node in nodes.values():
        node.y += top
        bottom_of_boxes = max(bottom_of_boxes, node.y + node.height)
    entries = {k: v + top for k, v in entries.items()}
    height = bottom_of_boxes + LANE * (len(lanes_down) + 1) + MARGIN
    width = 2 * MARGIN + (last + 1) * BOX_W + last * GAP_X
    return _Layout(nodes, layers, edges, entries, width, height, top, lanes_up, lanes_down)


def _chain(edge: _Edge) -> list[str]:
    return [edge.scene, *edge.via, edge.target]


def _order(nodes: dict[str, _Node], edges: list[_Edge], n_layers: int, vignette: Vignette) -> list[list[str]]:
    """Columns in an order with few crossings: barycentre sweeps, down and up, four times."""
    down: dict[str, list[tuple[str, float]]] = {}  # node -> (node in the column before, row offset)
    up: dict[str, list[str]] = {}
    for edge in edges:
        if edge.back:
            continue
        chain = _chain(edge)
        for a, b in zip(chain, chain[1:]):
            offset = edge.index * 0.01 if a == edge.scene else 0.0  # a later choice leaves lower
            down.setdefault(b, []).append((a, offset))
            up.setdefault(a, []).append(b)
    layers: list[list[str]] = [[] for _ in range(n_layers)]
    for nid, node in nodes.items():  # file order first: what the author wrote is the tie-breaker
        layers[node.layer].append(nid)
    for layer in layers:
        for i, nid in enumerate(layer):
            nodes[nid].order = i

    def sweep(column: list[str], neighbours) -> None:
        keys = {}
        for nid in column:
            near = neighbours(nid)
            keys[nid] = sum(near) / len(near) if near else nodes[nid].order
        column.sort(key=lambda nid: (keys[nid], nodes[nid].order))
        for i, nid in enumerate(column):
            nodes[nid].order = i

    for _ in range(4):
        for layer in layers[1:]:
            sweep(layer, lambda nid: [nodes[a].order + off for a, off in down.get(nid, ())])
        for layer in reversed(layers[:-1]):
            sweep(layer, lambda nid: [nodes[b].order for b in up.get(nid, ())])
    return layers


def _port_y(node: _Node, vignette: Vignette, index: int) -> float:
    """Where choice ``index``'s arrow leaves its scene box (relative to the layout's top)."""
    start_row = LINE if node.id in _starts(vignette) else 0
    return node.y + PAD + start_row + 3 * LINE + 4 + ROW * index + ROW / 2


def _place(nodes: dict[str, _Node], layers: list[list[str]], edges: list[_Edge],
           vignette: Vignette) -> dict[tuple[str, int], float]:
    """Heights, column by column: each box as near as it can be to the arrows entering it."""
    incoming: dict[str, list[tuple[_Edge, str]]] = {}
    for edge in edges:
        if edge.back:
            continue
        chain = _chain(edge)
        for a, b in zip(chain, chain[1:]):
            incoming.setdefault(b, []).append((edge, a))

    def source_y(edge: _Edge, a: str) -> float:
        node = nodes[a]
        return _port_y(node, vignette, edge.index) if a == edge.scene else node.y + DUMMY_H / 2

    for layer in layers:
        wanted = {}
        for nid in layer:
            node, ins = nodes[nid], incoming.get(nid, ())
            if ins:
                wanted[nid] = sum(source_y(e, a) for e, a in ins) / len(ins) - node.height / 2
        _stack(layer, nodes, wanted)

    entries: dict[tuple[str, int], float] = {}
    arriving: dict[str, list[tuple[float, _Edge]]] = {}
    for edge in edges:
        chain = _chain(edge)
        before = nodes[chain[-2]]
        y = _port_y(before, vignette, edge.index) if len(chain) == 2 else before.y + DUMMY_H / 2
        arriving.setdefault(edge.target, []).append((-1e9 if edge.back else y, edge))
    for target, items in arriving.items():
        node = nodes[target]
        items.sort(key=lambda t: (t[0], t[1].scene, t[1].index))
        low, high = node.y + PAD, node.y + node.height - PAD
        for k, (_, edge) in enumerate(items):
            entries[(edge.scene, edge.index)] = low + (high - low) * (k + 1) / (len(items) + 1)
    return entries


def _stack(layer: list[str], nodes: dict[str, _Node], wanted: dict[str, float]) -> None:
    """Stack a column in order, each box at its wanted height or just below the one above;
    then lift the whole column by the mean push-down so it stays near its arrows."""
    y, pushed = 0.0, []
    for nid in layer:
        node = nodes[nid]
        gap = GAP_Y if node.kind != "dummy" else GAP_Y / 2
        floor = y + (gap if y else 0)
        want = wanted.get(nid, floor)
        node.y = max(want, floor)
        if nid in wanted:
            pushed.append(node.y - want)
        y = node.y + node.height
    lift = sum(pushed) / len(pushed) if pushed else 0.0
    first = nodes[layer[0]].y - lift if layer else 0.0
    shift = -lift if first >= 0 else -(lift + first)
    for nid in layer:
        nodes[nid].y += shift


def _lanes(nodes: dict[str, _Node], edges: list[_Edge],
           vignette: Vignette) -> tuple[dict[tuple[str, int], int], dict[tuple[str, int], int]]:
    """Each loop back gets its own lane above or below the drawing, whichever is nearer."""
    ys = [n.y for n in nodes.values()] + [n.y + n.height for n in nodes.values()]
    middle = (min(ys) + max(ys)) / 2 if ys else 0
    up: dict[tuple[str, int], int] = {}
    down: dict[tuple[str, int], int] = {}
    for edge in edges:
        if not edge.back:
            continue
        mean = (_port_y(nodes[edge.scene], vignette, edge.index) + nodes[edge.target].y) / 2
        lanes = up if mean < middle else down
        lanes[(edge.scene, edge.index)] = len(lanes)
    return up, down


def _x(layer: int) -> float:
    return MARGIN + layer * (BOX_W + GAP_X)


# --------------------------------------------------------------------------- drawing

def _short(text: str, width: float, size: float, lines: int = 1) -> list[str]:
    """Wrap to at most ``lines`` lines of ``width`` px, with an ellipsis when text was cut."""
    chars = max(4, int(width / CHAR_W.get(size, size * 0.55)))
    text = " ".join(str(text).split())
    wrapped = textwrap.wrap(text, chars) or [""]
    if len(wrapped) > lines:
        wrapped = wrapped[:lines]
        wrapped[-1] = wrapped[-1][: chars - 1].rstrip() + "…"
    return wrapped


def _t(x: float, y: float, text: str, size: float = 12, **attrs) -> str:
    extra = "".join(f' {k.rstrip("_").replace("_", "-")}="{escape(str(v))}"' for k, v in attrs.items())
    return f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}"{extra}>{escape(text)}</text>'


def _count_text(value) -> str:
    return f"{value:,}" if isinstance(value, int) and not isinstance(value, bool) else str(value)


def _id_prefix(vignette: Vignette) -> str:
    return "vmap-" + re.sub(r"[^A-Za-z0-9_-]", "-", vignette.id)


def _defs(prefix: str) -> str:
    markers = "".join(
        f'<marker id="{prefix}-arrow-{kind}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" '
        f'markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="{colour}"/></marker>'
        for kind, colour in [*KIND_COLOURS.items(), ("other", OTHER)])
    return f"<defs>{markers}</defs>"


def _legend(counts: bool) -> str:
    """What the colours, line styles and words mean, drawn at the top of every map."""
    y, parts = MARGIN + 14, []
    parts.append(_t(MARGIN, y, "How to read this map:", 12, font_weight="bold"))
    x = MARGIN + 170
    for kind, words in [("builds", "choice with a skill that builds trust"),
                        ("risks", "choice with a skill that risks it (dashed)")]:
        dash = f' stroke-dasharray="{KIND_DASH[kind]}"' if KIND_DASH[kind] else ""
        parts.append(f'<line x1="{x}" y1="{y - 4}" x2="{x + 40}" y2="{y - 4}" stroke="{KIND_COLOURS[kind]}" '
                     f'stroke-width="2.2"{dash}/>')
        parts.append(_t(x + 48, y, f"{kind}: {words}", 11))
        x += 330
    y += 24
    x = MARGIN
    for kind, colour in ENDING_COLOURS.items():
        parts.append(f'<rect x="{x}" y="{y - 12}" width="70" height="17" rx="4" fill="{colour}" '
                     f'fill-opacity="0.18" stroke="{colour}" stroke-width="2"/>')
        parts.append(_t(x + 6, y + 1, kind, 11, font_weight="bold"))
        x += 80
    note = ("Read left to right, from ▶ START to the endings. Each numbered row in a scene is a choice; "
            "the arrow from that row shows where it leads (↩: back to an earlier scene). "
            "Hover over a box or an arrow for the full words.")
    if counts:
        note = "Numbers beside arrows and in endings: learners who took the choice or reached the ending. " + note
    for i, line in enumerate(_short(note, 820, 11, 2)):
        parts.append(_t(x + 10, y - 4 + 13 * i, line, 11))
    return f'<g class="legend">{"".join(parts)}</g>'


def _scene_svg(vignette: Vignette, node: _Node) -> str:
    scene = vignette.scenes[node.id]
    x, y = _x(node.layer), node.y
    words = " ".join(scene.client.split())
    tooltip = f"Scene {node.id}. The client: “{words}”"
    if scene.cue:
        tooltip += f" ({' '.join(scene.cue.split())})"
    out = [f'<g class="scene" data-id="{escape(node.id)}"><title>{escape(tooltip)}</title>',
           f'<rect x="{x:.1f}" y="{y:.1f}" width="{BOX_W}" height="{node.height:.1f}" rx="6" '
           f'fill="currentColor" fill-opacity="0.05" stroke="currentColor" '
           f'stroke-width="{2.4 if node.id in _starts(vignette) else 1.2}"/>']
    line_y = y + PAD + 11
    if node.id in _starts(vignette):
        conditions = [c for c, s in vignette.start_when if s == node.id]
        if node.id == vignette.start_id:
            label = "▶ START" + (" otherwise" if vignette.start_when else "")
        else:
            label = "▶ START when " + " or ".join(_condition_words(c) for c in conditions)
        out.append(_t(x + PAD, line_y, _short(label, BOX_W - 2 * PAD, 10.5)[0], 10.5, font_weight="bold"))
        line_y += LINE
    out.append(_t(x + PAD, line_y, _short(node.id, BOX_W - 2 * PAD, 12)[0], 12, font_weight="bold"))
    for k, part in enumerate(_short(f"“{words}”", BOX_W - 2 * PAD, 11, 2)):
        out.append(_t(x + PAD, line_y + LINE * (k + 1), part, 11, font_style="italic", opacity="0.85"))
    out.append(f'<line x1="{x:.1f}" y1="{line_y + 2 * LINE + 7:.1f}" x2="{x + BOX_W:.1f}" '
               f'y2="{line_y + 2 * LINE + 7:.1f}" stroke="currentColor" stroke-opacity="0.3"/>')
    out.append("</g>")
    return "".join(out)


def _condition_words(condition) -> str:
    parts = [*sorted(condition.when), *(f"not {f}" for f in sorted(condition.unless))]
    return " and ".join(parts) or "always"


def _choice_svg(vignette: Vignette, edge: _Edge, layout: _Layout, skills: Mapping[str, Skill],
                counts: Mapping, prefix: str) -> str:
    """One choice: its row in the scene box, its arrow, and its count beside the arrow."""
    choice = vignette.scenes[edge.scene].choices[edge.index]
    skill = skills.get(choice.skill)
    kind = skill.kind if skill and skill.kind in KIND_COLOURS else "other"
    label = skill.label if skill else choice.skill
    colour = KIND_COLOURS.get(kind, OTHER)
    source = layout.nodes[edge.scene]
    x0, y0 = _x(source.layer) + BOX_W, _port_y(source, vignette, edge.index)
    target = layout.nodes[edge.target]
    x1, y1 = _x(target.layer), layout.entries[(edge.scene, edge.index)]
    path = _back_path(edge, layout, x0, y0, x1, y1) if edge.back else _forward_path(edge, layout, x0, y0, x1, y1)
    dash = f' stroke-dasharray="{KIND_DASH[kind]}"' if KIND_DASH.get(kind) else ""
    count = counts.get((edge.scene, edge.index))
    text = " ".join(choice.text.split())
    tooltip = (f"{edge.scene}, choice {edge.index + 1}: {label} ({kind}) → {edge.target}. “{text}”"
               + (f" Taken by: {_count_text(count)}." if count is not None else ""))
    out = [f'<g class="choice {kind}" data-scene="{escape(edge.scene)}" data-index="{edge.index}" '
           f'data-target="{escape(edge.target)}"><title>{escape(tooltip)}</title>',
           f'<path class="arrow" d="{path}" fill="none" stroke="{colour}" stroke-width="1.7"{dash} '
           f'marker-end="url(#{prefix}-arrow-{kind})"/>']
    row_x = _x(source.layer) + PAD
    mark = "✓" if kind == "builds" else "✗" if kind == "risks" else "?"
    row = _short(f"{edge.index + 1} {mark} {label}" + (" ↩" if edge.back else ""), BOX_W - 2 * PAD, 11)[0]
    out.append(_t(row_x, y0 + 4, row, 11, fill=colour, font_weight="bold"))
    if count is not None:
        out.append(_t(x0 + 5, y0 - 3, _count_text(count), 10.5, class_="count", font_weight="bold"))
    out.append("</g>")
    return "".join(out)


def _forward_path(edge: _Edge, layout: _Layout, x0, y0, x1, y1) -> str:
    """Smooth curves between columns, straight runs through the columns a long arrow crosses."""
    d, x, y = [f"M{x0:.1f},{y0:.1f}"], x0, y0
    for did in edge.via:
        node = layout.nodes[did]
        nx, ny = _x(node.layer), node.y + DUMMY_H / 2
        d.append(_curve(x, y, nx, ny))
        d.append(f"L{nx + BOX_W:.1f},{ny:.1f}")
        x, y = nx + BOX_W, ny
    d.append(_curve(x, y, x1 - 1, y1))
    return " ".join(d)


def _curve(x0, y0, x1, y1) -> str:
    mid = (x1 - x0) / 2
    return f"C{x0 + mid:.1f},{y0:.1f} {x1 - mid:.1f},{y1:.1f} {x1:.1f},{y1:.1f}"


def _back_path(edge: _Edge, layout: _Layout, x0, y0, x1, y1) -> str:
    """Out to the right, along this loop's own lane above or below everything, and in from the left."""
    key = (edge.scene, edge.index)
    if key in layout.lanes_up:
        lane = layout.lanes_up[key]
        ly = layout.top - LANE * (lane + 1)
    else:
        lane = layout.lanes_down[key]
        ly = layout.height - MARGIN - LANE * (len(layout.lanes_down) - lane)
    out_x = x0 + 14 + (lane % 8) * 5
    in_x = x1 - 14 - (lane % 8) * 5
    return (f"M{x0:.1f},{y0:.1f} L{out_x:.1f},{y0:.1f} L{out_x:.1f},{ly:.1f} "
            f"L{in_x:.1f},{ly:.1f} L{in_x:.1f},{y1:.1f} L{x1 - 1:.1f},{y1:.1f}")


def _ending_svg(vignette: Vignette, node: _Node, counts: Mapping) -> str:
    ending = vignette.endings[node.id]
    colour = ENDING_COLOURS.get(ending.kind, OTHER)
    x, y = _x(node.layer), node.y
    count = counts.get(node.id)
    tooltip = f"Ending {node.id} ({ending.kind}): {ending.title}. {' '.join(ending.debrief.split())}"
    if ending.outcome:
        tooltip += f" The series ends here: {ending.outcome}."
    if count is not None:
        tooltip += f" Reached by: {_count_text(count)}."
    out = [f'<g class="ending {escape(ending.kind)}" data-id="{escape(node.id)}"><title>{escape(tooltip)}</title>',
           f'<rect x="{x:.1f}" y="{y:.1f}" width="{BOX_W}" height="{node.height:.1f}" rx="10" fill="{colour}" '
           f'fill-opacity="0.18" stroke="{colour}" stroke-width="2.4"/>',
           _t(x + PAD, y + PAD + 11, f"{ending.kind} ending", 11, font_weight="bold")]
    if count is not None:
        out.append(_t(x + BOX_W - PAD, y + PAD + 11, f"reached by {_count_text(count)}", 11,
                      class_="count", text_anchor="end", font_weight="bold"))
    for k, part in enumerate(_short(ending.title, BOX_W - 2 * PAD, 12, 2)):
        out.append(_t(x + PAD, y + PAD + 11 + LINE * (k + 1), part, 12))
    tail = node.id + (f" → series: {ending.outcome}" if ending.outcome else "")
    out.append(_t(x + PAD, y + PAD + 11 + 3 * LINE, _short(tail, BOX_W - 2 * PAD, 10.5)[0], 10.5, opacity="0.8"))
    out.append("</g>")
    return "".join(out)


def _normal_counts(counts: Mapping | None) -> tuple[dict, dict]:
    counts = counts or {}
    return dict(counts.get("choices") or {}), dict(counts.get("endings") or {})


def map_svg(vignette: Vignette, counts: Mapping | None = None, title: str | None = None) -> str:
    """The map as one inline SVG element (no script, no external file): every scene, choice and ending.

    ``counts`` (optional): ``{"choices": {(scene_id, choice_index): n}, "endings": {ending_id: n}}``
    with 0-based choice indexes (as in :class:`~trustlab.vignettes.model.Step`); each value, a
    number or already-formatted words such as "fewer than 3", is shown beside its arrow or in
    its ending box.
    """
    choice_counts, ending_counts = _normal_counts(counts)
    skills = load_skills()
    layout = _layout(vignette)
    prefix = _id_prefix(vignette)
    title = title or f"Map of the vignette “{vignette.title}”"
    n_choices = sum(len(s.choices) for s in vignette.scenes.values())
    kinds = ", ".join(f"{sum(e.kind == k for e in vignette.endings.values())} {k}" for k in ENDING_COLOURS)
    desc = (f"{len(vignette.scenes)} scenes, {n_choices} choices and {len(vignette.endings)} endings "
            f"({kinds}). Starts at {vignette.start_id}"
            + "".join(f", or at {s} when {_condition_words(c)}" for c, s in vignette.start_when) + ".")
    body = [_defs(prefix), _legend(bool(choice_counts or ending_counts))]
    for node in layout.nodes.values():  # boxes first, so each choice's row is drawn over its box
        if node.kind == "scene":
            body.append(_scene_svg(vignette, node))
        elif node.kind == "ending":
            body.append(_ending_svg(vignette, node, ending_counts))
    for edge in layout.edges:
        body.append(_choice_svg(vignette, edge, layout, skills, choice_counts, prefix))
    w, h = layout.width, layout.height
    return (f'<svg xmlns="http://www.w3.org/2000/svg" class="trustlab-vignette-map" role="img" '
            f'aria-labelledby="{prefix}-title {prefix}-desc" width="{w:.0f}" height="{h:.0f}" '
            f'viewBox="0 0 {w:.0f} {h:.0f}" font-family="{escape(FONT)}" fill="currentColor">'
            f'<title id="{prefix}-title">{escape(title)}</title><desc id="{prefix}-desc">{escape(desc)}</desc>'
            + "".join(body) + "</svg>")


PAGE_CSS = """
:root { color-scheme: light dark; }
body { font-family: system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif; margin: 1.5rem; line-height: 1.4; }
.trustlab-map-scroll { overflow: auto; border: 1px solid color-mix(in srgb, currentColor 25%, transparent);
  border-radius: 6px; padding: 4px; margin-bottom: 2rem; }
.trustlab-vignette-map { display: block; }
"""


def maps_html(vignettes: Iterable[Vignette], title: str, intro: str = "",
              counts: Mapping[str, Mapping] | None = None) -> str:
    """A whole page with one map per vignette (the sessions of a series), each under its title.
    ``counts`` maps a vignette id to its counts, as for :func:`map_svg`."""
    counts = counts or {}
    sections = []
    for v in vignettes:
        sections.append(f"<section><h2>{escape(v.title)} <small>({escape(v.id)})</small></h2>"
                        f"<p>{escape(' '.join(v.summary.split()))}</p>"
                        f'<div class="trustlab-map-scroll">{map_svg(v, counts.get(v.id))}</div></section>')
    return ("<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            f"<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>{escape(title)}</title>"
            f"<style>{PAGE_CSS}</style></head><body><h1>{escape(title)}</h1>"
            + (f"<p>{escape(intro)}</p>" if intro else "") + "".join(sections) + "</body></html>\n")


def map_html(vignette: Vignette, counts: Mapping | None = None) -> str:
    """A whole, self-contained HTML page with the map of one vignette."""
    return maps_html([vignette], f"Map: {vignette.title}", counts={vignette.id: counts} if counts else None)


def maps_svg(vignettes: Iterable[Vignette], title: str) -> str:
    """Several maps stacked in one SVG file (the sessions of a series, for ``-o map.svg``)."""
    parts, y, width = [], 0.0, 0.0
    for v in vignettes:
        svg = map_svg(v)
        w, h = (float(n) for n in re.search(r'width="(\d+)" height="(\d+)"', svg).groups())
        parts.append(svg.replace("<svg ", f'<svg x="0" y="{y:.0f}" ', 1))
        y, width = y + h + 20, max(width, w)
    return (f'<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="{escape(title)}" '
            f'width="{width:.0f}" height="{y:.0f}" viewBox="0 0 {width:.0f} {y:.0f}">'
            f"<title>{escape(title)}</title>" + "".join(parts) + "</svg>")


# --------------------------------------------------------------------------- the command line

def write_map(file: Path, output: Path | None = None) -> int:
    """``python -m trustlab.vignettes map FILE -o map.html``: exit 0 and the map written; 1 when the
    file breaks a rule (each problem listed, as ``check`` does); 2 when it is missing or unreadable,
    or the output cannot be written. Never a traceback: an author fixes the file and runs it again."""
    from trustlab.content import OK, PROBLEMS, UNREADABLE, UnreadableFile, read_document
    from trustlab.vignettes.series import series_path
    from trustlab.vignettes.series_check import checked_series
    from trustlab.vignettes.validate import build, problems

    output = Path(output) if output else Path(f"{Path(file).stem}-map.html")
    if output.suffix.lower() not in (".html", ".htm", ".svg"):
        print(f"{output}: the map can be written as .html (a page) or .svg (the picture only); "
              "give -o a name ending in one of them, e.g. -o map.html.", file=sys.stderr)
        return UNREADABLE
    try:
        doc = read_document(Path(file))
    except UnreadableFile as err:
        print(err, file=sys.stderr)
        return UNREADABLE
    if series_path(file):
        lines, series, _ = checked_series(Path(file), walk_through=False)
        if series is None:
            print("\n".join(lines), file=sys.stderr)
            return PROBLEMS
        vignettes, title = list(series.sessions), f"Maps: {series.title}"
        intro = ("One map per session, as the session file is written: the scenes' own words, and every "
                 "opening a check-in can lead to marked ▶ START.")
    else:
        found = problems(doc, Path(file), load_skills())
        if found:
            print("\n".join(p.render(file) for p in found), file=sys.stderr)
            print(f"Fix these problems in {file}, then draw the map again.", file=sys.stderr)
            return PROBLEMS
        vignettes, title, intro = [build(doc.data, Path(file))], None, ""
    if output.suffix.lower() == ".svg":
        text = map_svg(vignettes[0]) if len(vignettes) == 1 else maps_svg(vignettes, title)
    else:
        text = map_html(vignettes[0]) if len(vignettes) == 1 else maps_html(vignettes, title, intro)
    try:
        output.write_text(text, encoding="utf-8")
    except OSError as err:
        print(f"{output}: could not write the map ({err.strerror or err}). Check the folder exists and "
              "you may write to it.", file=sys.stderr)
        return UNREADABLE
    scenes = sum(len(v.scenes) for v in vignettes)
    print(f"Wrote {output}: {len(vignettes)} map{'s' if len(vignettes) > 1 else ''}, {scenes} scenes.")
    return OK
