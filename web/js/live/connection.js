// The live interview socket (protocol v1, docs/protocol.md) with reconnection.
//
// It authenticates with a first `auth` message (the token stays out of URLs and server logs),
// reconnects with exponential back-off and jitter after anything but a deliberate close, and
// reports its state through `onStatus({state, ...})`:
//   connecting | open | reconnecting {attempt, delay} | full {retryIn} | busy | unauthorized |
//   closed {reason}
// Server events go to `onEvent(event)` (after `ready`; the connection sends `start` itself on
// every (re)connect when `autoStart` is set, so the server resumes the open answer).
//
// Audio: `sendAudio(buffer)` sends a binary frame when open; while reconnecting, frames wait in
// a bounded queue (`maxQueuedSeconds`) and are sent once the answer has resumed.

const BACKOFF_START_MS = 500;
const BACKOFF_MAX_MS = 15000;
const FULL_RETRY_MS = 30000;
const PING_EVERY_MS = 20000;
const BYTES_PER_SECOND = 32000;
// A refused token (docs/protocol.md, "Connecting"): refresh it once, then report `unauthorized`.
const AUTH_ERRORS = ["unauthorized", "token_missing", "token_invalid", "token_expired", "token_revoked"];

export class InterviewConnection {
  constructor({ url, getToken, refreshToken, onEvent, onStatus, autoStart = true, maxQueuedSeconds = 30, watch = false }) {
    this.url = url;
    this.getToken = getToken;
    this.refreshToken = refreshToken;
    this.onEvent = onEvent;
    this.onStatus = onStatus;
    this.autoStart = autoStart;
    this.watch = watch;
    this.maxQueuedBytes = maxQueuedSeconds * BYTES_PER_SECOND;
    this.socket = null;
    this.attempt = 0;
    this.everOpened = false;
    this.stopped = false;
    this.lastError = null;
    this.refreshedForAuth = false;
    this.queue = [];
    this.queuedBytes = 0;
    this.holdAudio = true; // until the server has (re)opened the question after `start`
    this.retryTimer = null;
    this.pingTimer = null;
    this.lastSeq = 0;
    this.gaps = 0;
    this.counts = {}; // events received by type (shown by the test hook, useful when debugging)
    this.sentAudioBytes = 0; // audio sent to the server so far (the test hook checks when)
  }

  get isOpen() {
    return Boolean(this.socket && this.socket.readyState === WebSocket.OPEN && this.ready);
  }

  async connect() {
    clearTimeout(this.retryTimer);
    if (this.stopped) return;
    this.status(this.everOpened ? { state: "reconnecting", attempt: this.attempt, delay: 0, now: true } : { state: "connecting" });
    let token = null;
    if (this.getToken) {
      try {
        token = await this.getToken();
      } catch (error) {
        if (error && error.status === 401) return this.status({ state: "unauthorized" });
        return this.scheduleRetry();
      }
    }
    if (this.stopped) return;
    const socket = new WebSocket(this.url);
    socket.binaryType = "arraybuffer";
    this.socket = socket;
    this.ready = false;
    this.lastError = null;
    this.lastSeq = 0;
    socket.addEventListener("open", () => {
      if (token) socket.send(JSON.stringify({ type: "auth", token }));
    });
    socket.addEventListener("message", (message) => this.receive(socket, message));
    socket.addEventListener("close", (event) => this.closed(socket, event));
  }

  receive(socket, message) {
    if (socket !== this.socket || typeof message.data !== "string") return;
    let event;
    try {
      event = JSON.parse(message.data);
    } catch {
      return;
    }
    if (typeof event.seq === "number" && event.seq > 0) {  // 0: said by the watch socket itself (snapshot, pong)
      if (this.lastSeq && event.seq > this.lastSeq + 1) this.gaps += 1;
      this.lastSeq = event.seq;
    }
    const kind = event.type === "partial" && (event.tail || "").trim() ? "partial_with_tail" : event.type;
    this.counts[kind] = (this.counts[kind] || 0) + 1;
    if (event.type === "error" && event.fatal) this.lastError = event;
    if (event.type === "ready" || (this.watch && !this.ready)) {
      this.ready = true;
      this.attempt = 0;
      this.refreshedForAuth = false;
      const reconnected = this.everOpened;
      this.everOpened = true;
      this.status({ state: "open", reconnected });
      this.startPings();
      if (this.autoStart && event.type === "ready") {
        this.holdAudio = true;
        this.send({ type: "start" });
      }
    }
    if (event.type === "question") {
      this.holdAudio = false;
      this.flushQueue();
    }
    this.onEvent(event);
  }

  closed(socket, event) {
    if (socket !== this.socket) return;
    this.socket = null;
    this.ready = false;
    this.holdAudio = true;
    clearInterval(this.pingTimer);
    if (this.stopped) return;
    const code = event.code;
    const error = this.lastError && this.lastError.code;
    if (error === "server_full" || (code === 1013 && !this.everOpened && !error)) {
      this.status({ state: "full", retryIn: FULL_RETRY_MS / 1000 });
      this.retryTimer = setTimeout(() => this.connect(), FULL_RETRY_MS);
      return;
    }
    if (AUTH_ERRORS.includes(error) || (code === 1008 && !error)) {
      if (!this.refreshedForAuth && this.refreshToken) {
        // The access token may simply have expired during a long interview, or this browser
        // changed the password (its new pair is stored; another sign-out fails the refresh): refresh once.
        this.refreshedForAuth = true;
        this.refreshToken().then(() => this.connect(), () => this.status({ state: "unauthorized" }));
        return;
      }
      this.status({ state: "unauthorized" });
      return;
    }
    if (error === "not_found") return this.status({ state: "closed", reason: "not_found", message: this.lastError.message });
    if (error === "origin_not_allowed") return this.status({ state: "closed", reason: "origin", message: this.lastError.message });
    if (error === "session_closed") return this.status({ state: "closed", reason: "session_closed" });
    if (error === "session_taken_over") {
      // A newer connection (another tab, or this one reloaded) has the interview now: never
      // take it back by ourselves, or two tabs would take it from each other in turn.
      return this.status({ state: "taken_over" });
    }
    if (code === 4409 || error === "session_busy") {
      // Right after a drop the server may still be tidying up our previous connection.
      if (this.everOpened && this.attempt < 4) return this.scheduleRetry();
      this.status({ state: "busy" });
      return;
    }
    if (code === 1009) return this.status({ state: "closed", reason: "frame_too_big" });
    this.scheduleRetry();
  }

  scheduleRetry() {
    if (this.stopped) return;
    const base = Math.min(BACKOFF_MAX_MS, BACKOFF_START_MS * 2 ** this.attempt);
    const delay = Math.round(base * (0.75 + Math.random() * 0.5));
    this.attempt += 1;
    this.status({ state: "reconnecting", attempt: this.attempt, delay });
    this.retryTimer = setTimeout(() => this.connect(), delay);
  }

  /** Try again now (a "Try again" button after busy/full/unauthorized). */
  retry() {
    this.stopped = false;
    this.attempt = 0;
    this.connect();
  }

  startPings() {
    clearInterval(this.pingTimer);
    let id = 0;
    this.pingTimer = setInterval(() => this.send({ type: "ping", id: ++id }), PING_EVERY_MS);
  }

  send(message) {
    if (this.socket && this.socket.readyState === WebSocket.OPEN) {
      this.socket.send(JSON.stringify(message));
      return true;
    }
    return false;
  }

  sendAudio(buffer) {
    if (this.isOpen && !this.holdAudio && this.queue.length === 0) {
      this.socket.send(buffer);
      this.sentAudioBytes += buffer.byteLength;
      return;
    }
    this.queue.push(buffer);
    this.queuedBytes += buffer.byteLength;
    while (this.queuedBytes > this.maxQueuedBytes && this.queue.length) {
      this.queuedBytes -= this.queue.shift().byteLength;
    }
  }

  flushQueue() {
    while (this.queue.length && this.isOpen) {
      const buffer = this.queue.shift();
      this.queuedBytes -= buffer.byteLength;
      this.socket.send(buffer);
      this.sentAudioBytes += buffer.byteLength;
    }
  }

  /** Forget audio waiting to be sent (the answer it belonged to is over). */
  dropQueuedAudio() {
    this.queue = [];
    this.queuedBytes = 0;
  }

  /** Test and debugging hook: drop the connection as a network failure would. */
  simulateDrop() {
    if (this.socket) this.socket.close(4000, "simulated drop");
  }

  close() {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    clearInterval(this.pingTimer);
    if (this.socket) {
      const socket = this.socket;
      this.socket = null;
      try {
        socket.close(1000, "bye");
      } catch {
        /* already closed */
      }
    }
  }

  status(state) {
    this.state = state;
    this.onStatus(state);
  }
}

export function socketUrl(path) {
  const scheme = location.protocol === "https:" ? "wss:" : "ws:";
  return `${scheme}//${location.host}${path}`;
}
