//! The app shell: opens the node, shows onboarding, unlock or the main
//! views (tabs), and the error and status lines every view reports to.

use crate::feed::Home;
use crate::node::{self, describe, with_node};
use crate::profile::Profile;
use crate::sync::{self, SyncView};
use crate::thread::{Notifications, Thread};
use crate::views::{Onboarding, Records, Settings, Transfer, Unlock};
use leptos::prelude::*;
use leptos::task::spawn_local;
use ues_node::{AccountInfo, NodeError, RelayStatus};

/// The main views.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tab {
    Home,
    Profile,
    Notifications,
    /// A post's thread (opened from a post; not in the tab bar).
    Thread,
    Records,
    Transfer,
    Sync,
    Settings,
}

impl Tab {
    const ALL: [Tab; 7] = [
        Tab::Home,
        Tab::Profile,
        Tab::Notifications,
        Tab::Records,
        Tab::Transfer,
        Tab::Sync,
        Tab::Settings,
    ];

    fn label(self) -> &'static str {
        match self {
            Tab::Home => "Home",
            Tab::Profile => "Profile",
            Tab::Notifications => "Notifications",
            Tab::Thread => "Thread",
            Tab::Records => "Records",
            Tab::Transfer => "Import / export",
            Tab::Sync => "Sync",
            Tab::Settings => "Settings",
        }
    }
}

/// What every view shares: the account, the current tab, the error and
/// status lines, and a counter bumped after each write (views reload on it).
#[derive(Clone, Copy)]
pub struct Ui {
    pub ready: RwSignal<bool>,
    pub account: RwSignal<Option<AccountInfo>>,
    pub tab: RwSignal<Tab>,
    pub error: RwSignal<String>,
    pub status: RwSignal<String>,
    pub changed: RwSignal<u32>,
    /// The relay link, when there is one, and the last push's error.
    pub relay: RwSignal<Option<RelayStatus>>,
    pub relay_error: RwSignal<String>,
    /// The post whose thread is open, and the profile shown (`None`: own).
    pub thread: RwSignal<Option<String>>,
    pub profile: RwSignal<Option<String>>,
    /// Names (display name or handle) of the accounts the node holds.
    pub names: RwSignal<std::collections::BTreeMap<String, String>>,
}

impl Ui {
    /// Runs `f` with the node in the background; its error (if any) goes to
    /// the error line, its result to `done`.
    pub fn run<T: 'static>(
        self,
        f: impl AsyncFnOnce(&mut node::TabNode) -> Result<T, NodeError> + 'static,
        done: impl FnOnce(T) + 'static,
    ) {
        self.error.set(String::new());
        spawn_local(async move {
            match with_node(f).await {
                Ok(v) => done(v),
                Err(e) => self.error.set(describe(&e)),
            }
        });
    }

    /// Re-reads the account and tells the views that data changed.
    pub fn reload_account(self) {
        self.run(
            async |n| Ok(n.account()),
            move |a| {
                self.account.set(a);
                self.changed.update(|c| *c += 1);
            },
        );
    }
}

#[component]
pub fn App() -> impl IntoView {
    let ui = Ui {
        ready: RwSignal::new(false),
        account: RwSignal::new(None),
        tab: RwSignal::new(Tab::Home),
        error: RwSignal::new(String::new()),
        status: RwSignal::new("opening the node…".into()),
        changed: RwSignal::new(0),
        relay: RwSignal::new(None),
        relay_error: RwSignal::new(String::new()),
        thread: RwSignal::new(None),
        profile: RwSignal::new(None),
        names: RwSignal::new(Default::default()),
    };
    provide_context(ui);
    spawn_local(async move {
        match node::open().await {
            Ok(()) => {
                ui.ready.set(true);
                ui.status
                    .set(format!("node ready · IndexedDB “{}”", node::DB_NAME));
                ui.reload_account();
                ui.run(async |n| n.relay_status().await, move |s| ui.relay.set(s));
            }
            Err(e) => ui.error.set(describe(&e)),
        }
    });

    // Every change is pushed to the relay (when linked); pending commits are
    // retried every few seconds, so writes made offline reach it when it
    // answers again.
    Effect::new(move |_| {
        ui.changed.track();
        if ui.ready.get_untracked() {
            sync::push(ui);
        }
    });
    // The names shown for accounts (in "replying to …", reposts).
    Effect::new(move |_| {
        ui.changed.track();
        if ui.ready.get_untracked() {
            spawn_local(async move {
                let names = with_node(async |n| {
                    let mut m = std::collections::BTreeMap::new();
                    for d in n.repo_dids() {
                        if let Some(p) = n.profile(&d).await? {
                            let name = crate::feed::name_of(
                                p.display_name.as_deref(),
                                p.handle.as_deref(),
                                &d,
                            );
                            m.insert(d, name);
                        }
                    }
                    Ok(m)
                })
                .await;
                if let Ok(m) = names {
                    ui.names.set(m);
                }
            });
        }
    });
    set_interval(
        move || {
            if ui.relay.get_untracked().is_some_and(|r| r.pending) {
                sync::push(ui);
            }
        },
        std::time::Duration::from_secs(3),
    );

    let main = move || {
        if !ui.ready.get() {
            return view! { <p class="muted">"Starting your node…"</p> }.into_any();
        }
        match ui.account.get() {
            None => view! { <Onboarding/> }.into_any(),
            Some(a) if a.locked => view! { <Unlock/> }.into_any(),
            Some(_) => match ui.tab.get() {
                Tab::Home => view! { <Home/> }.into_any(),
                Tab::Profile => view! { <Profile/> }.into_any(),
                Tab::Notifications => view! { <Notifications/> }.into_any(),
                Tab::Thread => view! { <Thread/> }.into_any(),
                Tab::Records => view! { <Records/> }.into_any(),
                Tab::Transfer => view! { <Transfer/> }.into_any(),
                Tab::Sync => view! { <SyncView/> }.into_any(),
                Tab::Settings => view! { <Settings/> }.into_any(),
            },
        }
    };
    let tabs = move || {
        let open = matches!(ui.account.get(), Some(a) if !a.locked);
        open.then(|| {
            Tab::ALL
                .iter()
                .map(|&t| {
                    view! {
                        <button
                            class="tab"
                            class:active=move || ui.tab.get() == t
                            on:click=move |_| {
                                if t == Tab::Profile {
                                    ui.profile.set(None);
                                }
                                ui.tab.set(t)
                            }
                        >
                            {t.label()}
                        </button>
                    }
                })
                .collect_view()
        })
    };
    view! {
        <header>
            <h1>"UES" <small>" a node in this tab"</small></h1>
            <p id="status" class="muted">{move || ui.status.get()}</p>
            <nav>{tabs}</nav>
        </header>
        <main>{main}</main>
        <p id="error" class="error" role="alert">{move || ui.error.get()}</p>
    }
}
