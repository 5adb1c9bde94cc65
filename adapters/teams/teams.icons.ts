/**
 * The app's two icons, drawn here rather than kept as binaries: three interlocking rings
 * (organisations joining up). Teams wants a 192×192 full-colour icon and a 32×32 outline
 * icon that is white on transparent. Encoded as PNG with node:zlib.
 */
import { deflateSync } from 'node:zlib';
import { crc32 } from './teams.zip.js';

/** The accent colour, also the manifest's `accentColor`. */
export const ACCENT = '#1F6F5C';

type Rgb = [number, number, number];

function hex(colour: string): Rgb {
  const n = Number.parseInt(colour.slice(1), 16);
  return [(n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff];
}

function chunk(type: string, data: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'ascii');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0);
  return Buffer.concat([head, data, crc]);
}

/** An RGBA image (`rgba` is width × height × 4 bytes, rows top to bottom) as PNG. */
export function encodePng(width: number, height: number, rgba: Uint8Array): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 6; // colour type: RGBA
  // compression, filter and interlace methods are all 0
  const raw = Buffer.alloc(height * (width * 4 + 1));
  for (let y = 0; y < height; y++) {
    raw[y * (width * 4 + 1)] = 0; // filter: none
    Buffer.from(rgba.buffer, rgba.byteOffset + y * width * 4, width * 4).copy(raw, y * (width * 4 + 1) + 1);
  }
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  return Buffer.concat([signature, chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw, { level: 9 })), chunk('IEND', Buffer.alloc(0))]);
}

/** How much of the pixel at (x, y) the rings cover, 0 to 1, by 4×4 supersampling. */
function coverage(x: number, y: number, size: number): number {
  const s = size / 192;
  const rings = [-90, 30, 150].map((deg) => ({ cx: 96 * s + 30 * s * Math.cos((deg * Math.PI) / 180), cy: 100 * s + 30 * s * Math.sin((deg * Math.PI) / 180) }));
  const radius = 40 * s;
  const half = Math.max(0.9, 6 * s);
  let hits = 0;
  for (let i = 0; i < 4; i++) {
    for (let j = 0; j < 4; j++) {
      const px = x + (i + 0.5) / 4;
      const py = y + (j + 0.5) / 4;
      if (rings.some((r) => Math.abs(Math.hypot(px - r.cx, py - r.cy) - radius) <= half)) hits++;
    }
  }
  return hits / 16;
}

/** The 192×192 colour icon: white rings on the accent colour, edge to edge. */
export function colorIcon(size = 192): Buffer {
  const [r, g, b] = hex(ACCENT);
  const px = new Uint8Array(size * size * 4);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const c = coverage(x, y, size);
      const i = (y * size + x) * 4;
      px[i] = Math.round(r + (255 - r) * c);
      px[i + 1] = Math.round(g + (255 - g) * c);
      px[i + 2] = Math.round(b + (255 - b) * c);
      px[i + 3] = 255;
    }
  }
  return encodePng(size, size, px);
}

/** The 32×32 outline icon: white rings, everything else transparent. */
export function outlineIcon(size = 32): Buffer {
  const px = new Uint8Array(size * size * 4);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const i = (y * size + x) * 4;
      px[i] = 255;
      px[i + 1] = 255;
      px[i + 2] = 255;
      px[i + 3] = Math.round(255 * coverage(x, y, size));
    }
  }
  return encodePng(size, size, px);
}
