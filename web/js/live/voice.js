// The interviewer's voice: each `question` event may carry a `voice_url` (docs/protocol.md),
// a WAV the server synthesised ahead. It is fetched with the bearer token (an <audio src> cannot
// send one), kept as a blob URL per URL, and played from memory, so the first sound comes right
// after the question appears (the interview shows a question when its voice is ready, `whenReady`).
// No voice (null, 503, any failure) means text only: never an error.

import { api } from "../api.js";

export class InterviewerVoice {
  /** `enabled`: the candidate's preference (profile `voice_enabled`). */
  constructor({ enabled = true } = {}) {
    this.enabled = enabled;
    this.blobs = new Map(); // voice_url -> Promise<blob URL | null>
    this.fetched = new Set(); // voice_urls whose blob is in memory: they play at once
    this.audio = null; // the <audio> playing now, if any
    this.finish = null; // resolves the promise of the current `speak`
  }

  /** Start fetching a voice before it is needed (the next question while the candidate reads). */
  prefetch(url) {
    if (!url || !this.enabled) return Promise.resolve(null);
    if (!this.blobs.has(url)) {
      const loading = api(url, { raw: true })
        .then((response) => response.blob())
        .then((blob) => (blob.size ? URL.createObjectURL(blob) : null))
        .then((blobUrl) => {
          if (blobUrl) this.fetched.add(url);
          return blobUrl;
        })
        .catch(() => {
          this.blobs.delete(url); // 503 (no voice now) or a network error: text only, try again later
          return null;
        });
      this.blobs.set(url, loading);
    }
    return this.blobs.get(url);
  }

  /** Whether `url` would start playing at once (its voice is in memory). */
  isReady(url) {
    return this.fetched.has(url);
  }

  /**
   * Wait until `url`'s voice is in memory, it failed, or `within` ms passed (so that a question
   * appears when the interviewer can start saying it). Resolves whether it is ready; never rejects.
   */
  whenReady(url, { within = 3000 } = {}) {
    if (!url || !this.enabled) return Promise.resolve(false);
    if (this.isReady(url)) return Promise.resolve(true);
    let timer;
    const late = new Promise((resolve) => (timer = setTimeout(() => resolve(null), within)));
    return Promise.race([this.prefetch(url), late]).then((blobUrl) => {
      clearTimeout(timer);
      return Boolean(blobUrl);
    });
  }

  /**
   * Speak `url`. Resolves `true` when it was played to the end, `false` when there was nothing
   * to play, it could not play, or it was stopped. Never rejects. `onStart()`: the first sound.
   */
  async speak(url, { onStart = () => {} } = {}) {
    this.stop();
    if (!url || !this.enabled) return false;
    const blobUrl = await this.prefetch(url);
    if (!blobUrl || !this.enabled) return false;
    this.stop();
    return new Promise((resolve) => {
      const audio = new Audio(blobUrl);
      this.audio = audio;
      this.finish = resolve;
      const done = (played) => {
        if (this.audio !== audio) return;
        this.audio = null;
        this.finish = null;
        resolve(played);
      };
      audio.addEventListener("playing", () => this.audio === audio && onStart(), { once: true });
      audio.addEventListener("ended", () => done(true));
      audio.addEventListener("error", () => done(false));
      audio.play().catch(() => done(false)); // autoplay refused: the text is on screen
    });
  }

  get speaking() {
    return Boolean(this.audio);
  }

  /** Stop speaking now; the pending `speak` resolves `false`. */
  stop() {
    if (!this.audio) return;
    const [audio, finish] = [this.audio, this.finish];
    this.audio = null;
    this.finish = null;
    audio.pause();
    finish(false);
  }

  setEnabled(on) {
    this.enabled = on;
    if (!on) this.stop();
  }

  close() {
    this.stop();
    for (const loading of this.blobs.values()) loading.then((url) => url && URL.revokeObjectURL(url));
    this.blobs.clear();
    this.fetched.clear();
  }
}
