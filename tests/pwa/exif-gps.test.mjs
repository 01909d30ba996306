// 保留拍摄位置 (pwa/js/exif-gps.js): the position read from a camera's EXIF, in either byte order,
// survives being written, alone, into the compressed copy; anything else reads as "unknown".
import assert from "node:assert/strict";
import { test } from "node:test";

import { readGps, withGps } from "../../pwa/js/exif-gps.js";

const GPS = { latRef: "N", lat: [[36, 1], [20, 1], [125, 10]], lonRef: "E", lon: [[113, 1], [13, 1], [1, 1]] };

// A JPEG as a canvas writes it, as far as the reader cares: SOI, JFIF, a table, the scan, EOI.
const CANVAS = Uint8Array.from([0xff, 0xd8, 0xff, 0xe0, 0, 16, 0x4a, 0x46, 0x49, 0x46, 0, 1, 1, 0, 0, 1, 0, 1, 0, 0,
  0xff, 0xdb, 0, 4, 1, 2, 0xff, 0xda, 0, 2, 9, 9, 9, 0xff, 0xd9]);

// A camera's EXIF, little-endian (II), with the camera's make before the GPS pointer.
function cameraJpeg() {
  const tiff = new DataView(new ArrayBuffer(160));
  const le = true;
  tiff.setUint16(0, 0x4949); tiff.setUint16(2, 42, le); tiff.setUint32(4, 8, le);
  tiff.setUint16(8, 2, le); // IFD0: make, GPS pointer
  tiff.setUint16(10, 0x010f, le); tiff.setUint16(12, 2, le); tiff.setUint32(14, 4, le); tiff.setUint32(18, 0x0069_4d58, le);
  tiff.setUint16(22, 0x8825, le); tiff.setUint16(24, 4, le); tiff.setUint32(26, 1, le); tiff.setUint32(30, 38, le);
  tiff.setUint32(34, 0, le);
  tiff.setUint16(38, 4, le); // GPS IFD at 38
  const entry = (at, tag, type, count, value) => {
    tiff.setUint16(at, tag, le); tiff.setUint16(at + 2, type, le); tiff.setUint32(at + 4, count, le); tiff.setUint32(at + 8, value, le);
  };
  entry(40, 1, 2, 2, "S".charCodeAt(0));
  entry(52, 2, 5, 3, 92);
  entry(64, 3, 2, 2, "W".charCodeAt(0));
  entry(76, 4, 5, 3, 116);
  tiff.setUint32(88, 0, le);
  [[36, 1], [20, 1], [125, 10], [113, 1], [13, 1], [1, 1]].forEach(([n, d], k) => {
    tiff.setUint32(92 + 8 * k, n, le); tiff.setUint32(96 + 8 * k, d, le);
  });
  const payload = [0x45, 0x78, 0x69, 0x66, 0, 0, ...new Uint8Array(tiff.buffer)];
  const len = payload.length + 2;
  return Uint8Array.from([0xff, 0xd8, 0xff, 0xe1, len >> 8, len & 0xff, ...payload, ...CANVAS.subarray(2)]);
}

test("a camera's position is read, in little-endian EXIF too", () => {
  assert.deepEqual(readGps(cameraJpeg()), { ...GPS, latRef: "S", lonRef: "W" });
});

test("written into the canvas copy, after its JFIF header, it reads back the same", () => {
  const out = withGps(CANVAS, GPS);
  assert.deepEqual(readGps(out), GPS);
  assert.deepEqual([...out.subarray(0, 20)], [...CANVAS.subarray(0, 20)]); // SOI + JFIF first
  assert.deepEqual([...out.subarray(20, 22)], [0xff, 0xe1]);
  assert.deepEqual([...out.subarray(out.length - CANVAS.length + 20)], [...CANVAS.subarray(20)]); // the image untouched
});

test("no EXIF, no GPS, or broken bytes: unknown", () => {
  assert.equal(readGps(CANVAS), null);
  assert.equal(readGps(new Uint8Array([1, 2, 3])), null);
  const cut = cameraJpeg().subarray(0, 60);
  assert.equal(readGps(cut), null);
  const noGps = cameraJpeg();
  noGps[6 + 6 + 22] = 0x00; // the GPS pointer's tag becomes another tag
  assert.equal(readGps(noGps), null);
});
