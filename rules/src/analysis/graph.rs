//! Graph algorithms over small integer-indexed graphs: strongly connected
//! components and shortest paths with deterministic tie-breaking.

use std::collections::VecDeque;

/// Tarjan's SCC (iterative). Returns the component index of every node.
pub(crate) fn scc(adj: &[Vec<usize>]) -> Vec<usize> {
    let n = adj.len();
    let mut index = vec![usize::MAX; n];
    let mut low = vec![0; n];
    let mut on_stack = vec![false; n];
    let mut comp = vec![usize::MAX; n];
    let mut stack = Vec::new();
    let mut next_index = 0;
    let mut next_comp = 0;
    let mut call: Vec<(usize, usize)> = Vec::new();
    for root in 0..n {
        if index[root] != usize::MAX {
            continue;
        }
        call.push((root, 0));
        while let Some(&mut (v, ref mut i)) = call.last_mut() {
            if *i == 0 {
                index[v] = next_index;
                low[v] = next_index;
                next_index += 1;
                stack.push(v);
                on_stack[v] = true;
            }
            if *i < adj[v].len() {
                let w = adj[v][*i];
                *i += 1;
                if index[w] == usize::MAX {
                    call.push((w, 0));
                } else if on_stack[w] {
                    low[v] = low[v].min(index[w]);
                }
                continue;
            }
            call.pop();
            if let Some(&(parent, _)) = call.last() {
                low[parent] = low[parent].min(low[v]);
            }
            if low[v] == index[v] {
                while let Some(w) = stack.pop() {
                    on_stack[w] = false;
                    comp[w] = next_comp;
                    if w == v {
                        break;
                    }
                }
                next_comp += 1;
            }
        }
    }
    comp
}

/// Shortest path from `from` to `to` staying inside nodes where `allowed` is
/// true; neighbours are visited in ascending `order` key so that among shortest
/// paths the lexicographically smallest (by key) is returned. Includes both ends.
/// One search per call over the whole graph: the rules use [`CycleFinder`];
/// this stays as the tests' oracle for it.
#[cfg(test)]
pub(crate) fn shortest_path(
    adj: &[Vec<usize>],
    from: usize,
    to: usize,
    allowed: impl Fn(usize) -> bool,
    order: impl Fn(usize) -> String,
) -> Option<Vec<usize>> {
    // BFS backwards from `to` gives distances; then walk greedily forward,
    // picking the smallest-key neighbour that stays on a shortest path.
    let n = adj.len();
    let mut radj: Vec<Vec<usize>> = vec![Vec::new(); n];
    for (v, ws) in adj.iter().enumerate() {
        if !allowed(v) {
            continue;
        }
        for &w in ws {
            if allowed(w) {
                radj[w].push(v);
            }
        }
    }
    let dist = bfs_dist(&radj, &[to]);
    if dist[from] == usize::MAX {
        return None;
    }
    Some(walk_down(adj, &dist, from, &allowed, &order))
}

/// Shortest cycles through many edges of one graph: the reversed graph
/// inside strongly connected components is built once, and each search
/// stops as soon as it reaches its start, so a ring of 8,000 files or a
/// complete graph of 500 modules costs what its edges do, not their square.
pub(crate) struct CycleFinder<'a> {
    adj: &'a [Vec<usize>],
    comp: Vec<usize>,
    radj: Vec<Vec<usize>>,
    /// Distances of the current search, and the nodes it set (reset after).
    dist: std::cell::RefCell<(Vec<usize>, Vec<usize>)>,
}

impl<'a> CycleFinder<'a> {
    pub(crate) fn new(adj: &'a [Vec<usize>]) -> CycleFinder<'a> {
        let comp = scc(adj);
        let mut radj: Vec<Vec<usize>> = vec![Vec::new(); adj.len()];
        for (v, ws) in adj.iter().enumerate() {
            for &w in ws {
                if comp[v] == comp[w] {
                    radj[w].push(v);
                }
            }
        }
        CycleFinder {
            adj,
            comp,
            radj,
            dist: std::cell::RefCell::new((vec![usize::MAX; adj.len()], Vec::new())),
        }
    }

    /// The strongly connected component of each node.
    pub(crate) fn comp(&self) -> &[usize] {
        &self.comp
    }

    /// A shortest path `from` → … → `to` inside their component (smallest
    /// keys first among equals), `None` when they are not in one.
    pub(crate) fn path(
        &self,
        from: usize,
        to: usize,
        order: impl Fn(usize) -> String,
    ) -> Option<Vec<usize>> {
        if self.comp[from] != self.comp[to] {
            return None;
        }
        let mut guard = self.dist.borrow_mut();
        let (dist, touched) = &mut *guard;
        let mut q = VecDeque::new();
        dist[to] = 0;
        touched.push(to);
        q.push_back(to);
        // every node nearer than `from` is set once `from` is
        'bfs: while let Some(v) = q.pop_front() {
            for &w in &self.radj[v] {
                if dist[w] == usize::MAX {
                    dist[w] = dist[v] + 1;
                    touched.push(w);
                    if w == from {
                        break 'bfs;
                    }
                    q.push_back(w);
                }
            }
        }
        let found = dist[from] != usize::MAX;
        let path = found.then(|| walk_down(self.adj, dist, from, &|_| true, &order));
        for v in touched.drain(..) {
            dist[v] = usize::MAX;
        }
        path
    }
}

/// A cycle's nodes for a message: all of them up to 12, else the first 8,
/// how many are left out, and the last 3 (a ring of 8,000 files must not
/// put 8,000 names in each of its 8,000 diagnostics).
/// `len` names, the `i`th given by `name(i)` (only those shown are made).
pub(crate) fn cycle_text(len: usize, name: impl Fn(usize) -> String) -> String {
    let quoted = |i: usize| format!("`{}`", name(i));
    let join = |r: std::ops::Range<usize>| r.map(quoted).collect::<Vec<_>>().join(" → ");
    if len <= 12 {
        return join(0..len);
    }
    format!(
        "{} → … ({} more) … → {}",
        join(0..8),
        len - 11,
        join(len - 3..len)
    )
}

/// Distances to the nearest of `sources` over `adj` (pass the reversed graph to
/// get distances *to* the sources).
pub(crate) fn bfs_dist(adj: &[Vec<usize>], sources: &[usize]) -> Vec<usize> {
    let mut dist = vec![usize::MAX; adj.len()];
    let mut q = VecDeque::new();
    for &s in sources {
        if dist[s] != 0 {
            dist[s] = 0;
            q.push_back(s);
        }
    }
    while let Some(v) = q.pop_front() {
        for &w in &adj[v] {
            if dist[w] == usize::MAX {
                dist[w] = dist[v] + 1;
                q.push_back(w);
            }
        }
    }
    dist
}

/// Follows strictly decreasing distances from `from` to a node at distance 0,
/// choosing the smallest key at each step.
pub(crate) fn walk_down(
    adj: &[Vec<usize>],
    dist: &[usize],
    from: usize,
    allowed: &impl Fn(usize) -> bool,
    order: &impl Fn(usize) -> String,
) -> Vec<usize> {
    let mut path = vec![from];
    let mut v = from;
    while dist[v] > 0 {
        let mut steps = adj[v]
            .iter()
            .copied()
            .filter(|&w| allowed(w) && dist[w] != usize::MAX && dist[w] + 1 == dist[v]);
        let Some(first) = steps.next() else {
            break;
        };
        // keys are made only to choose among several (a ring of 8,000 has
        // one way on at each step)
        let next = match steps.next() {
            None => first,
            Some(second) => [first, second]
                .into_iter()
                .chain(steps)
                .min_by_key(|&w| order(w))
                .unwrap_or(first),
        };
        path.push(next);
        v = next;
    }
    path
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn components() {
        // 0 -> 1 -> 2 -> 0, 2 -> 3, 3 -> 4 -> 3, 5
        let adj = vec![vec![1], vec![2], vec![0, 3], vec![4], vec![3], vec![]];
        let c = scc(&adj);
        assert_eq!(c[0], c[1]);
        assert_eq!(c[1], c[2]);
        assert_eq!(c[3], c[4]);
        assert_ne!(c[0], c[3]);
        assert_ne!(c[5], c[0]);
        assert_ne!(c[5], c[3]);
    }

    #[test]
    fn the_cycle_finder_agrees_with_shortest_path() {
        // 0 -> {2, 1} -> 3 -> 0, 4 -> 0 (outside the cycle)
        let adj = vec![vec![2, 1], vec![3], vec![3], vec![0], vec![0]];
        let f = CycleFinder::new(&adj);
        for (a, b) in [(0, 3), (3, 0), (1, 0), (2, 3)] {
            let c = f.comp().to_vec();
            let expected = shortest_path(&adj, a, b, |v| c[v] == c[a], |v| format!("{v}"));
            assert_eq!(f.path(a, b, |v| format!("{v}")), expected, "{a} -> {b}");
        }
        assert_eq!(f.path(4, 0, |v| format!("{v}")), None);
        // a ring of 10,000: each search is linear, state reset between them
        let n = 10_000;
        let ring: Vec<Vec<usize>> = (0..n).map(|i| vec![(i + 1) % n]).collect();
        let f = CycleFinder::new(&ring);
        assert_eq!(f.path(1, 0, |v| format!("{v}")).unwrap().len(), n);
        assert_eq!(f.path(5, 4, |v| format!("{v}")).unwrap().len(), n);
    }

    #[test]
    fn long_cycles_are_shortened_in_messages() {
        let short = ["a", "b", "a"];
        assert_eq!(cycle_text(3, |i| short[i].to_string()), "`a` → `b` → `a`");
        assert_eq!(
            cycle_text(100, |i| format!("m{i}")),
            "`m0` → `m1` → `m2` → `m3` → `m4` → `m5` → `m6` → `m7` → … (89 more) … → `m97` → `m98` → `m99`"
        );
    }

    #[test]
    fn shortest_path_prefers_smallest_keys() {
        // 0 -> {2, 1} -> 3 : both length 2; via 1 is lexicographically smaller
        let adj = vec![vec![2, 1], vec![3], vec![3], vec![]];
        let p = shortest_path(&adj, 0, 3, |_| true, |v| format!("{v}")).unwrap();
        assert_eq!(p, [0, 1, 3]);
        assert!(shortest_path(&adj, 3, 0, |_| true, |v| format!("{v}")).is_none());
        // excluding 1 forces the other way
        let p = shortest_path(&adj, 0, 3, |v| v != 1, |v| format!("{v}")).unwrap();
        assert_eq!(p, [0, 2, 3]);
    }

    #[test]
    fn deep_graph_does_not_overflow() {
        let n = 200_000;
        let adj: Vec<Vec<usize>> = (0..n).map(|i| vec![(i + 1) % n]).collect();
        let c = scc(&adj);
        assert!(c.iter().all(|&x| x == c[0]));
    }
}
