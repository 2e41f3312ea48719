// Splits a stream's bytes into lines for display (CR, LF and CRLF end a line, as in the format),
// remembering where each line starts, so an observation's line number can show its bytes.
const decoder = new TextDecoder('utf-8', { ignoreBOM: true });
const MAX_LINE_BYTES = 4096;  // longer lines are shown cut, with their size

// Control characters made visible as escapes (plain ASCII, so any font shows them): tab as \t,
// other C0 controls and DEL as \xNN, U+FEFF as [BOM].
function visible(text) {
  return text.replace(/[\u0000-\u001f\u007f\uFEFF]/g, (c) => {
    if (c === '\t') return '\\t';
    if (c === '\uFEFF') return '[BOM]';
    return `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`;
  });
}

export class RawLines {
  constructor() {
    this.lines = [];     // { number, offset, text, ending }
    this.current = [];   // bytes of the unfinished line (at most MAX_LINE_BYTES kept)
    this.currentSize = 0;
    this.offset = 0;     // stream offset of the next byte
    this.lineStart = 0;
    this.afterCR = false;
  }

  /** Adds bytes; returns the lines they completed. */
  push(bytes) {
    const done = [];
    for (let i = 0; i < bytes.length; i++, this.offset++) {
      const b = bytes[i];
      if (this.afterCR) {
        this.afterCR = false;
        if (b === 0x0a) {  // the LF of a CRLF: part of the line end already recorded
          this.lines[this.lines.length - 1].ending = '\\r\\n';
          this.lineStart = this.offset + 1;
          continue;
        }
      }
      if (b === 0x0a || b === 0x0d) {
        done.push(this.#finish(b === 0x0d ? '\\r' : '\\n'));
        this.afterCR = b === 0x0d;
        this.lineStart = this.offset + 1;
      } else {
        if (this.current.length < MAX_LINE_BYTES) this.current.push(b);
        this.currentSize++;
      }
    }
    return done;
  }

  /** The end of the stream: an unfinished line is shown without a line end. */
  end() {
    return this.currentSize > 0 ? [this.#finish('')] : [];
  }

  /** The line with this 1-based number, if it was seen. */
  line(number) {
    return this.lines[number - 1];
  }

  #finish(ending) {
    let text = visible(decoder.decode(Uint8Array.from(this.current)));
    if (this.currentSize > this.current.length) text += ` … (${this.currentSize} bytes)`;
    const line = { number: this.lines.length + 1, offset: this.lineStart, text, ending };
    this.lines.push(line);
    this.current = [];
    this.currentSize = 0;
    return line;
  }
}
