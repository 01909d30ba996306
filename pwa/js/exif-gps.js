// The shooting position of a camera JPEG, for the one case the user asks to keep it (保留拍摄位置):
// read it from the original's EXIF (GPS block: latitude and longitude), and write it, alone, into
// the compressed copy (a canvas copy carries no EXIF at all). Pure functions on bytes.

const SOI = 0xd8;
const SOS = 0xda;
const EOI = 0xd9;
const APP0 = 0xe0;
const APP1 = 0xe1;
const EXIF = [0x45, 0x78, 0x69, 0x66, 0, 0]; // "Exif\0\0"
const GPS_POINTER = 0x8825;
const ASCII = 2;
const LONG = 4;
const RATIONAL = 5;

function startsWith(bytes, at, prefix) {
  return prefix.every((b, i) => bytes[at + i] === b);
}

// The segments before the image data: [{marker, start, end}] (start: the 0xFF, end: after the segment).
function segments(bytes) {
  const out = [];
  if (bytes[0] !== 0xff || bytes[1] !== SOI) return out;
  let i = 2;
  while (i + 4 <= bytes.length && bytes[i] === 0xff) {
    const marker = bytes[i + 1];
    if (marker === SOS || marker === EOI) break;
    const end = i + 2 + ((bytes[i + 2] << 8) | bytes[i + 3]);
    if (end > bytes.length) break;
    out.push({ marker, start: i, end });
    i = end;
  }
  return out;
}

function reader(bytes, tiff) {
  const little = bytes[tiff] === 0x49 && bytes[tiff + 1] === 0x49;
  const u16 = (at) => (little ? bytes[at] | (bytes[at + 1] << 8) : (bytes[at] << 8) | bytes[at + 1]);
  const u32 = (at) => (little
    ? (bytes[at] | (bytes[at + 1] << 8) | (bytes[at + 2] << 16)) + bytes[at + 3] * 0x1000000
    : bytes[at] * 0x1000000 + ((bytes[at + 1] << 16) | (bytes[at + 2] << 8) | bytes[at + 3]));
  return { u16, u32 };
}

// {latRef: "N"|"S", lat: [[num, den] x3], lonRef: "E"|"W", lon: [[num, den] x3]}, or null.
export function readGps(bytes) {
  const seg = segments(bytes).find((s) => s.marker === APP1 && startsWith(bytes, s.start + 4, EXIF));
  if (!seg) return null;
  const tiff = seg.start + 10;
  const limit = seg.end;
  const { u16, u32 } = reader(bytes, tiff);
  const inside = (at, n) => at >= tiff && at + n <= limit;
  const entries = (ifd) => {
    if (!inside(tiff + ifd, 2)) return [];
    const n = u16(tiff + ifd);
    const list = [];
    for (let k = 0; k < n; k += 1) {
      const e = tiff + ifd + 2 + 12 * k;
      if (!inside(e, 12)) break;
      list.push({ tag: u16(e), type: u16(e + 2), count: u32(e + 4), at: e + 8 });
    }
    return list;
  };
  const pointer = entries(u32(tiff + 4)).find((e) => e.tag === GPS_POINTER);
  if (!pointer) return null;
  const gps = new Map(entries(u32(pointer.at)).map((e) => [e.tag, e]));
  const ref = (tag) => {
    const e = gps.get(tag);
    return e && e.type === ASCII ? String.fromCharCode(bytes[e.at]) : null;
  };
  const triple = (tag) => {
    const e = gps.get(tag);
    if (!e || e.type !== RATIONAL || e.count !== 3) return null;
    const at = tiff + u32(e.at);
    if (!inside(at, 24)) return null;
    return [0, 1, 2].map((k) => [u32(at + 8 * k), u32(at + 8 * k + 4)]);
  };
  const out = { latRef: ref(1), lat: triple(2), lonRef: ref(3), lon: triple(4) };
  if (!"NS".includes(out.latRef || "x") || !"EW".includes(out.lonRef || "x") || !out.lat || !out.lon) return null;
  if ([...out.lat, ...out.lon].some(([, den]) => den === 0)) return null;
  return out;
}

// The EXIF block (APP1 payload) holding only this GPS position, big-endian.
export function gpsExif(gps) {
  const bytes = new Uint8Array(6 + 128);
  const view = new DataView(bytes.buffer, 6);
  bytes.set(EXIF, 0);
  bytes.set([0x4d, 0x4d, 0x00, 0x2a], 6); // "MM", 42
  view.setUint32(4, 8); // IFD0 at 8
  const entry = (at, tag, type, count, value) => {
    view.setUint16(at, tag);
    view.setUint16(at + 2, type);
    view.setUint32(at + 4, count);
    view.setUint32(at + 8, value);
  };
  view.setUint16(8, 1);
  entry(10, GPS_POINTER, LONG, 1, 26); // the GPS block follows at 26
  view.setUint32(22, 0);
  view.setUint16(26, 4);
  entry(28, 1, ASCII, 2, gps.latRef.charCodeAt(0) << 24);
  entry(40, 2, RATIONAL, 3, 80);
  entry(52, 3, ASCII, 2, gps.lonRef.charCodeAt(0) << 24);
  entry(64, 4, RATIONAL, 3, 104);
  view.setUint32(76, 0);
  [...gps.lat, ...gps.lon].forEach(([num, den], k) => {
    view.setUint32(80 + 8 * k, num);
    view.setUint32(84 + 8 * k, den);
  });
  return bytes;
}

// The JPEG with an EXIF segment holding only `gps`, after its JFIF header (if any).
export function withGps(jpeg, gps) {
  const first = segments(jpeg)[0];
  const at = first && first.marker === APP0 ? first.end : 2;
  const payload = gpsExif(gps);
  const length = payload.length + 2;
  const out = new Uint8Array(jpeg.length + 2 + length);
  out.set(jpeg.subarray(0, at), 0);
  out.set([0xff, APP1, length >> 8, length & 0xff], at);
  out.set(payload, at + 4);
  out.set(jpeg.subarray(at), at + 2 + length);
  return out;
}
