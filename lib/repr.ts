// Bytes as Redis's sdscatrepr() writes them (redis-cli's quoted output, MONITOR lines), without
// the surrounding double quotes: printable ASCII as is, \\ \" \n \r \t \a \b, anything else \xHH.

const HEX = '0123456789abcdef';

export function escapeBytes(b: Uint8Array): string {
  let s = '';
  for (let i = 0; i < b.length; i++) {
    const c = b[i];
    switch (c) {
      case 0x5c:
        s += '\\\\';
        break;
      case 0x22:
        s += '\\"';
        break;
      case 0x0a:
        s += '\\n';
        break;
      case 0x0d:
        s += '\\r';
        break;
      case 0x09:
        s += '\\t';
        break;
      case 0x07:
        s += '\\a';
        break;
      case 0x08:
        s += '\\b';
        break;
      default:
        s += c >= 0x20 && c <= 0x7e ? String.fromCharCode(c) : '\\x' + HEX[c >> 4] + HEX[c & 15];
    }
  }
  return s;
}
