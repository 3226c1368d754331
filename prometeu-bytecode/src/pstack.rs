//! A persistent stack: the verifier's operand-stack states.
//!
//! Like the locals ([`crate::pvec`]), the operand stack is copied along every edge of
//! the control-flow graph, and a stack that is deep where code branches (an array
//! literal of 3,000 `if` expressions) made every copy and every join cost the whole
//! depth. Here the values below a block's own pushes are frozen into segments shared by
//! every state that grew from them: a copy costs the unfrozen top, a join compares
//! values from the top down only until both stacks reach the same frozen position.

use std::rc::Rc;

/// Frozen values `start..start + vals.len()`, above the segment `below`.
struct Segment<T> {
    below: Option<Rc<Segment<T>>>,
    start: usize,
    vals: Vec<T>,
}

/// A stack of `Copy` values whose clones share their frozen lower part.
#[derive(Clone)]
pub(crate) struct PStack<T> {
    /// The segment holding the topmost frozen value (`None` when none is frozen).
    frozen: Option<Rc<Segment<T>>>,
    /// How many frozen values are on the stack (the rest of `frozen` was popped).
    frozen_len: usize,
    /// The values pushed since the last freeze, bottom first.
    top: Vec<T>,
}

impl<T: Copy + PartialEq> Default for PStack<T> {
    fn default() -> PStack<T> {
        PStack {
            frozen: None,
            frozen_len: 0,
            top: Vec::new(),
        }
    }
}

impl<T: Copy + PartialEq> PStack<T> {
    /// How many values it holds.
    pub(crate) fn len(&self) -> usize {
        self.frozen_len + self.top.len()
    }

    /// Pushes `value`.
    pub(crate) fn push(&mut self, value: T) {
        self.top.push(value);
    }

    /// Pops the top value.
    pub(crate) fn pop(&mut self) -> Option<T> {
        if let Some(v) = self.top.pop() {
            return Some(v);
        }
        let len = self.frozen_len.checked_sub(1)?;
        let v = self.get(len);
        self.cut(len);
        Some(v)
    }

    /// The value at `index` from the bottom (below [`PStack::len`]).
    pub(crate) fn get(&self, index: usize) -> T {
        if index >= self.frozen_len {
            return self.top[index - self.frozen_len];
        }
        let mut seg = self.frozen.as_ref().expect("a frozen value has a segment");
        while index < seg.start {
            seg = seg.below.as_ref().expect("segments reach down to 0");
        }
        seg.vals[index - seg.start]
    }

    /// The values from `base` to the top, bottom first.
    pub(crate) fn from(&self, base: usize) -> Vec<T> {
        let mut out = Vec::with_capacity(self.len().saturating_sub(base));
        if base < self.frozen_len {
            // Walk the frozen segments down to `base`, collecting each used range.
            let mut parts = Vec::new();
            let mut end = self.frozen_len;
            let mut seg = self.frozen.as_ref();
            while let Some(s) = seg {
                if end <= base {
                    break;
                }
                let lo = s.start.max(base);
                if lo < end {
                    parts.push(&s.vals[lo - s.start..end - s.start]);
                }
                end = s.start;
                seg = s.below.as_ref();
            }
            for part in parts.into_iter().rev() {
                out.extend_from_slice(part);
            }
            out.extend_from_slice(&self.top);
        } else {
            out.extend_from_slice(&self.top[base - self.frozen_len..]);
        }
        out
    }

    /// Drops everything above the first `len` values.
    pub(crate) fn truncate(&mut self, len: usize) {
        if len >= self.frozen_len {
            self.top.truncate(len - self.frozen_len);
        } else {
            self.top.clear();
            self.cut(len);
        }
    }

    /// Keeps `len` ≤ `frozen_len` frozen values, moving to the segment holding the last.
    fn cut(&mut self, len: usize) {
        self.frozen_len = len;
        loop {
            let below = match &self.frozen {
                Some(seg) if len <= seg.start => seg.below.clone(),
                _ => break,
            };
            self.frozen = below;
        }
        if len == 0 {
            self.frozen = None;
        }
    }

    /// Freezes the unfrozen top, so that clones share it; returns how many values
    /// moved (the work it took).
    pub(crate) fn freeze(&mut self) -> usize {
        if self.top.is_empty() {
            return 0;
        }
        let vals = std::mem::take(&mut self.top);
        let moved = vals.len();
        self.frozen = Some(Rc::new(Segment {
            below: self.frozen.take(),
            start: self.frozen_len,
            vals,
        }));
        self.frozen_len += moved;
        moved
    }

    /// The values pushed since the last freeze (what a clone copies).
    pub(crate) fn unfrozen(&self) -> usize {
        self.top.len()
    }

    /// Joins `other` (of the same length) into `self` value by value with `join`,
    /// from the top down until both stacks reach the same frozen position (below it
    /// they are the same values). `join` returns `None` when two values cannot meet.
    /// Returns whether anything changed and how many values were compared, or the
    /// index of the first pair that could not meet.
    pub(crate) fn join_from(
        &mut self,
        other: &PStack<T>,
        join: impl Fn(T, T) -> Option<T>,
    ) -> Result<(bool, usize), usize> {
        debug_assert_eq!(self.len(), other.len());
        let mut joined = Vec::new();
        let mut lowest_change = None;
        let mut compared = 0;
        let mut i = self.len();
        while i > 0 {
            if i <= self.frozen_len.min(other.frozen_len)
                && same_position(&self.frozen, &other.frozen, i)
            {
                break;
            }
            i -= 1;
            compared += 1;
            let (a, b) = (self.get(i), other.get(i));
            let j = join(a, b).ok_or(i)?;
            if j != a {
                lowest_change = Some(i);
            }
            joined.push(j);
        }
        let Some(low) = lowest_change else {
            return Ok((false, compared));
        };
        // Rebuild from the lowest changed value up; `joined` holds len-1 down to `i`.
        let len = self.len();
        let mut rebuilt: Vec<T> = joined[..len - low].to_vec();
        rebuilt.reverse();
        self.truncate(low);
        self.top.extend(rebuilt);
        Ok((true, compared))
    }

    /// The values, bottom first.
    pub(crate) fn to_vec(&self) -> Vec<T> {
        self.from(0)
    }
}

/// Whether the first `len` values of two stacks are the same frozen values: the
/// segment holding value `len - 1` is the same one in both.
fn same_position<T>(a: &Option<Rc<Segment<T>>>, b: &Option<Rc<Segment<T>>>, len: usize) -> bool {
    match (holding(a.as_ref(), len), holding(b.as_ref(), len)) {
        (Some(x), Some(y)) => Rc::ptr_eq(x, y),
        _ => false,
    }
}

/// The segment of the chain from `seg` that holds value `len - 1`.
fn holding<T>(mut seg: Option<&Rc<Segment<T>>>, len: usize) -> Option<&Rc<Segment<T>>> {
    while let Some(s) = seg {
        if len > s.start {
            return Some(s);
        }
        seg = s.below.as_ref();
    }
    None
}

impl<T: Copy + PartialEq> PartialEq for PStack<T> {
    fn eq(&self, other: &PStack<T>) -> bool {
        self.to_vec() == other.to_vec()
    }
}

impl<T: Copy + Eq> Eq for PStack<T> {}

impl<T: Copy + PartialEq + std::fmt::Debug> std::fmt::Debug for PStack<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.to_vec()).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::PStack;

    fn stack(vals: &[u8]) -> PStack<u8> {
        let mut s = PStack::default();
        for &v in vals {
            s.push(v);
        }
        s
    }

    #[test]
    fn pops_and_reads_through_frozen_segments() {
        let mut s = stack(&[1, 2, 3]);
        s.freeze();
        s.push(4);
        s.freeze();
        s.push(5);
        assert_eq!(s.to_vec(), vec![1, 2, 3, 4, 5]);
        assert_eq!(s.from(2), vec![3, 4, 5]);
        assert_eq!(s.get(0), 1);
        assert_eq!(s.pop(), Some(5));
        assert_eq!(s.pop(), Some(4));
        assert_eq!(s.pop(), Some(3));
        s.push(9);
        assert_eq!(s.to_vec(), vec![1, 2, 9]);
        s.freeze();
        assert_eq!(s.to_vec(), vec![1, 2, 9]);
        s.truncate(1);
        assert_eq!(s.to_vec(), vec![1]);
        assert_eq!(s.pop(), Some(1));
        assert_eq!(s.pop(), None);
        assert_eq!(s.len(), 0);
    }

    #[test]
    fn joins_compare_only_above_the_shared_part() {
        let mut base = stack(&(0..100).collect::<Vec<u8>>());
        base.freeze();
        let mut a = base.clone();
        let mut b = base.clone();
        a.push(7);
        b.push(8);
        a.freeze();
        b.freeze();
        let joined = |x: u8, y: u8| Some(if x == y { x } else { 255 });
        let (changed, compared) = a.join_from(&b, joined).unwrap();
        assert!(changed);
        assert_eq!(compared, 1, "only the value above the shared 100");
        assert_eq!(a.get(100), 255);
        assert_eq!(a.from(98), vec![98, 99, 255]);
        let (changed, _) = a.join_from(&b, joined).unwrap();
        assert!(!changed);
        // Different values deep down are found too.
        let mut c = stack(&[1, 2, 3]);
        let d = stack(&[1, 5, 3]);
        assert_eq!(c.join_from(&d, joined), Ok((true, 3)));
        assert_eq!(c.to_vec(), vec![1, 255, 3]);
        assert_eq!(c.join_from(&d, |x, y| (x == y).then_some(x)), Err(1));
    }
}
