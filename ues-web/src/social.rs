//! Following: the accounts this one follows (follow records in its own repo)
//! and pulling their repos through the linked relay, so their posts join the
//! timeline. Every pulled repo is verified in the tab (signature, blocks,
//! MST) before anything of it is shown.

use crate::app::Ui;
use crate::node::{describe, with_node};
use leptos::prelude::*;
use leptos::task::spawn_local;
use ues_node::fetch::FetchHttp;
use ues_node::Http;

fn now_iso() -> String {
    js_sys::Date::new_0().to_iso_string().into()
}

/// Pulls every followed repo in the background (when linked to a relay);
/// the timeline reloads when something new came in. Outcomes go to the
/// `pull` line, not the page's error line: a relay away is not an error.
pub fn pull(ui: Ui, line: RwSignal<String>) {
    spawn_local(async move {
        let r = with_node(async |n| {
            if n.account().is_none_or(|a| a.locked) || n.relay_url().await?.is_none() {
                return Ok(None);
            }
            let out = n.relay_pull_following(&FetchHttp).await?;
            learn_handles(n, &out).await;
            Ok(Some(out))
        })
        .await;
        match r {
            Ok(None) => {}
            Ok(Some(out)) => {
                let errors: Vec<String> = out.iter().filter_map(|o| o.error.clone()).collect();
                line.set(if errors.is_empty() {
                    format!("{} followed repos up to date", out.len())
                } else {
                    errors.join(" · ")
                });
                if out.iter().any(|o| o.updated) {
                    ui.changed.update(|c| *c += 1);
                }
            }
            Err(e) => line.set(describe(&e)),
        }
    });
}

/// Asks the relay for the handles of pulled accounts the feed shows
/// without one (`com.atproto.repo.describeRepo`); failures are ignored.
async fn learn_handles(n: &mut crate::node::TabNode, out: &[ues_node::PullOutcome]) {
    let Ok(Some(url)) = n.relay_url().await else {
        return;
    };
    for o in out.iter().filter(|o| o.rev.is_some()) {
        if n.profile(&o.did)
            .await
            .ok()
            .flatten()
            .is_some_and(|p| p.handle.is_some())
        {
            continue;
        }
        let q = js_sys::encode_uri_component(&o.did);
        let ask = format!("{url}/xrpc/com.atproto.repo.describeRepo?repo={q}");
        let Ok((200, body)) = FetchHttp.send("GET", &ask, None, None, None).await else {
            continue;
        };
        let v: serde_json::Value = serde_json::from_slice(&body).unwrap_or_default();
        if let Some(h) = v["handle"].as_str() {
            let _ = n.set_handle(&o.did, Some(h)).await;
        }
    }
}

#[component]
pub fn Following() -> impl IntoView {
    let ui = expect_context::<Ui>();
    let did = RwSignal::new(String::new());
    let list = RwSignal::new(Vec::<String>::new());
    let line = RwSignal::new(String::new());
    Effect::new(move |_| {
        ui.changed.track();
        ui.run(async |n| n.following().await, move |l| list.set(l));
    });
    let follow = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let d = did.get_untracked().trim().to_string();
        if d.is_empty() {
            return;
        }
        ui.run(
            async move |n| n.follow(&d, &now_iso()).await,
            move |_| {
                did.set(String::new());
                ui.changed.update(|c| *c += 1);
                pull(ui, line);
            },
        );
    };
    // While this view is open, followed repos are fetched every few seconds.
    if let Ok(h) = set_interval_with_handle(
        move || {
            if ui.relay.get_untracked().is_some() {
                pull(ui, line);
            }
        },
        std::time::Duration::from_secs(5),
    ) {
        on_cleanup(move || h.clear());
    }
    pull(ui, line);
    let unfollow = move |d: String| {
        ui.run(
            async move |n| n.unfollow(&d).await,
            move |_| ui.changed.update(|c| *c += 1),
        );
    };
    view! {
        <section id="following">
            <h2>"Following"</h2>
            <form id="follow-form" class="tools" on:submit=follow>
                <input id="follow-did" placeholder="DID to follow (did:key:…, did:plc:…)"
                    prop:value=move || did.get() on:input=move |ev| did.set(event_target_value(&ev))/>
                <button id="follow" type="submit">"Follow"</button>
                <button id="pull" type="button" on:click=move |_| pull(ui, line)>"Refresh"</button>
            </form>
            <ul id="follows">
                <For each=move || list.get() key=|d| d.clone() let:d>
                    <li>
                        <code>{d.clone()}</code>
                        <button class="link" title="unfollow" on:click={
                            let d = d.clone();
                            move |_| unfollow(d.clone())
                        }>"unfollow"</button>
                    </li>
                </For>
            </ul>
            <p id="pull-state" class="muted">{move || {
                if ui.relay.get().is_none() && !list.get().is_empty() {
                    "Link a relay (Sync) to fetch the posts of the accounts you follow.".to_string()
                } else {
                    line.get()
                }
            }}</p>
        </section>
    }
}
