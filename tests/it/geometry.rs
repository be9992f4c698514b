//! The diagram's geometric self-check (issue 14): reads the SVG privflow emits through its
//! structure alone and names every arrow that crosses a box, leaves the wrong place, or overlaps.

use crate::support::privflow;

/// An axis-aligned box in SVG pixels.
#[derive(Clone, Copy, Debug)]
struct Rect {
    x: f64,
    y: f64,
    w: f64,
    h: f64,
}

impl Rect {
    /// Whether `(px, py)` lies more than `margin` inside the box.
    fn holds(&self, (px, py): (f64, f64), margin: f64) -> bool {
        px > self.x + margin
            && px < self.x + self.w - margin
            && py > self.y + margin
            && py < self.y + self.h - margin
    }

    /// The distance from `(px, py)` to the box's border.
    fn border_distance(&self, (px, py): (f64, f64)) -> f64 {
        let dx = (self.x - px).max(px - (self.x + self.w)).max(0.0);
        let dy = (self.y - py).max(py - (self.y + self.h)).max(0.0);
        if dx > 0.0 || dy > 0.0 {
            dx.hypot(dy)
        } else {
            (px - self.x)
                .min(self.x + self.w - px)
                .min(py - self.y)
                .min(self.y + self.h - py)
        }
    }

    fn overlaps(&self, other: &Rect) -> bool {
        self.x < other.x + other.w
            && other.x < self.x + self.w
            && self.y < other.y + other.h
            && other.y < self.y + self.h
    }

    /// Whether `inner` fits inside this box, `slack` pixels allowed.
    fn contains(&self, inner: &Rect, slack: f64) -> bool {
        inner.x >= self.x - slack
            && inner.y >= self.y - slack
            && inner.x + inner.w <= self.x + self.w + slack
            && inner.y + inner.h <= self.y + self.h + slack
    }
}

/// A `<text>`: where it is anchored, its size and its characters.
#[derive(Debug)]
struct Text {
    x: f64,
    y: f64,
    size: f64,
    anchor_end: bool,
    chars: usize,
    content: String,
}

impl Text {
    /// Its box by a generous estimate of sans-serif glyphs (0.6 em wide; the browser test
    /// measures the real ones).
    fn bounds(&self) -> Rect {
        let w = self.chars as f64 * self.size * 0.6;
        let x = if self.anchor_end { self.x - w } else { self.x };
        Rect {
            x,
            y: self.y - 0.8 * self.size,
            w,
            h: self.size,
        }
    }
}

#[derive(Debug)]
struct Node {
    id: String,
    rect: Rect,
    texts: Vec<Text>,
}

#[derive(Debug)]
struct Group {
    entity: String,
    rect: Rect,
    title: Vec<Text>,
}

#[derive(Debug)]
struct Edge {
    from: String,
    to: String,
    points: Vec<(f64, f64)>,
    label: Vec<Text>,
}

/// A diagram as its structure says: boxes, groups and arrows in absolute coordinates.
#[derive(Debug, Default)]
struct Diagram {
    nodes: Vec<Node>,
    groups: Vec<Group>,
    edges: Vec<Edge>,
}

/// A tag's attributes, in order.
type Attributes = Vec<(String, String)>;

/// Each tag of `svg` in order: its name (with `/` for a closing tag), attributes and the text
/// that follows it up to the next tag.
fn tags(svg: &str) -> Vec<(String, Attributes, String)> {
    let mut out = Vec::new();
    for piece in svg.split('<').skip(1) {
        let (tag, after) = piece.split_once('>').expect("a tag ends");
        let tag = tag.trim_end_matches('/');
        let (name, mut rest) = tag.split_once(' ').unwrap_or((tag, ""));
        let mut attributes = Vec::new();
        while let Some((key, value)) = rest.split_once("=\"") {
            let (value, tail) = value.split_once('"').expect("a quoted value");
            attributes.push((key.trim().to_owned(), value.to_owned()));
            rest = tail;
        }
        out.push((name.to_owned(), attributes, after.to_owned()));
    }
    out
}

fn attr<'a>(attributes: &'a [(String, String)], key: &str) -> Option<&'a str> {
    attributes
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
}

fn number(attributes: &[(String, String)], key: &str) -> f64 {
    attr(attributes, key)
        .unwrap_or_else(|| panic!("{key} is given"))
        .parse()
        .unwrap_or_else(|e| panic!("{key} is a number: {e}"))
}

fn rect(attributes: &[(String, String)]) -> Rect {
    Rect {
        x: number(attributes, "x"),
        y: number(attributes, "y"),
        w: number(attributes, "width"),
        h: number(attributes, "height"),
    }
}

/// Points along a path of absolute `M`, `L` and `C` commands, each cubic sampled 48 times.
fn sample(d: &str) -> Vec<(f64, f64)> {
    let mut numbers = Vec::new();
    let mut commands = Vec::new();
    for token in d
        .replace(',', " ")
        .replace('M', " M ")
        .replace('L', " L ")
        .replace('C', " C ")
        .split_whitespace()
    {
        match token {
            "M" | "L" | "C" => commands.push((token.to_owned(), numbers.len())),
            n => numbers.push(n.parse::<f64>().expect("a path coordinate")),
        }
    }
    assert!(
        !d.contains(|c: char| c.is_ascii_lowercase() || "HVSQTAZ".contains(c)),
        "only absolute M/L/C paths: {d}"
    );
    let mut points: Vec<(f64, f64)> = Vec::new();
    for (i, (command, start)) in commands.iter().enumerate() {
        let end = commands.get(i + 1).map_or(numbers.len(), |c| c.1);
        let pairs: Vec<(f64, f64)> = numbers[*start..end]
            .chunks(2)
            .map(|p| (p[0], p[1]))
            .collect();
        match command.as_str() {
            "M" | "L" => points.extend(pairs),
            _ => {
                for bezier in pairs.chunks(3) {
                    let p0 = *points.last().expect("a curve starts somewhere");
                    let [p1, p2, p3] = [bezier[0], bezier[1], bezier[2]];
                    for step in 1..=48 {
                        let t = f64::from(step) / 48.0;
                        let u = 1.0 - t;
                        let at = |a: f64, b: f64, c: f64, d: f64| {
                            u * u * u * a
                                + 3.0 * u * u * t * b
                                + 3.0 * u * t * t * c
                                + t * t * t * d
                        };
                        points.push((at(p0.0, p1.0, p2.0, p3.0), at(p0.1, p1.1, p2.1, p3.1)));
                    }
                }
            }
        }
    }
    points
}

fn text(attributes: &[(String, String)], content: &str, size: f64, anchor_end: bool) -> Text {
    let content = content
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&");
    Text {
        x: number(attributes, "x"),
        y: number(attributes, "y"),
        size,
        anchor_end,
        chars: content.chars().count(),
        content,
    }
}

/// Reads one policy's diagram through the structure of issue 14, point 2.
fn parse(svg: &str) -> Diagram {
    assert!(!svg.contains("transform"), "absolute coordinates only");
    let mut diagram = Diagram::default();
    // Which kind of `<g>` is open: its texts and rect go to the last item of that kind.
    let mut open: Option<&str> = None;
    for (name, attributes, after) in tags(svg) {
        let class = attr(&attributes, "class").unwrap_or("");
        let kind = class.split(' ').next().unwrap_or("");
        match name.as_str() {
            "g" if kind == "node" => {
                open = Some("node");
                diagram.nodes.push(Node {
                    id: attr(&attributes, "data-system")
                        .expect("data-system")
                        .into(),
                    rect: Rect {
                        x: 0.0,
                        y: 0.0,
                        w: 0.0,
                        h: 0.0,
                    },
                    texts: Vec::new(),
                });
            }
            "g" if kind == "group" => {
                open = Some("group");
                diagram.groups.push(Group {
                    entity: attr(&attributes, "data-entity")
                        .expect("data-entity")
                        .into(),
                    rect: Rect {
                        x: 0.0,
                        y: 0.0,
                        w: 0.0,
                        h: 0.0,
                    },
                    title: Vec::new(),
                });
            }
            "g" if kind == "edge" => {
                open = Some("edge");
                diagram.edges.push(Edge {
                    from: attr(&attributes, "data-from").expect("data-from").into(),
                    to: attr(&attributes, "data-to").expect("data-to").into(),
                    points: Vec::new(),
                    label: Vec::new(),
                });
            }
            "/g" => open = None,
            "rect" => match open {
                Some("node") => {
                    let node = diagram.nodes.last_mut().unwrap();
                    if node.rect.w == 0.0 {
                        node.rect = rect(&attributes);
                    }
                }
                Some("group") => diagram.groups.last_mut().unwrap().rect = rect(&attributes),
                _ => {}
            },
            "path" if open == Some("edge") => {
                diagram.edges.last_mut().unwrap().points = sample(attr(&attributes, "d").unwrap());
            }
            "text" => match open {
                Some("node") => {
                    let size = if class == "id" { 11.0 } else { 12.0 };
                    let node = diagram.nodes.last_mut().unwrap();
                    node.texts.push(text(&attributes, &after, size, false));
                }
                Some("group") => {
                    let title = text(&attributes, &after, 12.6, false);
                    diagram.groups.last_mut().unwrap().title.push(title);
                }
                Some("edge") if !after.is_empty() => {
                    let anchor_end = svg.contains("text-anchor:end");
                    let label = text(&attributes, &after, 10.0, anchor_end);
                    diagram.edges.last_mut().unwrap().label.push(label);
                }
                _ => {}
            },
            _ => {}
        }
    }
    diagram
}

/// Every way the diagram misleads, one sentence each: an arrow through a box it neither leaves
/// nor enters, an arrow that does not start or end on its systems' borders, overlapping labels,
/// text wider than its box.
fn defects(svg: &str) -> Vec<String> {
    let diagram = parse(svg);
    let node = |id: &str| {
        diagram
            .nodes
            .iter()
            .find(|n| n.id == id)
            .unwrap_or_else(|| panic!("an edge names a drawn system: {id}"))
    };
    let mut out = Vec::new();
    for edge in &diagram.edges {
        let name = format!("edge {} → {}", edge.from, edge.to);
        for other in &diagram.nodes {
            if other.id != edge.from
                && other.id != edge.to
                && edge.points.iter().any(|&p| other.rect.holds(p, 1.0))
            {
                out.push(format!("{name} crosses node {}", other.id));
            }
        }
        let (first, last) = (edge.points[0], *edge.points.last().unwrap());
        if node(&edge.from).rect.border_distance(first) > 2.0 {
            out.push(format!("{name} does not start on {}'s border", edge.from));
        }
        if node(&edge.to).rect.border_distance(last) > 2.0 {
            out.push(format!("{name} does not end on {}'s border", edge.to));
        }
    }
    let labels: Vec<(&Edge, Rect)> = diagram
        .edges
        .iter()
        .flat_map(|e| e.label.iter().map(move |l| (e, l.bounds())))
        .collect();
    for (i, (a, ra)) in labels.iter().enumerate() {
        for (b, rb) in &labels[i + 1..] {
            if !std::ptr::eq(*a, *b) && ra.overlaps(rb) {
                out.push(format!(
                    "labels of {} → {} and {} → {} overlap",
                    a.from, a.to, b.from, b.to
                ));
            }
        }
    }
    for (edge, label) in &labels {
        for node in &diagram.nodes {
            if label.overlaps(&node.rect) {
                out.push(format!(
                    "label of {} → {} overlaps node {}",
                    edge.from, edge.to, node.id
                ));
            }
        }
    }
    for node in &diagram.nodes {
        for text in &node.texts {
            if !node.rect.contains(&text.bounds(), 0.5) {
                out.push(format!("text {:?} exceeds node {}", text.content, node.id));
            }
        }
    }
    for group in &diagram.groups {
        for title in &group.title {
            if !group.rect.contains(&title.bounds(), 0.5) {
                out.push(format!(
                    "title {:?} exceeds group {}",
                    title.content, group.entity
                ));
            }
        }
    }
    out
}

fn diagram_of(path: &str) -> String {
    let out = privflow(&["graph", "--format", "svg", "--today", "2026-11-22", path]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    out.stdout
}

const BOXES: &str = "<g class=\"node\" data-system=\"a\"><rect x=\"0\" y=\"0\" width=\"100\" height=\"40\"/><text x=\"10\" y=\"20\" class=\"name\">A</text></g><g class=\"node\" data-system=\"b\"><rect x=\"200\" y=\"0\" width=\"100\" height=\"40\"/></g><g class=\"node\" data-system=\"c\"><rect x=\"400\" y=\"0\" width=\"100\" height=\"40\"/></g>";

#[test]
fn an_arrow_through_a_box_it_does_not_enter_is_named() {
    let svg = format!(
        "<svg>{BOXES}<g class=\"edge\" data-from=\"a\" data-to=\"c\"><path d=\"M100,20 C200,20 300,20 400,20\"/></g></svg>"
    );
    assert_eq!(defects(&svg), ["edge a → c crosses node b"]);
}

#[test]
fn an_arrow_around_the_boxes_from_border_to_border_passes() {
    let svg = format!(
        "<svg>{BOXES}<g class=\"edge\" data-from=\"a\" data-to=\"c\"><path d=\"M50,40 C50,90 450,90 450,40\"/><text x=\"300\" y=\"80\">contact</text></g></svg>"
    );
    assert_eq!(defects(&svg), Vec::<String>::new());
}

#[test]
fn an_arrow_that_leaves_from_inside_another_place_and_overlapping_labels_are_named() {
    let svg = format!(
        "<svg>{BOXES}<g class=\"edge\" data-from=\"a\" data-to=\"b\"><path d=\"M150,20 L200,20\"/><text x=\"190\" y=\"60\">contact.phone_number</text></g><g class=\"edge\" data-from=\"b\" data-to=\"c\"><path d=\"M300,20 L400,20\"/><text x=\"200\" y=\"62\">location</text></g><g class=\"group\" data-entity=\"co\"><rect x=\"0\" y=\"0\" width=\"60\" height=\"60\"/><text x=\"12\" y=\"18\">A company with a long name</text></g></svg>"
    );
    assert_eq!(
        defects(&svg),
        [
            "edge a → b does not start on a's border",
            "labels of a → b and b → c overlap",
            "title \"A company with a long name\" exceeds group co",
        ]
    );
}

#[test]
fn the_diagram_names_its_systems_groups_and_flows() {
    let diagram = parse(&diagram_of("policies/whatsapp-2021.yaml"));
    let ids: Vec<&str> = diagram.nodes.iter().map(|n| n.id.as_str()).collect();
    assert!(
        ids.contains(&"wa-app") && ids.contains(&"business-app"),
        "{ids:?}"
    );
    assert!(diagram.groups.iter().any(|g| g.entity == "facebook-inc"));
    assert!(
        diagram
            .edges
            .iter()
            .any(|e| e.from == "wa-app" && e.to == "business-app"),
        "{:?}",
        diagram
            .edges
            .iter()
            .map(|e| (&e.from, &e.to))
            .collect::<Vec<_>>()
    );
}

/// The column layout before the layered one failed this on every bundled policy.
#[test]
fn no_bundled_diagram_misleads() {
    let mut all = Vec::new();
    for entry in std::fs::read_dir("policies").unwrap() {
        let path = entry.unwrap().path();
        let path = path.to_str().unwrap();
        all.extend(
            defects(&diagram_of(path))
                .into_iter()
                .map(|d| format!("{path}: {d}")),
        );
    }
    assert_eq!(all, Vec::<String>::new());
}

/// Generated models of 10, 30 and 60 systems (three flows a system, labelled up to 30 flows):
/// random fan-outs, long edges and cycles, none of which may mislead.
#[test]
fn no_generated_diagram_misleads() {
    let dir = tempfile::tempdir().unwrap();
    for systems in [10, 30, 60] {
        let path = dir.path().join(format!("g{systems}.yaml"));
        let model = crate::generate::model(&crate::generate::Size {
            systems,
            flows: systems * 3,
            keys: 20,
            claims: 10,
        });
        std::fs::write(&path, model).unwrap();
        let svg = diagram_of(path.to_str().unwrap());
        let diagram = parse(&svg);
        assert_eq!(diagram.nodes.len(), systems);
        assert_eq!(diagram.edges.len(), systems * 3);
        assert_eq!(defects(&svg), Vec::<String>::new(), "{systems} systems");
    }
}

/// The grid drawing of `whatsapp-2021` that privflow emitted before the layered layout (kept as
/// a fixture): the self-check names what misled its readers.
#[test]
fn the_old_grid_diagram_of_whatsapp_2021_is_caught() {
    let svg = std::fs::read_to_string("fixtures/diagrams/whatsapp-2021-grid.svg").unwrap();
    let found = defects(&svg);
    for expected in [
        "edge wa-app → business-app crosses node fb-shops",
        "edge fb-biz-hosting → business-crm crosses node fb-companies",
    ] {
        assert!(found.iter().any(|d| d.starts_with(expected)), "{found:#?}");
    }
}

/// A model too large to draw system by system (1 000 systems, 10 000 flows: millions of layer
/// slots) collapses to its company groups, says so, and stays small.
#[test]
fn a_diagram_too_large_to_draw_collapses_to_company_groups() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("big.yaml");
    let model = crate::generate::model(&crate::generate::Size {
        systems: 1_000,
        flows: 10_000,
        keys: 50,
        claims: 50,
    });
    std::fs::write(&path, model).unwrap();
    let svg = diagram_of(path.to_str().unwrap());
    assert!(svg.contains("1000 systems and 10000 flows are too many to draw one by one"));
    assert_eq!(
        svg.matches("<g class=\"node collapsed\" data-entity=")
            .count(),
        10
    );
    assert!(svg.matches("<g class=\"edge collapsed").count() > 0);
    assert!(!svg.contains("data-system="), "no system drawn one by one");
    assert!(!svg.contains("transform"), "absolute coordinates");
    assert!(svg.len() < 200_000, "{} bytes", svg.len());
}
