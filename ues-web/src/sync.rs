//! The sync panel: link the account to an edge relay (register it there
//! with its own DID, or log in), see what the relay has, push.

use crate::app::Ui;
use crate::node::{describe, with_node};
use leptos::prelude::*;
use leptos::task::spawn_local;
use ues_node::fetch::FetchHttp;

/// The relay the run command starts (scripts/edge-dev.sh), unless the page
/// was opened with `?relay=URL`.
fn default_relay() -> String {
    web_sys::window()
        .and_then(|w| w.location().search().ok())
        .and_then(|q| {
            q.trim_start_matches('?')
                .split('&')
                .find_map(|kv| kv.strip_prefix("relay=").map(str::to_string))
        })
        .and_then(|v| js_sys::decode_uri_component(&v).ok().map(String::from))
        .unwrap_or_else(|| "http://127.0.0.1:8787".into())
}

/// Pushes pending commits in the background; the outcome goes to the panel
/// (not to the page's error line: being offline is not the user's error).
pub fn push(ui: Ui) {
    spawn_local(async move {
        let r = with_node(async |n| {
            if n.account().is_none_or(|a| a.locked) || n.relay_status().await?.is_none() {
                return Ok((None, String::new()));
            }
            let err = match n.relay_push(&FetchHttp).await {
                Ok(_) => String::new(),
                Err(e) => describe(&e),
            };
            Ok((n.relay_status().await?, err))
        })
        .await;
        match r {
            Ok((status, err)) => {
                ui.relay.set(status);
                ui.relay_error.set(err);
            }
            Err(e) => ui.relay_error.set(describe(&e)),
        }
    });
}

#[component]
pub fn SyncView() -> impl IntoView {
    let ui = expect_context::<Ui>();
    let url = RwSignal::new(default_relay());
    let handle = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let create = RwSignal::new(true);
    let connect = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let (u, h, p, c) = (
            url.get_untracked(),
            handle.get_untracked(),
            password.get_untracked(),
            create.get_untracked(),
        );
        ui.run(
            async move |n| {
                let s = n.relay_connect(&FetchHttp, &u, &h, &p, c).await?;
                let did = n.did()?.to_string();
                n.set_handle(&did, Some(&s.handle)).await?;
                Ok(s)
            },
            move |s| {
                ui.relay.set(Some(s));
                ui.relay_error.set(String::new());
                password.set(String::new());
            },
        );
    };
    let disconnect = move |_| {
        ui.run(
            async |n| n.relay_disconnect().await,
            move |_| ui.relay.set(None),
        );
    };
    view! {
        <section>
            <h2>"Sync"</h2>
            <Show
                when=move || ui.relay.get().is_some()
                fallback=move || view! {
                    <p>"Mirror your repo on an edge relay: it registers your DID (your key stays in this tab), verifies every commit you push and serves your records to any AT Protocol client."</p>
                    <form id="relay-form" on:submit=connect>
                        <input id="relay-url" placeholder="relay URL" prop:value=move || url.get() on:input=move |ev| url.set(event_target_value(&ev))/>
                        <input id="relay-handle" placeholder="handle (e.g. you.test)" prop:value=move || handle.get() on:input=move |ev| handle.set(event_target_value(&ev))/>
                        <input id="relay-password" type="password" placeholder="relay account password" prop:value=move || password.get() on:input=move |ev| password.set(event_target_value(&ev))/>
                        <label><input type="checkbox" prop:checked=move || create.get() on:change=move |ev| create.set(event_target_checked(&ev))/>" new account"</label>
                        <button id="relay-connect" type="submit">"Connect"</button>
                    </form>
                }
            >
                {move || ui.relay.get().map(|s| view! {
                    <dl id="relay-status">
                        <dt>"Relay"</dt><dd>{s.url.clone()}</dd>
                        <dt>"Handle"</dt><dd>{s.handle.clone()}</dd>
                        <dt>"Relay has rev"</dt><dd id="pushed-rev">{s.pushed_rev.clone().unwrap_or_else(|| "nothing yet".into())}</dd>
                        <dt>"Your rev"</dt><dd id="head-rev">{s.head_rev.clone().unwrap_or_default()}</dd>
                        <dt>"State"</dt><dd id="sync-state">{if s.pending { "pending: waiting for the relay" } else { "in sync" }}</dd>
                    </dl>
                })}
                <p id="relay-error" class="error">{move || ui.relay_error.get()}</p>
                <div class="tools">
                    <button id="relay-push" on:click=move |_| push(ui)>"Push now"</button>
                    <button id="relay-disconnect" on:click=disconnect>"Disconnect"</button>
                </div>
            </Show>
        </section>
    }
}
