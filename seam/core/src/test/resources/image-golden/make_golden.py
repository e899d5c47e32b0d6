#!/usr/bin/python3
"""Writes the golden files that pin seam-core's image code to the reference pipeline's libraries.

Run with Debian's interpreter (PIL 9.4, torch 1.13, numpy 1.24), from this folder:

    /usr/bin/python3 make_golden.py

Inputs are not stored: they come from integer formulas that the Java tests repeat exactly (GoldenInputs.java).
Outputs:
  bicubic_<inW>x<inH>_to_<outW>x<outH>.rgb   PIL Image.resize(BICUBIC) of pattern(inW, inH), interleaved RGB bytes
  jitter_<op>_<factor>.rgb                   PIL ImageEnhance / torchvision-0.x adjust_hue of pattern(16, 12)
  bilinear_<C>x<inH>x<inW>_to_<outH>x<outW>_<ac|nac>.f32
                                             torch F.interpolate(mode='bilinear') of ramp(C, inH, inW),
                                             little-endian float32, C x outH x outW
  augment_plan<N>.f32                        the reference's training transform with fixed draws (see PLANS),
                                             little-endian float32, 3 x crop x crop
  decode_<name>.jpg / decode_<name>.rgb      a JPEG written by PIL and PIL's Image.open(f).convert("RGB") of it
"""
import io
import os

import numpy as np
import PIL
import torch
import torch.nn.functional as F
from PIL import Image, ImageEnhance

assert PIL.__version__ == "9.4.0", PIL.__version__

HERE = os.path.dirname(os.path.abspath(__file__))


def pattern(w, h):
    """An RGB test image mixing a hard checkerboard (red), a smooth ramp (green) and hashed noise (blue),
    plus some grey pixels (the first row), so that resampling overshoots and every HSV branch is exercised."""
    data = bytearray(3 * w * h)
    for y in range(h):
        for x in range(w):
            r = 255 if ((x // 3) + (y // 2)) % 2 == 0 else 0
            g = (x * 255 // max(1, w - 1) + y * 7) % 256
            b = (x * x * 7 + y * y * 3 + x * y * 5 + ((x * 13 + y * 29) % 11) * 23) % 256
            if y == 0:
                r = g = b = (x * 37) % 256
            i = 3 * (y * w + x)
            data[i], data[i + 1], data[i + 2] = r, g, b
    return Image.frombytes("RGB", (w, h), bytes(data))


def ramp(c, h, w):
    """A float32 C x H x W tensor from an integer formula (computed in double, then rounded to float32)."""
    a = np.empty((c, h, w), dtype=np.float64)
    for k in range(c):
        for y in range(h):
            for x in range(w):
                a[k, y, x] = ((k * 131 + y * 31 + x * 17 + x * y) % 97) / 97.0 - 0.5
    return torch.from_numpy(a.astype(np.float32)).unsqueeze(0)


def write(name, payload):
    with open(os.path.join(HERE, name), "wb") as f:
        f.write(payload)


def f32(array):
    a = np.ascontiguousarray(np.asarray(array, dtype="<f4"))
    return a.tobytes()


# --- bicubic: PIL Image.resize(size, Image.BICUBIC), reducing_gap=None (the reference's RandomResizeLong) ---
BICUBIC_CASES = [
    ((23, 17), (11, 7)),
    ((23, 17), (5, 3)),
    ((23, 17), (41, 29)),
    ((23, 17), (30, 9)),
    ((23, 17), (1, 1)),
    ((23, 17), (23, 9)),
    ((23, 17), (15, 17)),
    ((97, 131), (13, 17)),
    ((5, 7), (12, 9)),
]
for (iw, ih), (ow, oh) in BICUBIC_CASES:
    out = pattern(iw, ih).resize((ow, oh), Image.BICUBIC)
    write(f"bicubic_{iw}x{ih}_to_{ow}x{oh}.rgb", out.tobytes())


# --- colour jitter ops, torchvision 0.2-0.4 functional on PIL images ---
def adjust_hue(img, hue_factor):
    """torchvision.transforms.functional.adjust_hue of the PIL era (torchvision is not installed here)."""
    assert -0.5 <= hue_factor <= 0.5
    h, s, v = img.convert("HSV").split()
    np_h = np.array(h, dtype=np.uint8)
    with np.errstate(over="ignore"):
        np_h += np.uint8(hue_factor * 255)
    h = Image.fromarray(np_h, "L")
    return Image.merge("HSV", (h, s, v)).convert(img.mode)


JITTER_OPS = {
    "brightness": lambda im, f: ImageEnhance.Brightness(im).enhance(f),
    "contrast": lambda im, f: ImageEnhance.Contrast(im).enhance(f),
    "saturation": lambda im, f: ImageEnhance.Color(im).enhance(f),
    "hue": adjust_hue,
}
JITTER_CASES = [
    ("brightness", 0.7), ("brightness", 1.3), ("brightness", 0.0),
    ("contrast", 0.7), ("contrast", 1.3),
    ("saturation", 0.7), ("saturation", 1.3),
    ("hue", -0.1), ("hue", 0.07), ("hue", 0.0),
]
for op, factor in JITTER_CASES:
    write(f"jitter_{op}_{factor}.rgb", JITTER_OPS[op](pattern(16, 12), factor).tobytes())


# --- bilinear: torch.nn.functional.interpolate(size=..., mode='bilinear') ---
BILINEAR_CASES = [
    (2, 97, 131, 13, 17),
    (2, 5, 7, 12, 9),
    (1, 5, 7, 1, 1),
    (1, 5, 7, 1, 4),
    (3, 3, 4, 8, 10),
    (1, 6, 6, 6, 6),
    (1, 1, 5, 3, 9),
]
for c, ih, iw, oh, ow in BILINEAR_CASES:
    for ac in (True, False):
        out = F.interpolate(ramp(c, ih, iw), size=(oh, ow), mode="bilinear", align_corners=ac)
        tag = "ac" if ac else "nac"
        write(f"bilinear_{c}x{ih}x{iw}_to_{oh}x{ow}_{tag}.f32", f32(out[0].numpy()))


# --- the reference training transform with fixed draws ---
MEAN = (0.485, 0.456, 0.406)
STD = (0.229, 0.224, 0.225)


def reference_transform(img, target_long, flip, jitter, crop, img_left, img_top, cont_left, cont_top):
    """imutils.RandomResizeLong, RandomHorizontalFlip, ColorJitter (ops in the given order), Normalize,
    imutils.RandomCrop, HWC_to_CHW, with every random draw given."""
    w, h = img.size
    if w < h:
        shape = (int(round(w * target_long / h)), target_long)
    else:
        shape = (target_long, int(round(h * target_long / w)))
    img = img.resize(shape, resample=Image.BICUBIC)
    if flip:
        img = img.transpose(Image.FLIP_LEFT_RIGHT)
    for op, factor in jitter:
        img = JITTER_OPS[op](img, factor)
    arr = np.asarray(img)
    norm = np.empty_like(arr, np.float32)
    for k in range(3):
        norm[..., k] = (arr[..., k] / 255. - MEAN[k]) / STD[k]
    h, w, _ = norm.shape
    ch, cw = min(crop, h), min(crop, w)
    container = np.zeros((crop, crop, 3), np.float32)
    container[cont_top:cont_top + ch, cont_left:cont_left + cw] = \
        norm[img_top:img_top + ch, img_left:img_left + cw]
    return np.transpose(container, (2, 0, 1))


# (source w, h, target_long, flip, [(op, factor) in application order], crop, img_left, img_top, cont_left, cont_top)
PLANS = [
    (23, 17, 26, True, [("hue", 0.0625), ("contrast", 1.2), ("brightness", 0.8), ("saturation", 1.1)],
     20, 4, 0, 0, 1),
    (17, 23, 31, False, [("saturation", 0.75), ("brightness", 1.25), ("hue", -0.09), ("contrast", 0.9)],
     24, 0, 5, 1, 0),
]
for n, (w, h, tl, flip, jitter, crop, il, it, cl, ct) in enumerate(PLANS):
    write(f"augment_plan{n}.f32", f32(reference_transform(pattern(w, h), tl, flip, jitter, crop, il, it, cl, ct)))

# --- JPEG decoding: files written by PIL, with PIL's RGB decode of each ---
def cmyk_pattern(w, h):
    im = Image.new("CMYK", (w, h))
    for y in range(h):
        for x in range(w):
            im.putpixel((x, y), ((x * 30) % 256, (y * 40) % 256, 100, (20 + x * 5) % 256))
    return im


for name, im, options in [
    ("rgb_q90", pattern(23, 17), {"quality": 90}),  # 4:2:0 chroma subsampling, PIL's default
    ("cmyk_q95", cmyk_pattern(8, 6), {"quality": 95}),  # Adobe APP14, inverted CMYK, as Photoshop writes
]:
    buf = io.BytesIO()
    im.save(buf, "JPEG", **options)
    write(f"decode_{name}.jpg", buf.getvalue())
    write(f"decode_{name}.rgb", Image.open(io.BytesIO(buf.getvalue())).convert("RGB").tobytes())

print("golden files written to", HERE)
