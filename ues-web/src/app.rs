//! The app shell: opens the node, shows onboarding, unlock or the main
//! views (tabs), and the error and status lines every view reports to.

use crate::node::{self, describe, with_node};
use crate::sync::{self, SyncView};
use crate::views::{Home, Onboarding, Records, Settings, Transfer, Unlock};
use leptos::prelude::*;
use leptos::task::spawn_local;
use ues_node::{AccountInfo, NodeError, RelayStatus};

/// The main views.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tab {
    Home,
    Records,
    Transfer,
    Sync,
    Settings,
}

impl Tab {
    const ALL: [Tab; 5] = [
        Tab::Home,
        Tab::Records,
        Tab::Transfer,
        Tab::Sync,
        Tab::Settings,
    ];

    fn label(self) -> &'static str {
        match self {
            Tab::Home => "Home",
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
                            on:click=move |_| ui.tab.set(t)
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
