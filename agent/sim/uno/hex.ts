// Intel HEX → flash image. Only what avr-gcc/objcopy and the Arduino toolchain emit:
// data (00), EOF (01), extended segment (02) and linear (04) addresses; start addresses
// (03, 05) are ignored because the AVR always starts at the reset vector.

export function parseIntelHex(text: string, flashBytes: number): Uint8Array {
  const flash = new Uint8Array(flashBytes).fill(0xff); // erased flash reads 0xFF
  let base = 0;
  let sawEof = false;
  const lines = text.split(/\r?\n/);
  for (let n = 0; n < lines.length && !sawEof; n++) {
    const line = lines[n]!.trim();
    if (line === "") continue;
    const where = `line ${n + 1}`;
    if (!line.startsWith(":") || line.length < 11 || line.length % 2 === 0 || !/^:[0-9a-fA-F]+$/.test(line)) {
      throw new Error(`Intel HEX: malformed record at ${where}`);
    }
    const bytes = Buffer.from(line.slice(1), "hex");
    const len = bytes[0]!;
    if (bytes.length !== len + 5) throw new Error(`Intel HEX: length mismatch at ${where}`);
    let sum = 0;
    for (const b of bytes) sum = (sum + b) & 0xff;
    if (sum !== 0) throw new Error(`Intel HEX: bad checksum at ${where}`);
    const offset = (bytes[1]! << 8) | bytes[2]!;
    const type = bytes[3]!;
    const data = bytes.subarray(4, 4 + len);
    switch (type) {
      case 0x00: {
        const addr = base + offset;
        if (addr + len > flashBytes) {
          throw new Error(`Intel HEX: data at 0x${addr.toString(16)} beyond ${flashBytes} bytes of flash (${where})`);
        }
        flash.set(data, addr);
        break;
      }
      case 0x01:
        sawEof = true;
        break;
      case 0x02:
        base = ((data[0]! << 8) | data[1]!) << 4;
        break;
      case 0x04:
        base = ((data[0]! << 8) | data[1]!) << 16;
        break;
      case 0x03:
      case 0x05:
        break;
      default:
        throw new Error(`Intel HEX: unknown record type ${type} at ${where}`);
    }
  }
  if (!sawEof) throw new Error("Intel HEX: no end-of-file record (truncated file?)");
  return flash;
}
