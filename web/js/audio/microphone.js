// The microphone: getUserMedia -> AudioWorklet (pcm-worklet.js) -> 16 kHz s16le PCM frames.
//
// `Microphone.open()` either resolves or throws a `MicrophoneError` whose `kind` says what the
// user has to do: "denied" (permission), "missing" (no input device), "busy" (another app holds
// it), "insecure" (the page is not served over HTTPS or localhost), "unsupported" (old browser).

export class MicrophoneError extends Error {
  constructor(kind, cause) {
    super(EXPLANATIONS[kind].title);
    this.kind = kind;
    this.cause = cause;
  }
}

export const EXPLANATIONS = {
  denied: {
    title: "Microphone access is blocked",
    body: "This practice room needs your microphone to hear your answers. Your browser (or a system setting) has refused access.",
    steps: [
      "Click the lock or settings icon at the left of the address bar and set Microphone to “Allow”.",
      "On macOS, also check System Settings → Privacy & Security → Microphone for your browser; on Windows, Settings → Privacy → Microphone.",
      "Then press “Check my microphone” again (you may need to reload the page).",
    ],
  },
  missing: {
    title: "No microphone found",
    body: "Your device does not report any microphone. Plug in a headset or USB microphone, or enable the built-in one.",
    steps: ["Connect or switch on a microphone.", "Press “Check my microphone” again."],
  },
  busy: {
    title: "The microphone is in use",
    body: "Another application (a video call, a recorder) is using the microphone, or the hardware reported an error.",
    steps: ["Close the other application or tab that uses the microphone.", "Press “Check my microphone” again."],
  },
  insecure: {
    title: "This page is not secure",
    body: "Browsers only allow the microphone on secure pages (HTTPS, or localhost).",
    steps: ["Open the practice room through its https:// address."],
  },
  unsupported: {
    title: "This browser cannot record audio here",
    body: "Recording needs a recent version of Chrome, Edge, Firefox or Safari.",
    steps: ["Update your browser, or open this page in another one."],
  },
};

function classify(error) {
  const name = error && error.name;
  if (name === "NotAllowedError" || name === "PermissionDeniedError" || name === "SecurityError") return "denied";
  if (name === "NotFoundError" || name === "DevicesNotFoundError" || name === "OverconstrainedError") return "missing";
  if (name === "NotReadableError" || name === "TrackStartError" || name === "AbortError") return "busy";
  return "unsupported";
}

export class Microphone {
  constructor({ onFrame = () => {}, onLevel = () => {}, onEnded = () => {}, frameMs = 100 } = {}) {
    this.onFrame = onFrame;
    this.onLevel = onLevel;
    this.onEnded = onEnded;
    this.frameMs = frameMs;
    this.stream = null;
    this.context = null;
    this.node = null;
  }

  get isOpen() {
    return Boolean(this.stream);
  }

  get label() {
    const track = this.stream && this.stream.getAudioTracks()[0];
    return track ? track.label : "";
  }

  /** Ask for the microphone and start the worklet. Throws MicrophoneError. */
  async open(deviceId) {
    if (!window.isSecureContext) throw new MicrophoneError("insecure");
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia || !window.AudioWorkletNode) {
      throw new MicrophoneError("unsupported");
    }
    this.close();
    try {
      this.stream = await navigator.mediaDevices.getUserMedia({
        audio: {
          deviceId: deviceId ? { exact: deviceId } : undefined,
          channelCount: 1,
          echoCancellation: true,
          noiseSuppression: true,
          autoGainControl: true,
        },
      });
    } catch (error) {
      throw new MicrophoneError(classify(error), error);
    }
    const track = this.stream.getAudioTracks()[0];
    if (!track) {
      this.close();
      throw new MicrophoneError("missing");
    }
    track.addEventListener("ended", () => this.onEnded());
    try {
      this.context = new AudioContext({ latencyHint: "interactive" });
      await this.context.audioWorklet.addModule(new URL("./pcm-worklet.js", import.meta.url));
      const source = this.context.createMediaStreamSource(this.stream);
      this.node = new AudioWorkletNode(this.context, "pcm-downsampler", {
        numberOfInputs: 1,
        numberOfOutputs: 1,
        outputChannelCount: [1],
        processorOptions: { targetRate: 16000, frameMs: this.frameMs },
      });
      this.node.port.onmessage = (event) => {
        const message = event.data;
        if (message.type === "pcm") this.onFrame(message.buffer);
        else if (message.type === "level") this.onLevel(message.rms, message.peak);
      };
      // A silent path to the output keeps the graph pulled (and the worklet running) everywhere.
      const mute = this.context.createGain();
      mute.gain.value = 0;
      source.connect(this.node).connect(mute).connect(this.context.destination);
      if (this.context.state === "suspended") await this.context.resume();
    } catch (error) {
      this.close();
      throw new MicrophoneError("unsupported", error);
    }
    return this;
  }

  /** Inputs the user can pick from (labels are only known after permission was granted). */
  static async devices() {
    if (!navigator.mediaDevices || !navigator.mediaDevices.enumerateDevices) return [];
    const all = await navigator.mediaDevices.enumerateDevices();
    return all.filter((device) => device.kind === "audioinput");
  }

  close() {
    if (this.node) {
      this.node.port.postMessage({ type: "stop" });
      this.node.port.onmessage = null;
      this.node.disconnect();
    }
    if (this.context) this.context.close().catch(() => {});
    if (this.stream) for (const track of this.stream.getTracks()) track.stop();
    this.node = null;
    this.context = null;
    this.stream = null;
  }
}

/** Map an RMS level (0..1) to a 0..100 meter value on a perceptual (dB) scale: -60 dBFS..-6 dBFS. */
export function levelPercent(rms) {
  if (!rms) return 0;
  const db = 20 * Math.log10(rms);
  return Math.max(0, Math.min(100, ((db + 60) / 54) * 100));
}
