//! Profile pages: display name, description, counts, follow / unfollow,
//! the account's posts; the account's own page has the profile editor.

use crate::app::Ui;
use crate::feed::{item_key, name_of, now_iso, post_card, short_did};
use leptos::prelude::*;
use ues_node::ues_apps::feed::{AuthorFilter, FeedItem, ProfileView};

#[component]
pub fn Profile() -> impl IntoView {
    let ui = expect_context::<Ui>();
    let me = move || ui.account.get().map(|a| a.did).unwrap_or_default();
    let did = move || ui.profile.get().unwrap_or_else(me);
    let own = move || did() == me();
    let view_ = RwSignal::new(None::<ProfileView>);
    let items = RwSignal::new(Vec::<FeedItem>::new());
    let name = RwSignal::new(String::new());
    let desc = RwSignal::new(String::new());
    let editing = RwSignal::new(false);
    Effect::new(move |_| {
        ui.changed.track();
        let d = did();
        ui.run(
            async move |n| {
                let p = n.profile(&d).await?;
                let f = n
                    .author_feed(&d, AuthorFilter::PostsWithReplies, 50, None)
                    .await?;
                Ok((p, f.items))
            },
            move |(p, f)| {
                name.set(
                    p.as_ref()
                        .and_then(|p| p.display_name.clone())
                        .unwrap_or_default(),
                );
                desc.set(
                    p.as_ref()
                        .and_then(|p| p.description.clone())
                        .unwrap_or_default(),
                );
                view_.set(p);
                items.set(f);
            },
        );
    });
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let (n_, d_) = (name.get_untracked(), desc.get_untracked());
        ui.run(
            async move |n| n.set_profile(Some(&n_), Some(&d_)).await,
            move |_| {
                editing.set(false);
                ui.changed.update(|c| *c += 1);
            },
        );
    };
    let follow = move |_| {
        let d = did();
        let following = view_.get_untracked().and_then(|p| p.viewer_following);
        ui.run(
            async move |n| match following {
                Some(_) => n.unfollow(&d).await,
                None => n.follow(&d, &now_iso()).await.map(|_| ()),
            },
            move |_| ui.changed.update(|c| *c += 1),
        );
    };
    let count = move |f: fn(&ProfileView) -> usize| view_.get().as_ref().map_or(0, f);
    view! {
        <section id="profile">
            <div class="profile-head">
                <div class="avatar big">{move || {
                    let v = view_.get();
                    name_of(v.as_ref().and_then(|p| p.display_name.as_deref()), v.as_ref().and_then(|p| p.handle.as_deref()), &did())
                        .trim_start_matches('@').chars().next().unwrap_or('?').to_uppercase().to_string()
                }}</div>
                <div class="profile-id">
                    <h2 id="profile-name">{move || {
                        let v = view_.get();
                        name_of(v.as_ref().and_then(|p| p.display_name.as_deref()), v.as_ref().and_then(|p| p.handle.as_deref()), &did())
                    }}</h2>
                    <p class="muted">
                        {move || view_.get().and_then(|p| p.handle).map(|h| format!("@{h} · ")).unwrap_or_default()}
                        <code id="profile-did" title=did>{move || short_did(&did())}</code>
                        <Show when=move || view_.get().is_some_and(|p| p.viewer_followed_by.is_some()) && !own()>
                            <span class="badge">"follows you"</span>
                        </Show>
                    </p>
                </div>
                <Show when=move || !own() fallback=move || view! {
                    <button id="profile-edit" class="secondary" on:click=move |_| editing.update(|e| *e = !*e)>"Edit profile"</button>
                }>
                    <button id="profile-follow" class:secondary=move || view_.get().is_some_and(|p| p.viewer_following.is_some()) on:click=follow>
                        {move || if view_.get().is_some_and(|p| p.viewer_following.is_some()) { "Unfollow" } else { "Follow" }}
                    </button>
                </Show>
            </div>
            <p id="profile-desc" class="description">{move || view_.get().and_then(|p| p.description).unwrap_or_default()}</p>
            <p class="counts">
                <span><strong id="profile-followers">{move || count(|p| p.followers_count)}</strong>" followers"</span>
                <span><strong id="profile-follows">{move || count(|p| p.follows_count)}</strong>" following"</span>
                <span><strong id="profile-posts">{move || count(|p| p.posts_count)}</strong>" posts"</span>
            </p>
            <Show when=move || own() && editing.get()>
                <form id="profile-form" class="editor" on:submit=save>
                    <label>"Display name" <input id="profile-name-input" maxlength="64"
                        prop:value=move || name.get() on:input=move |ev| name.set(event_target_value(&ev))/></label>
                    <label>"Description" <textarea id="profile-desc-input" maxlength="256"
                        prop:value=move || desc.get() on:input=move |ev| desc.set(event_target_value(&ev))></textarea></label>
                    <button id="profile-save" type="submit">"Save profile"</button>
                </form>
            </Show>
            <h2 class="feed-title">"Posts"</h2>
            <ol id="profile-posts-list" class="feed">
                <For each=move || items.get() key=item_key let:i>
                    {post_card(ui, i.post, i.reason, false)}
                </For>
            </ol>
            <Show when=move || items.get().is_empty()>
                <p class="muted">"No posts here yet."</p>
            </Show>
        </section>
    }
}
