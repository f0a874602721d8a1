//! Shutdown signals: SIGINT and SIGTERM counted on a watch channel, registered before the server
//! announces itself so an early signal is never lost to the default handler.
use tokio::sync::watch;

/// Counts termination signals received so far.
#[derive(Debug, Clone)]
pub struct Signals {
    count: watch::Receiver<u32>,
}

impl Signals {
    /// Installs the handlers (SIGINT and SIGTERM on Unix, Ctrl-C elsewhere).
    pub fn install() -> std::io::Result<Self> {
        let (sender, count) = watch::channel(0_u32);
        #[cfg(unix)]
        {
            use tokio::signal::unix::{SignalKind, signal};
            let mut interrupt = signal(SignalKind::interrupt())?;
            let mut terminate = signal(SignalKind::terminate())?;
            tokio::spawn(async move {
                loop {
                    let name = tokio::select! {
                        _ = interrupt.recv() => "SIGINT",
                        _ = terminate.recv() => "SIGTERM",
                    };
                    tracing::info!(signal = name, "received a shutdown signal");
                    sender.send_modify(|n| *n += 1);
                }
            });
        }
        #[cfg(not(unix))]
        tokio::spawn(async move {
            while tokio::signal::ctrl_c().await.is_ok() {
                tracing::info!(signal = "Ctrl-C", "received a shutdown signal");
                sender.send_modify(|n| *n += 1);
            }
        });
        Ok(Self { count })
    }

    /// Resolves once `n` signals have arrived (never, if the handlers are gone).
    pub async fn received(&self, n: u32) {
        let mut count = self.count.clone();
        if count.wait_for(|seen| *seen >= n).await.is_err() {
            std::future::pending::<()>().await;
        }
    }
}
