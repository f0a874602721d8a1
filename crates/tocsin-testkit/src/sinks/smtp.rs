//! An SMTP sink: a real SMTP server on 127.0.0.1:0 (greeting, EHLO advertising PIPELINING and
//! 8BITMIME, HELO, MAIL FROM, RCPT TO, DATA with dot-unstuffing, RSET, NOOP, QUIT) that records
//! each accepted message — envelope and raw data — and can refuse the next N messages with a
//! configured reply at the end of DATA.
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;

/// One accepted message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReceivedMail {
    /// The MAIL FROM address (without angle brackets).
    pub from: String,
    pub to: Vec<String>,
    /// The DATA section after dot-unstuffing, CRLF line ends kept, without the final dot line.
    pub data: Vec<u8>,
}

impl ReceivedMail {
    pub fn data_text(&self) -> String {
        String::from_utf8_lossy(&self.data).into_owned()
    }
}

#[derive(Debug, Default)]
struct State {
    received: Vec<ReceivedMail>,
    /// (reply code and text, messages it still applies to)
    failure: Option<(String, usize)>,
    rejected: usize,
}

/// The running sink; stops listening when dropped.
#[derive(Debug)]
pub struct SmtpSink {
    address: SocketAddr,
    state: Arc<Mutex<State>>,
    accept: JoinHandle<()>,
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        self.accept.abort();
    }
}

fn lock(state: &Mutex<State>) -> MutexGuard<'_, State> {
    state.lock().unwrap_or_else(PoisonError::into_inner)
}

impl SmtpSink {
    pub async fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind 127.0.0.1:0");
        let address = listener.local_addr().expect("bound address");
        let state = Arc::new(Mutex::new(State::default()));
        let shared = state.clone();
        let accept = tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                tokio::spawn(converse(stream, shared.clone()));
            }
        });
        Self {
            address,
            state,
            accept,
        }
    }

    pub fn address(&self) -> SocketAddr {
        self.address
    }

    pub fn port(&self) -> u16 {
        self.address.port()
    }

    /// Refuses the next `times` messages at the end of DATA with `reply` (`"451 4.3.0 try
    /// later"`, `"550 5.1.1 no such user"`).
    pub fn fail_next(&self, times: usize, reply: &str) {
        lock(&self.state).failure = Some((reply.to_owned(), times));
    }

    /// Every accepted message, oldest first.
    pub fn received(&self) -> Vec<ReceivedMail> {
        lock(&self.state).received.clone()
    }

    /// How many messages were refused by `fail_next`.
    pub fn rejected(&self) -> usize {
        lock(&self.state).rejected
    }
}

/// The envelope being built.
#[derive(Default)]
struct Envelope {
    from: Option<String>,
    to: Vec<String>,
}

fn address_of(argument: &str) -> String {
    let inside = argument
        .split_once('<')
        .and_then(|(_, rest)| rest.split_once('>'));
    inside.map_or_else(
        || argument.trim().to_owned(),
        |(address, _)| address.to_owned(),
    )
}

async fn converse(stream: TcpStream, state: Arc<Mutex<State>>) -> std::io::Result<()> {
    let (read, mut write) = stream.into_split();
    let mut reader = BufReader::new(read);
    write
        .write_all(b"220 sink.tocsin.test ESMTP Tocsin test sink\r\n")
        .await?;
    let mut envelope = Envelope::default();
    let mut line = Vec::new();
    loop {
        line.clear();
        if reader.read_until(b'\n', &mut line).await? == 0 {
            return Ok(());
        }
        let text = String::from_utf8_lossy(&line).trim_end().to_owned();
        let (verb, argument) = text.split_once([' ', ':']).unwrap_or((&text, ""));
        let reply: String = match verb.to_ascii_uppercase().as_str() {
            "EHLO" => "250-sink.tocsin.test\r\n250-PIPELINING\r\n250 8BITMIME".into(),
            "HELO" | "NOOP" => "250 OK".into(),
            "MAIL" => {
                envelope = Envelope {
                    from: Some(address_of(argument)),
                    to: Vec::new(),
                };
                "250 2.1.0 OK".into()
            }
            "RCPT" if envelope.from.is_some() => {
                envelope.to.push(address_of(argument));
                "250 2.1.5 OK".into()
            }
            "RCPT" => "503 5.5.1 MAIL first".into(),
            "DATA" if envelope.to.is_empty() => "503 5.5.1 RCPT first".into(),
            "DATA" => {
                write
                    .write_all(b"354 End data with <CR><LF>.<CR><LF>\r\n")
                    .await?;
                let data = read_data(&mut reader).await?;
                let mail = ReceivedMail {
                    from: envelope.from.take().unwrap_or_default(),
                    to: std::mem::take(&mut envelope.to),
                    data,
                };
                accept_or_refuse(&state, mail)
            }
            "RSET" => {
                envelope = Envelope::default();
                "250 2.0.0 OK".into()
            }
            "QUIT" => {
                write.write_all(b"221 2.0.0 Bye\r\n").await?;
                return Ok(());
            }
            _ => "502 5.5.2 Command not implemented".into(),
        };
        write.write_all(format!("{reply}\r\n").as_bytes()).await?;
    }
}

/// Reads DATA up to the lone dot line, removing the extra dot of dot-stuffed lines.
async fn read_data(
    reader: &mut BufReader<tokio::net::tcp::OwnedReadHalf>,
) -> std::io::Result<Vec<u8>> {
    let mut data = Vec::new();
    let mut line = Vec::new();
    loop {
        line.clear();
        if reader.read_until(b'\n', &mut line).await? == 0 {
            return Err(std::io::ErrorKind::UnexpectedEof.into());
        }
        if line == b".\r\n" || line == b".\n" {
            return Ok(data);
        }
        let unstuffed = if line.starts_with(b"..") {
            &line[1..]
        } else {
            &line[..]
        };
        data.extend_from_slice(unstuffed);
    }
}

/// Records the message and answers 250 with its queue id, or answers the injected failure.
fn accept_or_refuse(state: &Mutex<State>, mail: ReceivedMail) -> String {
    let mut state = lock(state);
    if let Some((reply, remaining)) = state.failure.take()
        && remaining > 0
    {
        state.rejected += 1;
        if remaining > 1 {
            state.failure = Some((reply.clone(), remaining - 1));
        }
        return reply;
    }
    state.received.push(mail);
    format!("250 2.0.0 OK queued as SINK{}", state.received.len())
}
