//! The social feed: the Home timeline (the node's `FeedState` timeline of
//! the account and the accounts it follows) and the post card every feed
//! view shows, with Like / Repost / Reply and an inline reply box.

use crate::app::{Tab, Ui};
use leptos::prelude::*;
use ues_node::ues_apps::feed::{AuthorFilter, FeedItem, PostView, RepostReason};

pub fn now_iso() -> String {
    js_sys::Date::new_0().to_iso_string().into()
}

/// "just now", "5m", "3h", or the date.
pub fn ago(iso: &str) -> String {
    let then = js_sys::Date::parse(iso);
    if then.is_nan() {
        return iso.to_string();
    }
    let secs = ((js_sys::Date::now() - then) / 1000.0).max(0.0) as u64;
    match secs {
        0..=44 => "just now".into(),
        45..=3599 => format!("{}m", secs.div_ceil(60)),
        3600..=86_399 => format!("{}h", secs / 3600),
        _ => js_sys::Date::new(&iso.into())
            .to_locale_date_string("en", &wasm_bindgen::JsValue::UNDEFINED)
            .into(),
    }
}

/// A short form of a DID for display.
pub fn short_did(did: &str) -> String {
    match did.rsplit(':').next() {
        Some(tail) if tail.len() > 12 => format!(
            "{}…{}",
            &did[..did.len() - tail.len()],
            &tail[tail.len() - 6..]
        ),
        _ => did.to_string(),
    }
}

/// The name to show for an account: display name, handle, or the DID.
pub fn name_of(display: Option<&str>, handle: Option<&str>, did: &str) -> String {
    display
        .filter(|d| !d.trim().is_empty())
        .map(str::to_string)
        .or_else(|| handle.map(|h| format!("@{h}")))
        .unwrap_or_else(|| short_did(did))
}

/// Opens the profile of `did` (the account's own when it is the account).
pub fn open_profile(ui: Ui, did: String) {
    ui.profile.set(Some(did));
    ui.tab.set(Tab::Profile);
}

pub fn open_thread(ui: Ui, uri: String) {
    ui.thread.set(Some(uri));
    ui.tab.set(Tab::Thread);
}

fn bump(ui: Ui) {
    ui.changed.update(|c| *c += 1);
}

/// A stable key for a feed item that changes when its counts do.
pub fn item_key(i: &FeedItem) -> String {
    let p = &i.post;
    format!(
        "{}|{}|{}/{}/{}|{}/{}",
        p.uri,
        i.reason.as_ref().map_or("", |r| r.uri.as_str()),
        p.like_count,
        p.repost_count,
        p.reply_count,
        p.viewer_like.is_some(),
        p.viewer_repost.is_some()
    )
}

/// One post: author, text, time, counts and actions.
pub fn post_card(ui: Ui, p: PostView, reason: Option<RepostReason>, focus: bool) -> impl IntoView {
    let own = ui
        .account
        .get_untracked()
        .is_some_and(|a| a.did == p.author);
    let replying = RwSignal::new(false);
    let reply_text = RwSignal::new(String::new());
    let name = name_of(p.display_name.as_deref(), p.handle.as_deref(), &p.author);
    let author = p.author.clone();
    let handle = p.handle.clone().map(|h| format!("@{h}"));
    let (uri, cid) = (p.uri.clone(), p.cid.clone());
    let like = {
        let (uri, cid, mine) = (uri.clone(), cid.clone(), p.viewer_like.clone());
        move |_| {
            let (uri, cid, mine) = (uri.clone(), cid.clone(), mine.clone());
            ui.run(
                async move |n| match mine {
                    Some(l) => n.delete_uri(&l).await,
                    None => n.like(&uri, &cid, &now_iso()).await.map(|_| ()),
                },
                move |_| bump(ui),
            );
        }
    };
    let repost = {
        let (uri, cid, mine) = (uri.clone(), cid.clone(), p.viewer_repost.clone());
        move |_| {
            let (uri, cid, mine) = (uri.clone(), cid.clone(), mine.clone());
            ui.run(
                async move |n| match mine {
                    Some(r) => n.delete_uri(&r).await,
                    None => n.repost(&uri, &cid, &now_iso()).await.map(|_| ()),
                },
                move |_| bump(ui),
            );
        }
    };
    let send_reply = {
        let uri = uri.clone();
        move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            let (uri, t) = (uri.clone(), reply_text.get_untracked());
            if t.trim().is_empty() {
                return;
            }
            ui.run(
                async move |n| n.reply(&uri, &t, &now_iso()).await,
                move |_| {
                    reply_text.set(String::new());
                    replying.set(false);
                    bump(ui);
                },
            );
        }
    };
    let delete = {
        let uri = uri.clone();
        move |_| {
            let uri = uri.clone();
            ui.run(async move |n| n.delete_uri(&uri).await, move |_| bump(ui));
        }
    };
    let reason_line = reason.map(|r| {
        let by = r.by.clone();
        let who = if ui.account.get_untracked().is_some_and(|a| a.did == r.by) {
            "you".to_string()
        } else {
            ui.names
                .with_untracked(|m| m.get(&r.by).cloned())
                .unwrap_or_else(|| short_did(&r.by))
        };
        view! {
            <p class="reason" on:click=move |_| open_profile(ui, by.clone())>"↻ reposted by " {who}</p>
        }
    });
    let reply_to = p.reply.as_ref().map(|(_, parent)| {
        let parent = parent.clone();
        let to = parent.trim_start_matches("at://").split('/').next().unwrap_or_default().to_string();
        let me = ui.account.get_untracked().is_some_and(|a| a.did == to);
        let to = move || {
            if me {
                "you".to_string()
            } else {
                ui.names.with(|m| m.get(&to).cloned()).unwrap_or_else(|| short_did(&to))
            }
        };
        view! { <p class="reply-to" on:click=move |_| open_thread(ui, parent.clone())>"↳ replying to " {to}</p> }
    });
    let open = {
        let uri = uri.clone();
        move |_| open_thread(ui, uri.clone())
    };
    let avatar = name
        .trim_start_matches('@')
        .chars()
        .next()
        .unwrap_or('?')
        .to_uppercase()
        .to_string();
    let author2 = author.clone();
    view! {
        <li class="post" class:focus=focus data-uri=uri.clone()>
            {reason_line}
            <div class="post-main">
                <div class="avatar" on:click=move |_| open_profile(ui, author2.clone())>{avatar}</div>
                <div class="post-body">
                    <div class="post-head">
                        <span class="name" on:click={
                            let a = author.clone();
                            move |_| open_profile(ui, a.clone())
                        }>{name}</span>
                        <span class="handle">{handle}</span>
                        <span class="author" title=author.clone()>{if own { "you".to_string() } else { author.clone() }}</span>
                        <time title=p.created_at.clone()>{ago(&p.created_at)}</time>
                        <Show when=move || own>
                            <button class="link delete" title="delete" on:click=delete.clone()>"✕"</button>
                        </Show>
                    </div>
                    {reply_to}
                    <p class="text" on:click=open>{p.text.clone()}</p>
                    <div class="actions">
                        <button class="act reply-btn" on:click=move |_| replying.update(|r| *r = !*r)>
                            "↩ " <span class="reply-count">{p.reply_count}</span>
                        </button>
                        <button class="act repost-btn" class:on=p.viewer_repost.is_some() on:click=repost>
                            "↻ " <span class="repost-count">{p.repost_count}</span>
                        </button>
                        <button class="act like-btn" class:on=p.viewer_like.is_some() on:click=like>
                            {if p.viewer_like.is_some() { "♥ " } else { "♡ " }} <span class="like-count">{p.like_count}</span>
                        </button>
                    </div>
                    <Show when=move || replying.get()>
                        <form class="reply-box" on:submit=send_reply.clone()>
                            <textarea class="reply-text" maxlength="300" placeholder="Write your reply"
                                prop:value=move || reply_text.get() on:input=move |ev| reply_text.set(event_target_value(&ev))></textarea>
                            <button class="reply-send" type="submit">"Reply"</button>
                        </form>
                    </Show>
                </div>
            </div>
        </li>
    }
}

/// The account's following timeline, with the posts of repos the node
/// holds without following them (imported CARs) merged in: what the node
/// holds is shown.
async fn timeline(n: &mut crate::node::TabNode) -> Result<Vec<FeedItem>, ues_node::NodeError> {
    const LIMIT: usize = 50;
    let mut items = n.timeline(LIMIT, None).await?.items;
    let me = n.did()?.to_string();
    let following = n.following().await?;
    for d in n.repo_dids() {
        if d != me && !following.contains(&d) {
            let page = n
                .author_feed(&d, AuthorFilter::PostsNoReplies, LIMIT, None)
                .await?;
            items.extend(page.items);
        }
    }
    let at = |i: &FeedItem| i.reason.as_ref().map_or(i.post.sort_at, |r| r.sort_at);
    items.sort_by_key(|i| std::cmp::Reverse(at(i)));
    items.truncate(LIMIT);
    Ok(items)
}

#[component]
pub fn Home() -> impl IntoView {
    let ui = expect_context::<Ui>();
    let text = RwSignal::new(String::new());
    let items = RwSignal::new(Vec::<FeedItem>::new());
    Effect::new(move |_| {
        ui.changed.track();
        ui.run(timeline, move |list| items.set(list));
    });
    let post = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let t = text.get_untracked();
        if t.trim().is_empty() {
            return;
        }
        ui.run(
            async move |n| n.post(&t, &now_iso()).await,
            move |_| {
                text.set(String::new());
                bump(ui);
            },
        );
    };
    view! {
        <section>
            <form id="compose" on:submit=post>
                <textarea id="text" maxlength="300" placeholder="What's happening?"
                    prop:value=move || text.get() on:input=move |ev| text.set(event_target_value(&ev))></textarea>
                <div class="compose-foot">
                    <span class="muted">{move || format!("{} / 300", text.get().chars().count())}</span>
                    <button id="post" type="submit">"Post"</button>
                </div>
            </form>
            <crate::social::Following/>
            <h2 class="feed-title">"Timeline"</h2>
            <ol id="posts" class="feed">
                <For each=move || items.get() key=item_key let:i>
                    {post_card(ui, i.post, i.reason, false)}
                </For>
            </ol>
            <Show when=move || items.get().is_empty()>
                <p class="muted">"No posts yet: write the first one."</p>
            </Show>
        </section>
    }
}
