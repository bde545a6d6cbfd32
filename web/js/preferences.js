// The candidate's voice preference (profile `voice_enabled`). The server keeps it with the
// candidate's interviews (the database has no column for it); before the first interview it
// has nowhere to keep it and says so (`preferences_saved: false`). This browser then keeps the
// choice itself and sends it with the first interview it creates (POST /api/sessions
// `voice_enabled`), which stores it: a voice turned off on the first visit stays off.

import { tokens } from "./api.js";

export const PENDING_VOICE = "mi.voice-pending";

/** Whether the interviewer speaks for `user` (the server's value, or the choice waiting here). */
export function voiceEnabled(user) {
  if (user && user.preferences_saved === false) {
    const pending = localStorage.getItem(PENDING_VOICE);
    if (pending !== null) return pending === "true";
  }
  return !user || user.voice_enabled !== false;
}

/** After a PATCH of `voice_enabled`: keep the choice here while the server could not. */
export function rememberVoice(updated, on) {
  if (updated.preferences_saved === false) localStorage.setItem(PENDING_VOICE, String(on));
  else localStorage.removeItem(PENDING_VOICE);
}

/** What a new session's body carries: the waiting choice, if there is one. */
export function sessionPreferences(user) {
  return user && user.preferences_saved === false && localStorage.getItem(PENDING_VOICE) !== null ? { voice_enabled: voiceEnabled(user) } : {};
}

/** A session was created with `sent`: the server keeps the preference from now on. */
export function preferencesSent(user, sent) {
  localStorage.removeItem(PENDING_VOICE);
  if (user) tokens.saveUser({ ...user, ...sent, preferences_saved: true });
}
