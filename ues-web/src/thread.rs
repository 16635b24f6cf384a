//! The thread view (parents above, the post, nested replies below) and the
//! notifications view (likes, reposts, replies, quotes, mentions, follows).

use crate::app::{Tab, Ui};
use crate::feed::{ago, name_of, open_profile, open_thread, post_card};
use leptos::prelude::*;
use ues_node::ues_apps::feed::{Notification, NotificationReason, PostView, ThreadNode};

/// A row of a flattened thread.
#[derive(Clone)]
enum Row {
    Post {
        depth: usize,
        post: Box<PostView>,
        focus: bool,
    },
    Gone {
        depth: usize,
        text: &'static str,
    },
}

fn parents(node: &ThreadNode, out: &mut Vec<Row>) {
    match node {
        ThreadNode::Post { post, parent, .. } => {
            if let Some(p) = parent {
                parents(p, out);
            }
            out.push(Row::Post {
                depth: 0,
                post: post.clone(),
                focus: false,
            });
        }
        ThreadNode::NotFound { .. } => out.push(Row::Gone {
            depth: 0,
            text: "This post was deleted or is not here.",
        }),
        ThreadNode::Blocked { .. } => out.push(Row::Gone {
            depth: 0,
            text: "Blocked post.",
        }),
    }
}

fn replies(nodes: &[ThreadNode], depth: usize, out: &mut Vec<Row>) {
    for n in nodes {
        if let ThreadNode::Post {
            post, replies: r, ..
        } = n
        {
            out.push(Row::Post {
                depth,
                post: post.clone(),
                focus: false,
            });
            replies(r, depth + 1, out);
        }
    }
}

fn flatten(t: &ThreadNode) -> Vec<Row> {
    let mut out = Vec::new();
    match t {
        ThreadNode::Post {
            post,
            parent,
            replies: r,
        } => {
            if let Some(p) = parent {
                parents(p, &mut out);
            }
            out.push(Row::Post {
                depth: 0,
                post: post.clone(),
                focus: true,
            });
            replies(r, 1, &mut out);
        }
        other => parents(other, &mut out),
    }
    out
}

#[component]
pub fn Thread() -> impl IntoView {
    let ui = expect_context::<Ui>();
    let rows = RwSignal::new(Vec::<Row>::new());
    Effect::new(move |_| {
        ui.changed.track();
        let Some(uri) = ui.thread.get() else {
            return;
        };
        ui.run(
            async move |n| n.thread(&uri, 20).await,
            move |t| rows.set(flatten(&t)),
        );
    });
    view! {
        <section id="thread">
            <div class="view-head">
                <button class="back" on:click=move |_| ui.tab.set(Tab::Home)>"← Back"</button>
                <h2>"Thread"</h2>
            </div>
            <ol class="feed thread">
                {move || rows.get().into_iter().map(|r| match r {
                    Row::Post { depth, post, focus } => view! {
                        <div class="thread-row" style=format!("margin-left: {}rem", depth.min(6) as f32 * 1.5)>
                            {post_card(ui, *post, None, focus)}
                        </div>
                    }.into_any(),
                    Row::Gone { depth, text } => view! {
                        <div class="thread-row gone" style=format!("margin-left: {}rem", depth as f32 * 1.5)>{text}</div>
                    }.into_any(),
                }).collect_view()}
            </ol>
        </section>
    }
}

fn describe(n: &Notification) -> &'static str {
    match n.reason {
        NotificationReason::Like => "liked your post",
        NotificationReason::Repost => "reposted your post",
        NotificationReason::Reply => "replied to your post",
        NotificationReason::Quote => "quoted your post",
        NotificationReason::Mention => "mentioned you",
        NotificationReason::Follow => "followed you",
    }
}

fn icon(r: NotificationReason) -> &'static str {
    match r {
        NotificationReason::Like => "♥",
        NotificationReason::Repost => "↻",
        NotificationReason::Reply | NotificationReason::Quote => "↩",
        NotificationReason::Mention => "@",
        NotificationReason::Follow => "+",
    }
}

/// The time of a notification (microseconds) as an ISO string.
fn iso(micros: i64) -> String {
    js_sys::Date::new(&((micros / 1000) as f64).into())
        .to_iso_string()
        .into()
}

#[component]
pub fn Notifications() -> impl IntoView {
    let ui = expect_context::<Ui>();
    let items = RwSignal::new(Vec::<Notification>::new());
    Effect::new(move |_| {
        ui.changed.track();
        ui.run(
            async |n| n.notifications(50, None).await,
            move |p| items.set(p.items),
        );
    });
    // Others' actions arrive with pulls: follow them while this view is open.
    let line = RwSignal::new(String::new());
    crate::social::pull(ui, line);
    if let Ok(h) = set_interval_with_handle(
        move || crate::social::pull(ui, line),
        std::time::Duration::from_secs(5),
    ) {
        on_cleanup(move || h.clear());
    }
    view! {
        <section id="notifications-view">
            <h2>"Notifications"</h2>
            <ol id="notifications" class="feed">
                <For each=move || items.get() key=|n| n.uri.clone() let:n>
                    {
                        let target = match n.reason {
                            NotificationReason::Like | NotificationReason::Repost => n.subject.clone(),
                            NotificationReason::Follow => None,
                            _ => Some(n.uri.clone()),
                        };
                        let who = n.author.clone();
                        let name = name_of(n.display_name.as_deref(), n.handle.as_deref(), &n.author);
                        let open = move |_| match &target {
                            Some(u) => open_thread(ui, u.clone()),
                            None => open_profile(ui, who.clone()),
                        };
                        view! {
                            <li class=format!("note {}", n.reason.as_str()) on:click=open>
                                <span class="note-icon">{icon(n.reason)}</span>
                                <div>
                                    <p><strong class="name">{name}</strong>" "{describe(&n)}
                                        <time>{ago(&iso(n.sort_at))}</time></p>
                                    {n.text.clone().map(|t| view! { <p class="note-text">{t}</p> })}
                                </div>
                            </li>
                        }
                    }
                </For>
            </ol>
            <Show when=move || items.get().is_empty()>
                <p class="muted">"Nothing yet: likes, reposts, replies and follows of you show up here."</p>
            </Show>
        </section>
    }
}
