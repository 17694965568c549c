//! `spanlens` (receiver + TUI, or attach to the data dir's owner) and
//! `spanlens attach [URL]`.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{mpsc, oneshot};

use super::serve::{bind_and_lock, resolve_data_dir, serve_options, take_data_dir};
use super::{CliError, CommonArgs, ServeArgs};
use crate::api::ApiClient;
use crate::data_dir::{OwnerLock, pid_alive};
use crate::pricing::PriceTable;
use crate::query::LocalSource;
use crate::server;
use crate::store::{TraceStore, live_channel};
use crate::ui::source::{UiSource, forward_local, forward_remote};
use crate::ui::theme::Theme;
use crate::ui::{App, SourceInfo, event_loop, terminal};

/// Runs the TUI over a source until the user quits.
async fn run_ui(
    source: Arc<dyn UiSource>,
    info: SourceInfo,
    greeting: Option<String>,
    feed: impl FnOnce(mpsc::UnboundedSender<crate::ui::Action>),
) -> Result<(), CliError> {
    let (tx, rx) = mpsc::unbounded_channel();
    feed(tx.clone());
    terminal::spawn_input(tx.clone());
    let mut term = terminal::enter()?;
    let size = term.size()?;
    let mut app = App::new(info, size.width, size.height);
    app.message = greeting;
    let result = event_loop::run(
        &mut term,
        &mut app,
        Theme::from_env(),
        source,
        tx,
        rx,
        &mut terminal::copy_to_clipboard,
    )
    .await;
    terminal::leave();
    result.map_err(|e| CliError::Usage(e.to_string()))
}

/// `spanlens attach [URL]`: the TUI against a running instance.
pub fn attach(common: &CommonArgs, url: Option<String>) -> Result<(), CliError> {
    let url = match url {
        Some(u) => u,
        None => {
            let dir = resolve_data_dir(common)?;
            match OwnerLock::read(&dir).filter(|l| pid_alive(l.pid)) {
                Some(lock) => lock.api_url,
                None => {
                    return Err(CliError::Usage(format!(
                        "no running spanlens owns {}; start one with `spanlens serve`, or pass its URL \
                         (e.g. `spanlens attach http://127.0.0.1:4318` through `ssh -L 4318:127.0.0.1:4318 host`)",
                        dir.display()
                    )));
                }
            }
        }
    };
    let client = ApiClient::new(&url, common.token.clone());
    if !client.is_alive(Duration::from_secs(3)) {
        return Err(CliError::Usage(format!(
            "no spanlens answers at {url} (is it running, and is the token right?)"
        )));
    }
    let info = SourceInfo {
        attached_to: Some(url),
        ..Default::default()
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(run_ui(
        Arc::new(client.clone()),
        info,
        Some("attached: quitting leaves the server running".into()),
        move |tx| forward_remote(client, tx),
    ))
}

/// `spanlens` with no command: attach to a live owner of the data dir, else own it:
/// receiver and TUI in one process.
pub fn combined(common: &CommonArgs, forward: &super::ForwardArgs) -> Result<(), CliError> {
    let dir = resolve_data_dir(common)?;
    if let Some(lock) = OwnerLock::read(&dir).filter(|l| pid_alive(l.pid)) {
        let client = ApiClient::new(&lock.api_url, common.token.clone());
        if client.is_alive(Duration::from_secs(2)) {
            if let Some(url) = &forward.forward {
                return Err(CliError::Usage(format!(
                    "--forward {url}: spanlens pid {} already owns {} and receives the data; \
                     give --forward to that instance",
                    lock.pid,
                    dir.display()
                )));
            }
            return attach(common, Some(lock.api_url));
        }
    }
    let mut args = ServeArgs::default_values();
    args.forward = forward.clone();
    let forward_opts = args.forward.options()?;
    let store: Arc<dyn TraceStore> = Arc::new(take_data_dir(&dir, args.cache_mb)?);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let prices = Arc::new(PriceTable::builtin());
    let result = runtime.block_on(async {
        let l = bind_and_lock(common, &dir).await?;
        super::forward_args::check_not_self(forward_opts.as_ref(), &l.grpc_addrs, &l.http_addrs)?;
        let live = live_channel();
        let mut opts = serve_options(common, &args);
        opts.live = Some(live.clone());
        opts.forward = forward_opts;
        let (stop, stopped) = oneshot::channel::<()>();
        let server = tokio::spawn(server::run(
            store.clone(),
            prices.clone(),
            l.grpc,
            l.http,
            opts,
            async {
                let _ = stopped.await;
            },
        ));
        let info = SourceInfo {
            attached_to: None,
            grpc_addrs: l.grpc_addrs.clone(),
            http_addrs: l.http_addrs.clone(),
        };
        let greeting = format!(
            "receiving on {} (gRPC) and {} (HTTP) · q quits and stops collection",
            l.grpc_addrs.first().cloned().unwrap_or_default(),
            l.http_addrs.first().cloned().unwrap_or_default()
        );
        let source = Arc::new(LocalSource {
            store: store.clone(),
            prices: prices.clone(),
        });
        let subscription = live.subscribe();
        let ui = run_ui(source, info, Some(greeting), move |tx| {
            forward_local(subscription, tx)
        })
        .await;
        let _ = stop.send(());
        let served = server.await;
        ui?;
        match served {
            Ok(r) => r.map_err(CliError::from),
            Err(e) => Err(CliError::Usage(e.to_string())),
        }
    });
    OwnerLock::remove_if_ours(&dir);
    let traces = store.stats(None).map(|s| s.traces).unwrap_or(0);
    eprintln!(
        "spanlens: stopped collection; {traces} traces kept in {} (`spanlens serve` keeps receiving without the UI)",
        dir.display()
    );
    result
}
