//! `spanlens` (receiver + TUI, or attach to the data dir's owner) and
//! `spanlens attach [URL]`.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{mpsc, oneshot};

use super::serve::{bind_and_lock, resolve_data_dir, take_data_dir};
use super::{CliError, CommonArgs, ServeArgs};
use crate::data_dir::{OwnerLock, pid_alive};
use crate::query::LocalSource;
use crate::server;
use crate::store::{TraceStore, live_channel};
use crate::ui::source::{UiSource, forward_local, forward_remote};
use crate::ui::theme::Theme;
use crate::ui::{App, SourceInfo, event_loop, terminal};

/// Runs the TUI over a source until the user quits.
async fn run_ui(
    source: Arc<dyn UiSource>,
    error_classes: crate::errors::Classifier,
    info: SourceInfo,
    greeting: Option<String>,
    budgets: crate::cost::Budgets,
    feed: impl FnOnce(mpsc::UnboundedSender<crate::ui::Action>),
) -> Result<(), CliError> {
    let (tx, rx) = mpsc::unbounded_channel();
    feed(tx.clone());
    terminal::spawn_input(tx.clone());
    let mut term = terminal::enter()?;
    let size = term.size()?;
    let mut app = App::new(info, size.width, size.height);
    app.message = greeting;
    app.budgets = budgets;
    app.errors.classifier = Arc::new(error_classes);
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

/// `[[error_classes]]` of the config file (refused with its line when invalid).
fn load_error_classes(common: &CommonArgs) -> Result<crate::errors::Classifier, CliError> {
    let config = crate::config::ConfigFile::load(common.config.as_deref())?;
    Ok(crate::errors::Classifier::from_config(&config)?)
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
    let budgets = super::cost_cmd::load_budgets(common)?;
    let error_classes = load_error_classes(common)?;
    let client = super::api_client(common, &url)?;
    if !client.is_alive(Duration::from_secs(3)) {
        let refused = client
            .get_json("/api/v1/health")
            .is_err_and(|e| e.to_string().contains("HTTP 401"));
        return Err(CliError::Usage(if refused {
            format!(
                "{url} needs its read secret: pass it with --token-file FILE or SPANLENS_TOKEN                  (`spanlens token` prints it on the instance's host, as the user running it)"
            )
        } else {
            format!("no spanlens answers at {url} (is it running?)")
        }));
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
        error_classes,
        info,
        Some("attached: quitting leaves the server running".into()),
        budgets,
        move |tx| forward_remote(client, tx),
    ))
}

/// `spanlens` with no command: attach to a live owner of the data dir, else own it:
/// receiver and TUI in one process.
pub fn combined(common: &CommonArgs, args: &ServeArgs) -> Result<(), CliError> {
    let dir = resolve_data_dir(common)?;
    if let Some(lock) = OwnerLock::read(&dir).filter(|l| pid_alive(l.pid)) {
        let client = super::api_client(common, &lock.api_url)?;
        if client.is_alive(Duration::from_secs(2)) {
            if let Some(url) = &args.forward.forward {
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
    let (config, mut opts) = super::serve::prepare(common, args)?;
    let prices = Arc::new(super::cost_cmd::load_prices(common)?);
    let budgets = super::cost_cmd::load_budgets(common)?;
    let error_classes = load_error_classes(common)?;
    let evals = super::evals_cmd::serve_config(common)?;
    let forward_opts = args.forward.options()?;
    let store: Arc<dyn TraceStore> = Arc::new(take_data_dir(&dir, args.cache_mb)?);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let result = runtime.block_on(async {
        let l = bind_and_lock(common, &dir, &opts).await?;
        super::security::audit_start(&dir, common, args, &config, &l.grpc_addrs, &l.http_addrs);
        super::forward_args::check_not_self(forward_opts.as_ref(), &l.grpc_addrs, &l.http_addrs)?;
        let live = live_channel();
        opts.live = Some(live.clone());
        opts.evals = evals;
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
        let ui = run_ui(
            source,
            error_classes,
            info,
            Some(greeting),
            budgets,
            move |tx| forward_local(subscription, tx),
        )
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
