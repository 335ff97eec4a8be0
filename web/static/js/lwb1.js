// LWB1, legwork's compact binary recording format (docs/SERVER.md):
// a 16-byte header, then per sample t (float64, s) and ax ay az (float32,
// m/s²), and gx gy gz (float32, rad/s) when the gyroscope is present.

const table = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

// crc32 is the standard CRC-32 (IEEE), as zlib's.
export function crc32(bytes) {
  let c = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) c = table[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

// encode returns the recording {t, ax, ay, az, gx?, gy?, gz?} as LWB1.
export function encode({ t, ax, ay, az, gx, gy, gz }) {
  const n = t.length, gyro = gx !== undefined, rec = gyro ? 32 : 20;
  const buf = new ArrayBuffer(16 + n * rec), v = new DataView(buf);
  [..."LWB1"].forEach((c, i) => v.setUint8(i, c.charCodeAt(0)));
  v.setUint8(4, 1);
  v.setUint8(5, gyro ? 1 : 0);
  v.setUint32(8, n, true);
  for (let i = 0; i < n; i++) {
    const o = 16 + i * rec;
    v.setFloat64(o, t[i], true);
    v.setFloat32(o + 8, ax[i], true);
    v.setFloat32(o + 12, ay[i], true);
    v.setFloat32(o + 16, az[i], true);
    if (gyro) {
      v.setFloat32(o + 20, gx[i], true);
      v.setFloat32(o + 24, gy[i], true);
      v.setFloat32(o + 28, gz[i], true);
    }
  }
  v.setUint32(12, crc32(new Uint8Array(buf, 16)), true);
  return buf;
}
