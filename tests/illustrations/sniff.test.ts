import { describe, expect, it } from "vitest";
import { checkImage, imageLimits, sniffImage } from "@/lib/ai";
import { samplePng } from "./helpers";

function pngHeader(width: number, height: number): Uint8Array {
  const b = new Uint8Array(33);
  b.set([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52]);
  new DataView(b.buffer).setUint32(16, width);
  new DataView(b.buffer).setUint32(20, height);
  return b;
}

function jpegHeader(width: number, height: number): Uint8Array {
  // SOI, an APP0 segment of 16 bytes, then SOF0 with height and width.
  const app0 = [0xff, 0xe0, 0x00, 0x10, ...new Array(14).fill(0)];
  const sof = [0xff, 0xc0, 0x00, 0x11, 0x08, height >> 8, height & 0xff, width >> 8, width & 0xff, 3];
  return new Uint8Array([0xff, 0xd8, ...app0, ...sof, ...new Array(12).fill(0)]);
}

function webpHeader(width: number, height: number): Uint8Array {
  const b = new Uint8Array(30);
  b.set(new TextEncoder().encode("RIFF"), 0);
  b.set(new TextEncoder().encode("WEBPVP8X"), 8);
  const w = width - 1;
  const h = height - 1;
  b.set([w & 0xff, (w >> 8) & 0xff, (w >> 16) & 0xff, h & 0xff, (h >> 8) & 0xff, (h >> 16) & 0xff], 24);
  return b;
}

describe("image sniffing (the bytes decide the type)", () => {
  it("reads PNG, JPEG and WebP types and sizes from their headers", () => {
    expect(sniffImage(samplePng())).toEqual({ contentType: "image/png", width: 768, height: 512 });
    expect(sniffImage(jpegHeader(640, 480))).toEqual({ contentType: "image/jpeg", width: 640, height: 480 });
    expect(sniffImage(webpHeader(300, 200))).toEqual({ contentType: "image/webp", width: 300, height: 200 });
  });

  it("refuses SVG, HTML, text, empty and truncated answers", () => {
    const text = (s: string) => new TextEncoder().encode(s);
    expect(sniffImage(text('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'))).toBeNull();
    expect(sniffImage(text("<!doctype html><p>not an image</p>"))).toBeNull();
    expect(sniffImage(text('{"error":"quota"}'))).toBeNull();
    expect(sniffImage(new Uint8Array())).toBeNull();
    expect(sniffImage(samplePng().subarray(0, 20))).toBeNull();
    expect(sniffImage(pngHeader(0, 10))).toBeNull();
  });

  it("checkImage refuses what is not an image, over the byte limit or over the pixel limit (GEN_BAD_IMAGE)", () => {
    expect(checkImage(samplePng())).toMatchObject({ contentType: "image/png", width: 768 });
    const svg = new TextEncoder().encode("<svg/>");
    expect(() => checkImage(svg)).toThrow(expect.objectContaining({ code: "GEN_BAD_IMAGE", retriable: false }));
    const huge = new Uint8Array(imageLimits.maxBytes + 1);
    huge.set(samplePng());
    expect(() => checkImage(huge)).toThrow(expect.objectContaining({ code: "GEN_BAD_IMAGE" }));
    expect(() => checkImage(pngHeader(5000, 5000))).toThrow(/pixels/);
    expect(() => checkImage(pngHeader(4096, 4096))).not.toThrow();
  });
});
