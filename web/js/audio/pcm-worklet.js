// AudioWorklet: microphone audio at the context's rate (44.1/48 kHz, or whatever the device
// gives) -> 16 kHz mono signed 16-bit little-endian PCM, posted in frames of `frameMs`.
//
// Downsampling: a windowed-sinc low-pass FIR (Blackman window) removes what would alias above
// the new Nyquist frequency (8 kHz; cut-off 7 kHz keeps the speech band), then the filtered
// signal is read at the output rate by linear interpolation, which handles fractional ratios
// (44.1 kHz -> 16 kHz) as well as integer ones. See J. O. Smith, "Digital Audio Resampling".
//
// Messages to the main thread: {type: "pcm", buffer: ArrayBuffer} (transferred) and
// {type: "level", rms, peak} every ~50 ms for the level meter.

const TAPS = 63;

function lowPass(cutoff, taps) {
  // cutoff as a fraction of the input sample rate (0..0.5)
  const h = new Float32Array(taps);
  const m = taps - 1;
  let sum = 0;
  for (let n = 0; n < taps; n++) {
    const x = n - m / 2;
    const sinc = x === 0 ? 2 * cutoff : Math.sin(2 * Math.PI * cutoff * x) / (Math.PI * x);
    const window = 0.42 - 0.5 * Math.cos((2 * Math.PI * n) / m) + 0.08 * Math.cos((4 * Math.PI * n) / m);
    h[n] = sinc * window;
    sum += h[n];
  }
  for (let n = 0; n < taps; n++) h[n] /= sum; // unity gain at DC
  return h;
}

class PcmDownsampler extends AudioWorkletProcessor {
  constructor(options) {
    super();
    const { targetRate = 16000, frameMs = 100, levelMs = 50 } = options.processorOptions || {};
    this.ratio = sampleRate / targetRate; // input samples per output sample
    this.filter = this.ratio > 1 ? lowPass(Math.min(7000, targetRate * 0.45) / sampleRate, TAPS) : null;
    this.history = new Float32Array(TAPS * 2); // doubled ring: a contiguous window without wrapping
    this.head = 0;
    this.previous = 0; // filtered sample before the current one
    this.position = 0; // next output time, in input samples relative to the current sample
    this.frame = new Int16Array(Math.round((targetRate * frameMs) / 1000));
    this.filled = 0;
    this.levelEvery = Math.round((sampleRate * levelMs) / 1000);
    this.levelCount = 0;
    this.levelSum = 0;
    this.levelPeak = 0;
    this.running = true;
    this.port.onmessage = (event) => {
      if (event.data && event.data.type === "stop") this.running = false;
      if (event.data && event.data.type === "flush") this.flush();
    };
  }

  filtered(x) {
    if (!this.filter) return x;
    const h = this.history;
    h[this.head] = x;
    h[this.head + TAPS] = x;
    this.head = (this.head + 1) % TAPS;
    // window = h[head .. head+TAPS): oldest to newest
    let y = 0;
    const f = this.filter;
    for (let k = 0, i = this.head; k < TAPS; k++, i++) y += f[k] * h[i];
    return y;
  }

  emit(sample) {
    const clamped = sample > 1 ? 1 : sample < -1 ? -1 : sample;
    this.frame[this.filled++] = clamped < 0 ? clamped * 0x8000 : clamped * 0x7fff;
    if (this.filled === this.frame.length) this.flush();
  }

  flush() {
    if (!this.filled) return;
    const out = this.frame.slice(0, this.filled); // Int16Array: little-endian on every browser platform
    this.filled = 0;
    this.port.postMessage({ type: "pcm", buffer: out.buffer }, [out.buffer]);
  }

  process(inputs) {
    if (!this.running) return false;
    const input = inputs[0];
    if (!input || input.length === 0 || !input[0]) return true;
    const channels = input.length;
    const length = input[0].length;
    for (let i = 0; i < length; i++) {
      let x = 0;
      for (let c = 0; c < channels; c++) x += input[c][i];
      x /= channels;
      // level meter
      this.levelSum += x * x;
      const magnitude = x < 0 ? -x : x;
      if (magnitude > this.levelPeak) this.levelPeak = magnitude;
      if (++this.levelCount >= this.levelEvery) {
        this.port.postMessage({ type: "level", rms: Math.sqrt(this.levelSum / this.levelCount), peak: this.levelPeak });
        this.levelCount = 0;
        this.levelSum = 0;
        this.levelPeak = 0;
      }
      // resample: output samples whose time falls between the previous and this input sample
      const y = this.filtered(x);
      while (this.position <= 0) {
        const t = this.position + 1; // 0..1 between previous and current
        this.emit(this.previous + (y - this.previous) * t);
        this.position += this.ratio;
      }
      this.position -= 1;
      this.previous = y;
    }
    return true;
  }
}

registerProcessor("pcm-downsampler", PcmDownsampler);
