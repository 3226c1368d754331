//! A persistent vector: the verifier's local-slot states.
//!
//! The verifier keeps one abstract state per basic block and copies it along every
//! edge. With a plain vector each copy and each join costs the function's whole local
//! count, so a function with `n` locals and `n` branches costs `n²` (1,000 `let` + `if`
//! pairs were past the verifier's budget). Here a state is a tree of 32-slot leaves
//! shared between copies: a copy is one reference count, a write copies the path to its
//! leaf, and a join skips every subtree the two states still share, so the cost follows
//! what changed, not the frame's size.

use std::rc::Rc;

/// Slots per leaf and children per inner node.
const BITS: u32 = 5;
const WIDTH: usize = 1 << BITS;
const MASK: usize = WIDTH - 1;

#[derive(Clone, Debug)]
enum Node<T> {
    /// `WIDTH` values (the last leaf padded with the fill value).
    Leaf(Rc<Vec<T>>),
    /// `WIDTH` subtrees.
    Inner(Rc<Vec<Node<T>>>),
}

/// A fixed-length vector of `Copy` values whose clones share storage.
#[derive(Clone)]
pub(crate) struct PVec<T> {
    len: usize,
    /// The index bits consumed above the leaves (0 when the root is a leaf).
    shift: u32,
    root: Node<T>,
}

impl<T: Copy + PartialEq> PVec<T> {
    /// `len` copies of `fill`; all leaves start shared, so this costs the tree's depth.
    pub(crate) fn filled(len: usize, fill: T) -> PVec<T> {
        let mut root = Node::Leaf(Rc::new(vec![fill; WIDTH]));
        let mut shift = 0;
        let mut capacity = WIDTH;
        while capacity < len {
            root = Node::Inner(Rc::new(vec![root; WIDTH]));
            shift += BITS;
            capacity <<= BITS;
        }
        PVec { len, shift, root }
    }

    /// How many values it holds.
    pub(crate) fn len(&self) -> usize {
        self.len
    }

    /// The value at `index` (which must be below [`PVec::len`]).
    pub(crate) fn get(&self, index: usize) -> T {
        debug_assert!(index < self.len);
        let mut node = &self.root;
        let mut shift = self.shift;
        loop {
            match node {
                Node::Leaf(values) => return values[index & MASK],
                Node::Inner(children) => {
                    node = &children[(index >> shift) & MASK];
                    shift = shift.saturating_sub(BITS);
                }
            }
        }
    }

    /// Stores `value` at `index`; returns how many nodes were copied to unshare the
    /// path (the work it took: each is one 32-entry copy).
    pub(crate) fn set(&mut self, index: usize, value: T) -> usize {
        debug_assert!(index < self.len);
        if self.get(index) == value {
            return 0;
        }
        set_in(&mut self.root, self.shift, index, value)
    }

    /// Joins `other` into `self` slot by slot with `join`; returns whether anything
    /// changed and how many entries were compared (shared subtrees are skipped).
    pub(crate) fn join_from(&mut self, other: &PVec<T>, join: impl Fn(T, T) -> T) -> (bool, usize) {
        let mut work = 0;
        let changed = join_in(&mut self.root, &other.root, &join, &mut work);
        (changed, work)
    }

    /// The values in order.
    pub(crate) fn iter(&self) -> impl Iterator<Item = T> + '_ {
        (0..self.len).map(|i| self.get(i))
    }
}

impl<T: Copy + PartialEq> PartialEq for PVec<T> {
    fn eq(&self, other: &PVec<T>) -> bool {
        self.len == other.len && self.iter().eq(other.iter())
    }
}

impl<T: Copy + Eq> Eq for PVec<T> {}

impl<T: Copy + PartialEq + std::fmt::Debug> std::fmt::Debug for PVec<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

fn set_in<T: Copy>(node: &mut Node<T>, shift: u32, index: usize, value: T) -> usize {
    match node {
        Node::Leaf(values) => {
            let copied = usize::from(Rc::strong_count(values) > 1);
            Rc::make_mut(values)[index & MASK] = value;
            copied
        }
        Node::Inner(children) => {
            let copied = usize::from(Rc::strong_count(children) > 1);
            let child = &mut Rc::make_mut(children)[(index >> shift) & MASK];
            copied + set_in(child, shift.saturating_sub(BITS), index, value)
        }
    }
}

fn join_in<T: Copy + PartialEq>(
    node: &mut Node<T>,
    other: &Node<T>,
    join: &impl Fn(T, T) -> T,
    work: &mut usize,
) -> bool {
    match (node, other) {
        (Node::Leaf(mine), Node::Leaf(theirs)) => {
            if Rc::ptr_eq(mine, theirs) {
                return false;
            }
            *work += WIDTH;
            let joined: Vec<T> = mine
                .iter()
                .zip(theirs.iter())
                .map(|(&a, &b)| join(a, b))
                .collect();
            if joined == **mine {
                return false;
            }
            *mine = Rc::new(joined);
            true
        }
        (Node::Inner(mine), Node::Inner(theirs)) => {
            if Rc::ptr_eq(mine, theirs) {
                return false;
            }
            *work += WIDTH;
            let mut changed = false;
            for i in 0..WIDTH {
                let mut child = mine[i].clone();
                if join_in(&mut child, &theirs[i], join, work) {
                    Rc::make_mut(mine)[i] = child;
                    changed = true;
                }
            }
            changed
        }
        // Vectors of one length have one shape.
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::PVec;

    #[test]
    fn clones_share_until_written_and_joins_skip_shared_parts() {
        let mut a = PVec::filled(3000, 0u8);
        for i in (0..3000).step_by(7) {
            a.set(i, 1);
        }
        let mut b = a.clone();
        assert_eq!(b.set(2999, 5), 3, "the path of a 3-level tree is copied");
        assert_eq!(a.get(2999), 0);
        assert_eq!(b.get(2999), 5);
        assert_eq!(b.get(7), 1);
        let (changed, work) = a.join_from(&b, |x, y| x.max(y));
        assert!(changed);
        assert!(
            work <= 32 * 3,
            "only the one differing path is compared, not 3,000 slots"
        );
        assert_eq!(a.iter().filter(|&v| v == 5).count(), 1);
        let (changed, _) = a.join_from(&b, |x, y| x.max(y));
        assert!(!changed);
        assert_eq!(PVec::filled(1, 9u8).iter().collect::<Vec<_>>(), vec![9]);
        assert_eq!(PVec::filled(0, 9u8).len(), 0);
    }
}
