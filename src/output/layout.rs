//! A layered (Sugiyama-style) layout for the data-flow diagram: ranks left to right, a dummy
//! node wherever an edge skips a layer, barycentre crossing reduction, each company group a band.
//!
//! Every edge gets a label slot in a label layer between two system layers, so labels never
//! overlap, and every edge runs only through the gaps between layers and through its own dummy
//! slots, so it never passes through a box. Coordinates saturate (`Px`); counts are bounded by
//! the input's length.

use std::num::Saturating;

/// A coordinate or length in SVG pixels: arithmetic on it saturates at `u32::MAX`, never wraps.
pub type Px = Saturating<u32>;

/// A system's box.
pub const NODE_W: Px = Saturating(220);
pub const NODE_H: Px = Saturating(56);
/// A label slot's width: room for a line of 32 characters of 10 px text.
pub const LABEL_W: Px = Saturating(200);
/// Between two layers: the room edges bend in.
const GAP: Px = Saturating(44);
/// Between two slots of a layer.
const ROW_GAP: Px = Saturating(18);
/// A group's box around its slots, and the space between two groups.
pub const MARGIN: Px = Saturating(14);
const BAND_GAP: Px = Saturating(22);
pub const PAD: Px = Saturating(24);
/// Where an edge runs through a dummy slot, below the slot's top: its label sits above.
pub const LINE_Y: Px = Saturating(40);

/// What to lay out: each node's band (company group, in drawing order from the top) and the
/// edges, as (from, to) node indices; parallel edges and edges to the node itself allowed.
pub struct Graph {
    pub bands: Vec<usize>,
    pub band_count: usize,
    pub edges: Vec<(usize, usize)>,
    /// Whether label layers get room for labels (otherwise they are only bends).
    pub labelled: bool,
}

/// A box: left, top, width, height.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rect {
    pub x: Px,
    pub y: Px,
    pub w: Px,
    pub h: Px,
}

/// Where an edge runs and where its label goes.
#[derive(Debug)]
pub struct Route {
    /// SVG path data from the `from` node's border to the `to` node's, absolute `M`/`C`/`L`.
    pub path: String,
    /// The top-left corner of its label slot (`LABEL_W` wide, text above `LINE_Y`).
    pub label: (Px, Px),
}

/// The layout: each node's box, each band's box (`None` for a band with no node), each edge's
/// route, and the drawing's size.
#[derive(Debug)]
pub struct Layout {
    pub nodes: Vec<Rect>,
    pub bands: Vec<Option<Rect>>,
    pub edges: Vec<Route>,
    pub width: Px,
    pub height: Px,
}

/// What sits in a layer slot (a node, or a bend of an edge): its layer and its band.
struct Slot {
    layer: usize,
    band: usize,
}

/// A count as pixels, saturating.
pub fn px(n: usize) -> Px {
    Saturating(u32::try_from(n).unwrap_or(u32::MAX))
}

/// `a - b`, or 0.
fn less(a: Px, b: Px) -> Px {
    Saturating(a.0.saturating_sub(b.0))
}

/// Which edges to turn around so that the rest has no cycle: those that close a cycle in a
/// depth-first search from each node in order (iterative, so a 10⁴-long chain is fine).
fn back_edges(n: usize, graph: &Graph) -> Vec<bool> {
    let mut out: Vec<Vec<(usize, usize)>> = vec![Vec::new(); n];
    for (e, &(from, to)) in graph.edges.iter().enumerate() {
        if from != to {
            out[from].push((e, to));
        }
    }
    let mut reversed = vec![false; graph.edges.len()];
    // 0 unseen, 1 on the stack, 2 done.
    let mut state = vec![0u8; n];
    for root in 0..n {
        if state[root] != 0 {
            continue;
        }
        let mut stack = vec![(root, 0usize)];
        state[root] = 1;
        while let Some((v, next)) = stack.last_mut() {
            let v = *v;
            if let Some(&(e, to)) = out[v].get(*next) {
                *next += 1;
                match state[to] {
                    0 => {
                        state[to] = 1;
                        stack.push((to, 0));
                    }
                    1 => reversed[e] = true,
                    _ => {}
                }
            } else {
                state[v] = 2;
                stack.pop();
            }
        }
    }
    reversed
}

/// Each node's rank: the longest path to it over the acyclic edges, with a node that only sends
/// moved next to the nearest node it sends to (so its arrows do not cross the whole drawing).
fn ranks(n: usize, dag: &[(usize, usize)]) -> Vec<usize> {
    let mut succ: Vec<Vec<usize>> = vec![Vec::new(); n];
    let mut indegree = vec![0usize; n];
    for &(lo, hi) in dag {
        succ[lo].push(hi);
        indegree[hi] += 1;
    }
    let sources: Vec<bool> = indegree.iter().map(|&d| d == 0).collect();
    let mut order: Vec<usize> = (0..n).filter(|&v| indegree[v] == 0).collect();
    let mut rank = vec![0usize; n];
    let mut i = 0;
    while let Some(&v) = order.get(i) {
        i += 1;
        for &w in &succ[v] {
            rank[w] = rank[w].max(rank[v] + 1);
            indegree[w] -= 1;
            if indegree[w] == 0 {
                order.push(w);
            }
        }
    }
    for v in 0..n {
        if sources[v]
            && let Some(nearest) = succ[v].iter().map(|&w| rank[w]).min()
        {
            rank[v] = nearest.saturating_sub(1);
        }
    }
    rank
}

/// Lays `graph` out; `title_height(band, width)` is the room a band's title needs when the band
/// is `width` wide.
/// Each edge from its lower-ranked end to its higher one, whether it was turned round to get
/// there, and each node's rank.
fn orient(graph: &Graph) -> (Vec<bool>, Vec<(usize, usize)>, Vec<usize>) {
    let n = graph.bands.len();
    let reversed = back_edges(n, graph);
    let oriented: Vec<(usize, usize)> = graph
        .edges
        .iter()
        .zip(&reversed)
        .map(|(&(f, t), &r)| if r { (t, f) } else { (f, t) })
        .collect();
    let dag: Vec<(usize, usize)> = oriented.iter().copied().filter(|(a, b)| a != b).collect();
    let rank = ranks(n, &dag);
    (reversed, oriented, rank)
}

/// How many slots laying out `graph` takes: its nodes, and a bend for every layer an edge
/// crosses. Linear to compute; the layout itself is linear in this count, which a dense graph
/// makes quadratic in its size, so callers check it first.
pub fn slots(graph: &Graph) -> usize {
    let (_, oriented, rank) = orient(graph);
    let bends: usize = oriented
        .iter()
        .map(|&(lo, hi)| {
            if lo == hi {
                1
            } else {
                (2 * rank[hi]).saturating_sub(2 * rank[lo] + 1)
            }
        })
        .fold(0, usize::saturating_add);
    graph.bands.len().saturating_add(bends)
}

pub fn layout(graph: &Graph, title_height: impl Fn(usize, Px) -> Px) -> Layout {
    let n = graph.bands.len();
    let (reversed, oriented, rank) = orient(graph);

    // Items: the nodes (0..n), then each edge's dummies, one per layer it crosses (layer 2r holds the
    // nodes of rank r, layer 2r + 1 the bends after them); a loop gets one, beside its node.
    let mut items: Vec<Slot> = (0..n)
        .map(|v| Slot {
            layer: 2 * rank[v],
            band: graph.bands[v],
        })
        .collect();
    let mut chains: Vec<Vec<usize>> = Vec::with_capacity(graph.edges.len());
    for (e, &(lo, hi)) in oriented.iter().enumerate() {
        let band = graph.bands[graph.edges[e].1];
        let first = 2 * rank[lo] + 1;
        let last = if lo == hi { first } else { 2 * rank[hi] - 1 };
        let mut chain = Vec::with_capacity(last + 1 - first);
        for layer in first..=last {
            chain.push(items.len());
            items.push(Slot { layer, band });
        }
        chains.push(chain);
    }
    let layer_count = items.iter().map(|i| i.layer + 1).max().unwrap_or(0);

    // Neighbours in the layer before and after, along each edge's chain.
    let mut before: Vec<Vec<usize>> = vec![Vec::new(); items.len()];
    let mut after: Vec<Vec<usize>> = vec![Vec::new(); items.len()];
    for (e, chain) in chains.iter().enumerate() {
        let (lo, hi) = oriented[e];
        if lo == hi {
            continue;
        }
        let mut prev = lo;
        for &d in chain.iter().chain(std::iter::once(&hi)) {
            after[prev].push(d);
            before[d].push(prev);
            prev = d;
        }
    }

    // Ordering: band first, then the barycentre of the neighbours, sweeping both ways.
    let mut layers: Vec<Vec<usize>> = vec![Vec::new(); layer_count];
    for (i, item) in items.iter().enumerate() {
        layers[item.layer].push(i);
    }
    let mut pos = vec![0f64; items.len()];
    for layer in &mut layers {
        layer.sort_by_key(|&i| (items[i].band, i));
        for (p, &i) in layer.iter().enumerate() {
            pos[i] = p as f64;
        }
    }
    for sweep in 0..8 {
        let (order, neighbours): (Vec<usize>, _) = if sweep % 2 == 0 {
            ((1..layer_count).collect(), &before)
        } else {
            ((0..layer_count.saturating_sub(1)).rev().collect(), &after)
        };
        for l in order {
            let keyed: Vec<(usize, f64, usize)> = layers[l]
                .iter()
                .map(|&i| {
                    let near = &neighbours[i];
                    let centre = if near.is_empty() {
                        pos[i]
                    } else {
                        near.iter().map(|&j| pos[j]).sum::<f64>() / near.len() as f64
                    };
                    (items[i].band, centre, i)
                })
                .collect();
            let mut keyed = keyed;
            keyed.sort_by(|a, b| {
                a.0.cmp(&b.0)
                    .then(a.1.total_cmp(&b.1))
                    .then(pos[a.2].total_cmp(&pos[b.2]))
            });
            layers[l] = keyed.into_iter().map(|k| k.2).collect();
            for (p, &i) in layers[l].iter().enumerate() {
                pos[i] = p as f64;
            }
        }
    }

    // Columns: system layers are a box wide, label layers a label wide (or a bend's width when
    // unlabelled); an empty layer takes no room.
    let mut column = vec![(PAD + MARGIN, Saturating(0)); layer_count];
    let mut x = PAD + MARGIN;
    for (l, layer) in layers.iter().enumerate() {
        let width = match (layer.is_empty(), l % 2 == 0, graph.labelled) {
            (true, _, _) => Saturating(0),
            (false, true, _) => NODE_W,
            (false, false, true) => LABEL_W,
            (false, false, false) => Saturating(12),
        };
        column[l] = (x, width);
        if !layer.is_empty() {
            x += width + GAP;
        }
    }
    let width = less(x, GAP) + MARGIN + PAD;

    // Bands: as many rows as their fullest layer, stacked from the top.
    let mut rows = vec![0usize; graph.band_count];
    let mut span: Vec<Option<(usize, usize)>> = vec![None; graph.band_count];
    for (l, layer) in layers.iter().enumerate() {
        let mut count = vec![0usize; graph.band_count];
        for &i in layer {
            count[items[i].band] += 1;
        }
        for (b, &c) in count.iter().enumerate() {
            if c > 0 {
                rows[b] = rows[b].max(c);
                span[b] = Some(span[b].map_or((l, l), |(a, _)| (a, l)));
            }
        }
    }
    let pitch = NODE_H + ROW_GAP;
    let mut bands: Vec<Option<Rect>> = vec![None; graph.band_count];
    let mut slots_top = vec![Saturating(0); graph.band_count];
    let mut y = PAD;
    for b in 0..graph.band_count {
        let Some((first, last)) = span[b] else {
            continue;
        };
        let bx = less(column[first].0, MARGIN);
        let bw = column[last].0 + column[last].1 + MARGIN - bx;
        let title = title_height(b, bw);
        slots_top[b] = y + title;
        let bh = title + px(rows[b]) * pitch - ROW_GAP + MARGIN;
        bands[b] = Some(Rect {
            x: bx,
            y,
            w: bw,
            h: bh,
        });
        y += bh + BAND_GAP;
    }
    let height = less(y, BAND_GAP) + PAD;

    // Slots: each item as near the slot of its neighbours before it as the order allows.
    let mut top = vec![Saturating(0u32); items.len()];
    for layer in &layers {
        let mut start = 0;
        while start < layer.len() {
            let band = items[layer[start]].band;
            let end = start + layer[start..].partition_point(|&i| items[i].band == band);
            let (m, r) = (end - start, rows[band]);
            let mut prev: Option<usize> = None;
            for (k, &i) in layer[start..end].iter().enumerate() {
                let wanted = if before[i].is_empty() {
                    k
                } else {
                    let mean = before[i].iter().map(|&j| f64::from(top[j].0)).sum::<f64>()
                        / before[i].len() as f64;
                    let rel = (mean - f64::from(slots_top[band].0)) / f64::from(pitch.0);
                    rel.round().clamp(0.0, r as f64) as usize
                };
                let low = prev.map_or(0, |p| p + 1);
                let slot = wanted.max(low).min(r - (m - k));
                top[i] = slots_top[band] + px(slot) * pitch;
                prev = Some(slot);
            }
            start = end;
        }
    }

    let nodes: Vec<Rect> = (0..n)
        .map(|v| Rect {
            x: column[items[v].layer].0,
            y: top[v],
            w: NODE_W,
            h: NODE_H,
        })
        .collect();

    // Ports: the edges leaving a node's side, spread along it in the order of where they go.
    let mut right: Vec<Vec<(Px, usize, bool)>> = vec![Vec::new(); n];
    let mut left: Vec<Vec<(Px, usize, bool)>> = vec![Vec::new(); n];
    for (e, chain) in chains.iter().enumerate() {
        let (lo, hi) = oriented[e];
        let first = top[chain[0]] + LINE_Y;
        let last = top[*chain.last().unwrap_or(&chain[0])] + LINE_Y;
        right[lo].push((first, e, false));
        if lo == hi {
            right[lo].push((first + Saturating(12), e, true));
        } else {
            left[hi].push((last, e, true));
        }
    }
    let mut port = vec![(Saturating(0u32), Saturating(0u32)); graph.edges.len()];
    for (v, sides) in [&mut right, &mut left].into_iter().enumerate() {
        for (node, side) in sides.iter_mut().enumerate() {
            side.sort();
            let k = side.len();
            for (i, &(_, e, end)) in side.iter().enumerate() {
                let at = nodes[node].y + Saturating((NODE_H.0 * (i as u32 + 1)) / (k as u32 + 1));
                // Right side (v == 0) holds the lower end's exit, a loop's both; left, entries.
                if v == 0 && !end {
                    port[e].0 = at;
                } else {
                    port[e].1 = at;
                }
            }
        }
    }

    let edges = chains
        .iter()
        .enumerate()
        .map(|(e, chain)| {
            let (lo, hi) = oriented[e];
            let start = (nodes[lo].x + NODE_W, port[e].0);
            // Points in order from the lower end: a curve to each bend, a line through it.
            let mut points = vec![start];
            for &d in chain {
                let (cx, cw) = column[items[d].layer];
                let line = top[d] + LINE_Y;
                if lo == hi {
                    points.push((cx, less(line, Saturating(6))));
                    points.push((cx, line + Saturating(6)));
                } else {
                    points.push((cx, line));
                    points.push((cx + cw, line));
                }
            }
            let end = if lo == hi {
                (nodes[lo].x + NODE_W, port[e].1)
            } else {
                (nodes[hi].x, port[e].1)
            };
            points.push(end);
            if reversed[e] {
                points.reverse();
            }
            let label_at = if reversed[e] {
                chain[0]
            } else {
                chain[chain.len() - 1]
            };
            let (lx, _) = column[items[label_at].layer];
            Route {
                path: path(&points),
                label: (lx, top[label_at]),
            }
        })
        .collect();
    Layout {
        nodes,
        bands,
        edges,
        width,
        height,
    }
}

/// Path data through `points`: curves between layers (points 0→1, 2→3, …), straight lines
/// through bends (1→2, 3→4, …); each curve leaves and arrives horizontally. A level stretch is
/// one line however many layers it runs through, which keeps long flows' paths short.
fn path(points: &[(Px, Px)]) -> String {
    use std::fmt::Write;
    let mut d = format!("M{},{}", points[0].0, points[0].1);
    let mut level: Option<(Px, Px)> = None;
    for (i, pair) in points.windows(2).enumerate() {
        let ((x0, y0), (x1, y1)) = (pair[0], pair[1]);
        if y0 == y1 {
            level = Some((x1, y1));
            continue;
        }
        if let Some((x, y)) = level.take() {
            let _ = write!(d, " L{x},{y}");
        }
        if i % 2 == 0 {
            let mid = Saturating((x0.0 / 2).saturating_add(x1.0 / 2));
            let _ = write!(d, " C{mid},{y0} {mid},{y1} {x1},{y1}");
        } else {
            let _ = write!(d, " L{x1},{y1}");
        }
    }
    if let Some((x, y)) = level {
        let _ = write!(d, " L{x},{y}");
    }
    d
}

#[cfg(test)]
mod tests {
    use super::*;

    fn graph(bands: &[usize], edges: &[(usize, usize)]) -> Layout {
        layout(
            &Graph {
                bands: bands.to_vec(),
                band_count: bands.iter().max().map_or(0, |b| b + 1),
                edges: edges.to_vec(),
                labelled: true,
            },
            |_, _| Saturating(28),
        )
    }

    fn inside(r: &Rect, (x, y): (u32, u32)) -> bool {
        x > r.x.0 && x < (r.x + r.w).0 && y > r.y.0 && y < (r.y + r.h).0
    }

    /// The points of a path's commands (end points and control points).
    fn points(d: &str) -> Vec<(u32, u32)> {
        d.split(|c: char| c == ' ' || c.is_ascii_uppercase())
            .filter_map(|p| p.split_once(','))
            .map(|(x, y)| (x.parse().unwrap(), y.parse().unwrap()))
            .collect()
    }

    #[test]
    fn a_chain_gets_one_rank_per_hop_and_labels_between() {
        let l = graph(&[0, 0, 0], &[(0, 1), (1, 2)]);
        let xs: Vec<u32> = l.nodes.iter().map(|n| n.x.0).collect();
        assert_eq!(xs, [38, 546, 1054]);
        assert!(l.edges.iter().all(|e| e.label.0 > l.nodes[0].x + NODE_W));
    }

    #[test]
    fn a_long_edge_bends_around_the_node_it_skips() {
        // a → b → c and a → c: the long edge runs through a slot of b's layer, not through b.
        let l = graph(&[0, 0, 0], &[(0, 1), (1, 2), (0, 2)]);
        let long = &l.edges[2];
        assert!(
            points(&long.path).iter().all(|&p| !inside(&l.nodes[1], p)),
            "{long:?} {:?}",
            l.nodes[1]
        );
        assert_eq!(
            l.edges[0].label.0,
            l.edges[2].label.0 - NODE_W - LABEL_W - GAP - GAP
        );
    }

    #[test]
    fn a_cycle_is_drawn_with_its_arrow_back_to_the_first_node() {
        let l = graph(&[0, 0], &[(0, 1), (1, 0)]);
        let back = points(&l.edges[1].path);
        let (start, end) = (back[0], back[back.len() - 1]);
        assert_eq!(start.0, l.nodes[1].x.0, "leaves b's left side");
        assert_eq!(end.0, (l.nodes[0].x + NODE_W).0, "enters a's right side");
        assert_ne!(l.edges[0].label.1, l.edges[1].label.1, "two label slots");
    }

    #[test]
    fn bands_do_not_overlap_and_hold_their_nodes() {
        let l = graph(&[0, 1, 1, 0], &[(0, 1), (0, 2), (3, 2), (1, 3)]);
        let (a, b) = (l.bands[0].unwrap(), l.bands[1].unwrap());
        assert!(a.y + a.h < b.y, "{a:?} {b:?}");
        for (v, band) in [0, 1, 1, 0].into_iter().enumerate() {
            let r = l.bands[band].unwrap();
            let n = l.nodes[v];
            assert!(n.x > r.x && n.x + n.w < r.x + r.w && n.y > r.y && n.y + n.h < r.y + r.h);
        }
    }

    #[test]
    fn a_loop_and_parallel_edges_each_get_their_own_slot() {
        let l = graph(&[0, 0], &[(0, 0), (0, 1), (0, 1)]);
        let mut slots: Vec<_> = l.edges.iter().map(|e| e.label).collect();
        slots.sort();
        slots.dedup();
        assert_eq!(slots.len(), 3);
        let ends = points(&l.edges[0].path);
        assert_eq!(
            ends[0].0,
            ends[ends.len() - 1].0,
            "a loop leaves and enters one side"
        );
    }
}
