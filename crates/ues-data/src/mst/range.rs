//! Range reads: the entries between two keys, in key order or reversed, up
//! to a limit. A walk stops as soon as it has its page, so a page of a big
//! tree reads the nodes on its way only (a lazily loaded tree stays mostly
//! unread).

use super::node::Link;
use super::tree::Loader;
use super::{BlockSource, Mst, MstError};
use crate::cid::Cid;

/// Which way a walk goes, and how many entries it may collect.
#[derive(Debug, Clone, Copy)]
struct Page<'k> {
    start: Option<&'k str>,
    end: Option<&'k str>,
    limit: usize,
}

impl<S: BlockSource> Mst<S> {
    /// Every entry with `start <= key < end` (`None` = unbounded), in key
    /// order. `list` is `range(None, None)`.
    pub fn range(
        &mut self,
        start: Option<&str>,
        end: Option<&str>,
    ) -> Result<Vec<(String, Cid)>, MstError> {
        self.range_page(start, end, usize::MAX, false)
    }

    /// At most `limit` entries with `start <= key < end`, from the lowest
    /// key up, or from the highest down when `reverse`.
    pub fn range_page(
        &mut self,
        start: Option<&str>,
        end: Option<&str>,
        limit: usize,
        reverse: bool,
    ) -> Result<Vec<(String, Cid)>, MstError> {
        let mut out = Vec::new();
        if limit == 0 {
            return Ok(out);
        }
        let Some(layer) = self.root_layer()? else {
            return Ok(out);
        };
        let (root, mut ld) = self.parts();
        let page = Page { start, end, limit };
        if reverse {
            walk_down(&mut ld, root, layer, page, &mut out)?;
        } else {
            walk_up(&mut ld, root, layer, page, &mut out)?;
        }
        Ok(out)
    }
}

/// In key order; `Ok(true)` once the page is complete.
fn walk_up<S: BlockSource>(
    ld: &mut Loader<'_, S>,
    link: &mut Link,
    layer: u32,
    p: Page<'_>,
    out: &mut Vec<(String, Cid)>,
) -> Result<bool, MstError> {
    let Some(n) = ld.load(link, layer)? else {
        return Ok(false);
    };
    let from = p.start.map_or(0, |s| n.gte_index(s).unwrap_or_else(|i| i));
    let sub = layer.saturating_sub(1);
    if walk_up(ld, n.link_mut(from), sub, p, out)? {
        return Ok(true);
    }
    for i in from..n.entries.len() {
        let e = &n.entries[i];
        if p.end.is_some_and(|x| *e.key >= *x) {
            return Ok(true);
        }
        out.push((e.key.to_string(), e.value));
        if out.len() >= p.limit {
            return Ok(true);
        }
        if walk_up(ld, n.link_mut(i + 1), sub, p, out)? {
            return Ok(true);
        }
    }
    Ok(false)
}

/// In reverse key order; `Ok(true)` once the page is complete.
fn walk_down<S: BlockSource>(
    ld: &mut Loader<'_, S>,
    link: &mut Link,
    layer: u32,
    p: Page<'_>,
    out: &mut Vec<(String, Cid)>,
) -> Result<bool, MstError> {
    let Some(n) = ld.load(link, layer)? else {
        return Ok(false);
    };
    // Entries before `to` are below `end`; the subtree right of entry
    // `to - 1` may hold keys below `end` too.
    let to = p
        .end
        .map_or(n.entries.len(), |x| n.gte_index(x).unwrap_or_else(|i| i));
    let sub = layer.saturating_sub(1);
    if walk_down(ld, n.link_mut(to), sub, p, out)? {
        return Ok(true);
    }
    for i in (0..to).rev() {
        let e = &n.entries[i];
        if p.start.is_some_and(|s| *e.key < *s) {
            return Ok(true);
        }
        out.push((e.key.to_string(), e.value));
        if out.len() >= p.limit {
            return Ok(true);
        }
        if walk_down(ld, n.link_mut(i), sub, p, out)? {
            return Ok(true);
        }
    }
    Ok(false)
}
