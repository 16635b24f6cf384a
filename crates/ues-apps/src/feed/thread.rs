//! Threads (`app.bsky.feed.getPostThread`): the parent chain up to a
//! height, the replies down to a depth, with `NotFound` and `Blocked`
//! placeholders as in the reference (`#notFoundPost`, `#blockedPost`).

use super::parse::uri_did;
use super::state::FeedState;
use super::views::PostView;

/// The deepest a thread view goes, either way (the reference caps depth
/// and parent height at 1000).
pub const MAX_THREAD_DEPTH: usize = 1000;

/// A node of a thread view.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ThreadNode {
    Post {
        post: Box<PostView>,
        /// The post replied to (only above the requested post).
        parent: Option<Box<ThreadNode>>,
        /// Replies, oldest first (only below the requested post).
        replies: Vec<ThreadNode>,
    },
    /// Deleted, or never seen here.
    NotFound { uri: String },
    /// The author blocks the viewer or is blocked by the viewer.
    Blocked { uri: String, author: String },
}

impl ThreadNode {
    /// The post of a `Post` node.
    pub fn post(&self) -> Option<&PostView> {
        match self {
            ThreadNode::Post { post, .. } => Some(post),
            _ => None,
        }
    }
}

impl FeedState {
    /// The thread around the post at `uri`: up to `parent_height` parents and
    /// replies down to `depth` levels (both capped at
    /// [`MAX_THREAD_DEPTH`]). Replies that a block hides are left out;
    /// hidden or missing parents become placeholders that end the chain.
    pub fn thread(
        &self,
        uri: &str,
        viewer: Option<&str>,
        depth: usize,
        parent_height: usize,
    ) -> ThreadNode {
        let depth = depth.min(MAX_THREAD_DEPTH);
        let height = parent_height.min(MAX_THREAD_DEPTH);
        match self.placeholder(uri, viewer) {
            Err(node) => node,
            Ok(post) => {
                let parent = self.parent_of(&post, viewer, height);
                let replies = self.replies_of(uri, viewer, depth);
                ThreadNode::Post {
                    post: Box::new(post),
                    parent,
                    replies,
                }
            }
        }
    }

    /// The post's view, or the placeholder that stands for it.
    fn placeholder(&self, uri: &str, viewer: Option<&str>) -> Result<PostView, ThreadNode> {
        if let Some(author) = uri_did(uri) {
            if self.hidden(viewer, author) {
                return Err(ThreadNode::Blocked {
                    uri: uri.to_string(),
                    author: author.to_string(),
                });
            }
        }
        self.post_view(uri, viewer)
            .ok_or_else(|| ThreadNode::NotFound {
                uri: uri.to_string(),
            })
    }

    fn parent_of(
        &self,
        post: &PostView,
        viewer: Option<&str>,
        height: usize,
    ) -> Option<Box<ThreadNode>> {
        let mut chain = Vec::new();
        let mut next = post.reply.as_ref().map(|(_, parent)| parent.clone());
        while let Some(uri) = next.take() {
            if chain.len() >= height {
                break;
            }
            match self.placeholder(&uri, viewer) {
                Ok(p) => {
                    next = p.reply.as_ref().map(|(_, parent)| parent.clone());
                    chain.push(ThreadNode::Post {
                        post: Box::new(p),
                        parent: None,
                        replies: Vec::new(),
                    });
                }
                Err(node) => chain.push(node),
            }
        }
        // Link the chain from the top down (no recursion: heights may be
        // long).
        let mut top: Option<Box<ThreadNode>> = None;
        for mut node in chain.into_iter().rev() {
            if let ThreadNode::Post { parent, .. } = &mut node {
                *parent = top.take();
            }
            top = Some(Box::new(node));
        }
        top
    }

    fn replies_of(&self, uri: &str, viewer: Option<&str>, depth: usize) -> Vec<ThreadNode> {
        if depth == 0 {
            return Vec::new();
        }
        let Some(children) = self.replies.get(uri) else {
            return Vec::new();
        };
        children
            .iter()
            .filter_map(|k| {
                let post = self.post_view(&k.uri, viewer)?;
                if post.reply.as_ref().map(|(_, p)| p.as_str()) != Some(uri) {
                    return None;
                }
                let replies = self.replies_of(&k.uri, viewer, depth - 1);
                Some(ThreadNode::Post {
                    post: Box::new(post),
                    parent: None,
                    replies,
                })
            })
            .collect()
    }
}
