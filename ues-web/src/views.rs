//! The views. Each one reads and writes through [`Ui::run`]; data views
//! reload when `Ui::changed` moves.

use crate::app::Ui;
use leptos::prelude::*;
use ues_node::RecordView;
use wasm_bindgen::JsCast;

const POST: &str = "app.bsky.feed.post";

fn ui() -> Ui {
    expect_context::<Ui>()
}

#[component]
pub fn Onboarding() -> impl IntoView {
    let ui = ui();
    let pass = RwSignal::new(String::new());
    let create = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let p = pass.get_untracked();
        ui.run(
            async move |n| {
                let p = (!p.is_empty()).then_some(p);
                n.create_account(None, p.as_deref()).await
            },
            move |_| ui.reload_account(),
        );
    };
    view! {
        <section>
            <h2>"Create your identity"</h2>
            <p>"A k256 key is made in this tab and kept in IndexedDB. With a passphrase it is sealed at rest (scrypt + ChaCha20-Poly1305) and asked for after each reload."</p>
            <form on:submit=create>
                <input id="create-pass" type="password" placeholder="passphrase (optional)"
                    prop:value=move || pass.get() on:input=move |ev| pass.set(event_target_value(&ev))/>
                <button id="create" type="submit">"Create identity"</button>
            </form>
        </section>
    }
}

#[component]
pub fn Unlock() -> impl IntoView {
    let ui = ui();
    let pass = RwSignal::new(String::new());
    let unlock = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let p = pass.get_untracked();
        ui.run(async move |n| n.unlock(&p), move |_| ui.reload_account());
    };
    view! {
        <section>
            <h2>"Unlock your key"</h2>
            <form on:submit=unlock>
                <input id="unlock-pass" type="password" placeholder="passphrase"
                    prop:value=move || pass.get() on:input=move |ev| pass.set(event_target_value(&ev))/>
                <button type="submit">"Unlock"</button>
            </form>
        </section>
    }
}

#[component]
pub fn Records() -> impl IntoView {
    let ui = ui();
    let collection = RwSignal::new(POST.to_string());
    let repo = RwSignal::new(None::<String>);
    let repos = RwSignal::new(Vec::<String>::new());
    let records = RwSignal::new(Vec::<RecordView>::new());
    Effect::new(move |_| {
        ui.changed.track();
        ui.run(async |n| Ok(n.repo_dids()), move |list| repos.set(list));
    });
    Effect::new(move |_| {
        ui.changed.track();
        let c = collection.get();
        let r = repo.get();
        ui.run(
            async move |n| Ok(n.list_records(r.as_deref(), &c, None, 100, false).await?.0),
            move |list| records.set(list),
        );
    });
    view! {
        <section>
            <h2>"Record browser"</h2>
            <label>"Repo "
                <select id="repo" on:change=move |ev| {
                    let v = event_target_value(&ev);
                    repo.set((!v.is_empty()).then_some(v));
                }>
                    <option value="">"yours"</option>
                    <For each=move || repos.get() key=|d| d.clone() let:d>
                        <option value=d.clone()>{d.clone()}</option>
                    </For>
                </select>
            </label>
            <label>" Collection " <input id="collection" prop:value=move || collection.get()
                on:change=move |ev| collection.set(event_target_value(&ev))/></label>
            <ul id="records">
                <For each=move || records.get() key=|r| r.cid.clone() let:r>
                    <li>
                        <code class="uri">{r.uri.clone()}</code>
                        <code class="cid">{r.cid.clone()}</code>
                        <pre>{serde_json::to_string_pretty(&r.value).unwrap_or_default()}</pre>
                    </li>
                </For>
            </ul>
            <Show when=move || records.get().is_empty()>
                <p class="muted">"No records in this collection."</p>
            </Show>
        </section>
    }
}

#[component]
pub fn Transfer() -> impl IntoView {
    let ui = ui();
    let progress = RwSignal::new(None::<(u64, u64)>);
    let export = move |_| {
        ui.run(
            async |n| n.export_car(None, None).await,
            move |car| {
                if let Err(e) = download(&car, "repo.car") {
                    ui.error.set(format!("download: {e:?}"));
                }
            },
        );
    };
    let import = move |ev: leptos::ev::Event| {
        let Some(file) = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
            .and_then(|i| i.files())
            .and_then(|f| f.get(0))
        else {
            return;
        };
        progress.set(Some((0, 4)));
        leptos::task::spawn_local(async move {
            let bytes = match wasm_bindgen_futures::JsFuture::from(file.array_buffer()).await {
                Ok(b) => js_sys::Uint8Array::new(&b).to_vec(),
                Err(e) => return ui.error.set(format!("reading the file: {e:?}")),
            };
            ui.run(
                async move |n| {
                    let mut report = |p: ues_node::Progress| progress.set(Some((p.done, p.total)));
                    n.import_car(&bytes, None, &mut report).await
                },
                move |s| {
                    ui.status.set(format!(
                        "imported {} records of {} at rev {}",
                        s.records, s.did, s.rev
                    ));
                    progress.set(None);
                    ui.changed.update(|c| *c += 1);
                },
            );
        });
    };
    view! {
        <section>
            <h2>"Import / export"</h2>
            <p>"Your repo as a CAR v1 file: every block is checked against its CID, the tree and the commit signature on import."</p>
            <div class="tools">
                <button id="export" on:click=export>"Export CAR"</button>
                <label class="file">"Import CAR" <input id="import" type="file" accept=".car" on:change=import/></label>
            </div>
            <Show when=move || progress.get().is_some()>
                <progress id="progress" max=move || progress.get().map_or(4, |p| p.1)
                    value=move || progress.get().map_or(0, |p| p.0)></progress>
            </Show>
        </section>
    }
}

#[component]
pub fn Settings() -> impl IntoView {
    let ui = ui();
    let pass = RwSignal::new(String::new());
    let set_pass = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let p = pass.get_untracked();
        ui.run(
            async move |n| {
                n.set_passphrase((!p.is_empty()).then_some(p.as_str()))
                    .await
            },
            move |_| {
                pass.set(String::new());
                ui.status.set("passphrase saved".into());
                ui.reload_account();
            },
        );
    };
    let lock = move |_| ui.run(async |n| n.lock(), move |_| ui.reload_account());
    let account = move || ui.account.get();
    view! {
        <section>
            <h2>"Settings"</h2>
            <dl>
                <dt>"DID"</dt><dd><code id="did">{move || account().map(|a| a.did).unwrap_or_default()}</code></dd>
                <dt>"Signing key"</dt><dd><code>{move || account().and_then(|a| a.signing_key).unwrap_or_default()}</code></dd>
                <dt>"Key at rest"</dt><dd>{move || if account().is_some_and(|a| a.sealed) { "sealed under your passphrase" } else { "not sealed" }}</dd>
            </dl>
            <form on:submit=set_pass>
                <input id="new-pass" type="password" placeholder="new passphrase (empty: unseal)"
                    prop:value=move || pass.get() on:input=move |ev| pass.set(event_target_value(&ev))/>
                <button type="submit">"Save passphrase"</button>
            </form>
            <Show when=move || account().is_some_and(|a| a.sealed)>
                <button id="lock" on:click=lock>"Lock now"</button>
            </Show>
        </section>
    }
}

/// Saves `bytes` as a file download.
fn download(bytes: &[u8], name: &str) -> Result<(), wasm_bindgen::JsValue> {
    let parts = js_sys::Array::of1(&js_sys::Uint8Array::from(bytes));
    let opts = web_sys::BlobPropertyBag::new();
    opts.set_type("application/vnd.ipld.car");
    let blob = web_sys::Blob::new_with_u8_array_sequence_and_options(&parts, &opts)?;
    let url = web_sys::Url::create_object_url_with_blob(&blob)?;
    let doc = web_sys::window()
        .and_then(|w| w.document())
        .ok_or("no document")?;
    let a: web_sys::HtmlAnchorElement = doc.create_element("a")?.dyn_into()?;
    a.set_href(&url);
    a.set_download(name);
    a.click();
    web_sys::Url::revoke_object_url(&url)
}
