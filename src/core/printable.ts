/**
 * Text that came from outside (a platform's error body, a request to the login
 * listener, a pasted URL) may carry terminal escape sequences or other control
 * characters that would rewrite the user's screen. Strip them before printing;
 * newlines and tabs stay.
 */
// ESC [ ... final byte (CSI), ESC ] ... BEL/ST (OSC), other two-byte ESC sequences, then lone controls.
const ESCAPES = /\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?|\x1b[@-_]?/g;
// C0 except tab and newline, DEL, C1, and the Unicode bidi overrides that can disguise text.
const CONTROLS = /[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]/g;

export function printable(text: string): string {
  return text.replace(ESCAPES, '').replace(CONTROLS, '');
}
