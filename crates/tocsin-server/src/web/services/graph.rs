//! The service dependency graph as a picture: a Sugiyama-lite layout (layers by longest path,
//! a few barycentre sweeps to reduce crossings, then coordinates) computed by pure functions,
//! and the shapes the SVG template draws.
use std::collections::HashMap;

use tocsin_domain::id::ServiceId;

/// A node's box, in SVG user units.
pub const NODE_WIDTH: i64 = 150;
pub const NODE_HEIGHT: i64 = 36;
const GAP_X: i64 = 30;
const GAP_Y: i64 = 64;
const MARGIN: i64 = 12;
/// Longest label drawn inside a node; longer names are cut with an ellipsis.
const LABEL_CHARS: usize = 18;
/// Barycentre sweeps (down and up) made to reduce crossings.
const SWEEPS: usize = 4;

/// Where each node of a graph goes: its layer and its position within it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Layout {
    /// `layers[l]` lists node indices in drawing order.
    pub layers: Vec<Vec<usize>>,
    /// `(x, y)` of each node's top-left corner, by node index.
    pub positions: Vec<(i64, i64)>,
    pub width: i64,
    pub height: i64,
}

/// Lays out `count` nodes with `edges` as (from, to) index pairs: `to` always lands on a later
/// layer than `from` (longest path from a node nothing points at). Edges closing a cycle (which
/// the catalog refuses, so only a damaged database has them) are ignored for layering.
pub fn layout(count: usize, edges: &[(usize, usize)]) -> Layout {
    let layer_of = longest_path_layers(count, edges);
    let depth = layer_of.iter().copied().max().map_or(0, |d| d + 1);
    let mut layers: Vec<Vec<usize>> = vec![Vec::new(); depth];
    for (node, layer) in layer_of.iter().enumerate() {
        layers[*layer].push(node);
    }
    reduce_crossings(&mut layers, edges);
    let widest = layers.iter().map(Vec::len).max().unwrap_or(0) as i64;
    let width = 2 * MARGIN + (widest * (NODE_WIDTH + GAP_X) - GAP_X).max(NODE_WIDTH);
    let mut positions = vec![(0, 0); count];
    for (l, layer) in layers.iter().enumerate() {
        // Centre each layer under the widest one.
        let row = layer.len() as i64 * (NODE_WIDTH + GAP_X) - GAP_X;
        let left = MARGIN + (width - 2 * MARGIN - row) / 2;
        for (i, node) in layer.iter().enumerate() {
            positions[*node] = (
                left + i as i64 * (NODE_WIDTH + GAP_X),
                MARGIN + l as i64 * (NODE_HEIGHT + GAP_Y),
            );
        }
    }
    let height = 2 * MARGIN + (depth as i64 * (NODE_HEIGHT + GAP_Y) - GAP_Y).max(NODE_HEIGHT);
    Layout {
        layers,
        positions,
        width,
        height,
    }
}

/// Each node's layer: 0 for nodes without incoming edges, else one more than the deepest node
/// pointing at it (Kahn's order, so each edge is looked at once).
fn longest_path_layers(count: usize, edges: &[(usize, usize)]) -> Vec<usize> {
    let mut incoming = vec![0usize; count];
    let mut outgoing: Vec<Vec<usize>> = vec![Vec::new(); count];
    for &(from, to) in edges.iter().filter(|(f, t)| *f < count && *t < count) {
        incoming[to] += 1;
        outgoing[from].push(to);
    }
    let mut layer = vec![0usize; count];
    let mut ready: Vec<usize> = (0..count).filter(|n| incoming[*n] == 0).collect();
    while let Some(node) = ready.pop() {
        for &next in &outgoing[node] {
            layer[next] = layer[next].max(layer[node] + 1);
            incoming[next] -= 1;
            if incoming[next] == 0 {
                ready.push(next);
            }
        }
    }
    layer
}

/// Orders each layer by the mean position of its neighbours in the layer before (sweeping down)
/// or after (sweeping up); ties keep their order, so the result is deterministic.
fn reduce_crossings(layers: &mut [Vec<usize>], edges: &[(usize, usize)]) {
    for sweep in 0..SWEEPS {
        let downwards = sweep % 2 == 0;
        let order: Vec<usize> = if downwards {
            (1..layers.len()).collect()
        } else {
            (0..layers.len().saturating_sub(1)).rev().collect()
        };
        for l in order {
            let reference = if downwards { l - 1 } else { l + 1 };
            let place: HashMap<usize, usize> = layers[reference]
                .iter()
                .enumerate()
                .map(|(i, n)| (*n, i))
                .collect();
            let current: HashMap<usize, usize> =
                layers[l].iter().enumerate().map(|(i, n)| (*n, i)).collect();
            let centre = |node: usize| -> f64 {
                let neighbours: Vec<usize> = edges
                    .iter()
                    .filter_map(|&(from, to)| match (from == node, to == node) {
                        (true, _) => place.get(&to).copied(),
                        (_, true) => place.get(&from).copied(),
                        _ => None,
                    })
                    .collect();
                if neighbours.is_empty() {
                    current.get(&node).copied().unwrap_or(0) as f64
                } else {
                    neighbours.iter().sum::<usize>() as f64 / neighbours.len() as f64
                }
            };
            let mut keyed: Vec<(f64, usize)> = layers[l].iter().map(|n| (centre(*n), *n)).collect();
            keyed.sort_by(|a, b| a.0.total_cmp(&b.0));
            layers[l] = keyed.into_iter().map(|(_, n)| n).collect();
        }
    }
}

/// A service as drawn.
#[derive(Debug, Clone)]
pub struct DrawnNode {
    pub id: ServiceId,
    pub name: String,
    pub label: String,
    pub x: i64,
    pub y: i64,
    pub text_x: i64,
    pub text_y: i64,
    /// Whether the service has an open incident (drawn as `node down`).
    pub down: bool,
    /// The service the page is about (neighbourhood pictures).
    pub current: bool,
}

/// A dependency as drawn: from the dependent's bottom edge to the dependency's top edge.
#[derive(Debug, Clone)]
pub struct DrawnEdge {
    pub x1: i64,
    pub y1: i64,
    pub x2: i64,
    pub y2: i64,
    pub title: String,
}

/// The whole picture.
#[derive(Debug, Clone)]
pub struct Picture {
    pub title: String,
    pub width: i64,
    pub height: i64,
    pub nodes: Vec<DrawnNode>,
    pub edges: Vec<DrawnEdge>,
}

/// A service to draw: id, name and whether it has an open incident.
#[derive(Debug, Clone)]
pub struct GraphService {
    pub id: ServiceId,
    pub name: String,
    pub down: bool,
}

/// Draws `services` with `dependencies` (service, what it depends on); edges naming a service
/// not in `services` are left out. `current` is highlighted.
pub fn picture(
    title: &str,
    services: &[GraphService],
    dependencies: &[(ServiceId, ServiceId)],
    current: Option<ServiceId>,
) -> Picture {
    let index: HashMap<ServiceId, usize> = services
        .iter()
        .enumerate()
        .map(|(i, s)| (s.id, i))
        .collect();
    let edges: Vec<(usize, usize)> = dependencies
        .iter()
        .filter_map(|(from, to)| Some((*index.get(from)?, *index.get(to)?)))
        .collect();
    let placed = layout(services.len(), &edges);
    let nodes = services
        .iter()
        .zip(&placed.positions)
        .map(|(service, &(x, y))| DrawnNode {
            id: service.id,
            name: service.name.clone(),
            label: label(&service.name),
            x,
            y,
            text_x: x + NODE_WIDTH / 2,
            text_y: y + NODE_HEIGHT / 2 + 4,
            down: service.down,
            current: Some(service.id) == current,
        })
        .collect();
    let edges = edges
        .iter()
        .map(|&(from, to)| {
            let (fx, fy) = placed.positions[from];
            let (tx, ty) = placed.positions[to];
            DrawnEdge {
                x1: fx + NODE_WIDTH / 2,
                y1: fy + NODE_HEIGHT,
                x2: tx + NODE_WIDTH / 2,
                y2: ty - 4,
                title: format!("{} depends on {}", services[from].name, services[to].name),
            }
        })
        .collect();
    Picture {
        title: title.to_owned(),
        width: placed.width,
        height: placed.height,
        nodes,
        edges,
    }
}

/// A name short enough for a node's box.
fn label(name: &str) -> String {
    if name.chars().count() <= LABEL_CHARS {
        name.to_owned()
    } else {
        let cut: String = name.chars().take(LABEL_CHARS - 1).collect();
        format!("{cut}…")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn overlaps(a: (i64, i64), b: (i64, i64)) -> bool {
        a.0 < b.0 + NODE_WIDTH
            && b.0 < a.0 + NODE_WIDTH
            && a.1 < b.1 + NODE_HEIGHT
            && b.1 < a.1 + NODE_HEIGHT
    }

    fn layer_of(layout: &Layout, node: usize) -> usize {
        layout
            .layers
            .iter()
            .position(|layer| layer.contains(&node))
            .expect("every node is on a layer")
    }

    #[test]
    fn edges_go_from_a_lower_to_a_higher_layer_by_longest_path() {
        // 0 -> 1 -> 2 and a shortcut 0 -> 2: 2 sits below 1, not beside it.
        let edges = [(0, 1), (1, 2), (0, 2), (3, 2)];
        let placed = layout(4, &edges);
        for (from, to) in edges {
            assert!(
                layer_of(&placed, from) < layer_of(&placed, to),
                "{from}->{to}"
            );
        }
        assert_eq!(layer_of(&placed, 2), 2);
        assert_eq!(layer_of(&placed, 3), 0);
    }

    #[test]
    fn no_two_nodes_overlap_and_all_fit_in_the_picture() {
        let edges = [(0, 3), (1, 3), (2, 4), (3, 5), (4, 5), (6, 5), (0, 4)];
        let placed = layout(8, &edges);
        for a in 0..8 {
            let (x, y) = placed.positions[a];
            assert!(x >= 0 && y >= 0);
            assert!(x + NODE_WIDTH <= placed.width && y + NODE_HEIGHT <= placed.height);
            for b in a + 1..8 {
                assert!(
                    !overlaps(placed.positions[a], placed.positions[b]),
                    "{a} and {b} overlap"
                );
            }
        }
    }

    #[test]
    fn ordering_removes_an_avoidable_crossing() {
        // Layer 0: 0, 1; layer 1: 2, 3 with 0 -> 3 and 1 -> 2: drawn naively they cross.
        let placed = layout(4, &[(0, 3), (1, 2)]);
        let x = |n: usize| placed.positions[n].0;
        assert_eq!(x(0) < x(1), x(3) < x(2), "the two edges cross");
    }

    #[test]
    fn a_cycle_from_a_damaged_database_still_lays_out() {
        let placed = layout(3, &[(0, 1), (1, 2), (2, 1)]);
        assert_eq!(placed.positions.len(), 3);
    }

    #[test]
    fn pictures_draw_a_node_per_service_and_an_edge_per_known_dependency() {
        let id = |n: u128| ServiceId(uuid::Uuid::from_u128(n));
        let services: Vec<GraphService> = (1..=3)
            .map(|n| GraphService {
                id: id(n),
                name: format!("service number {n} with a long name"),
                down: n == 2,
            })
            .collect();
        let drawn = picture(
            "Dependencies",
            &services,
            &[(id(1), id(2)), (id(2), id(3)), (id(3), id(99))],
            Some(id(1)),
        );
        assert_eq!(drawn.nodes.len(), 3);
        assert_eq!(drawn.edges.len(), 2);
        assert!(drawn.nodes[1].down && !drawn.nodes[0].down);
        assert!(drawn.nodes[0].current);
        assert_eq!(drawn.nodes[0].label.chars().count(), LABEL_CHARS);
        let edge = &drawn.edges[0];
        assert!(edge.y1 < edge.y2, "dependencies are drawn below");
    }
}
