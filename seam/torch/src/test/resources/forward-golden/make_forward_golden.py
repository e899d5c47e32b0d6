#!/usr/bin/python3
"""Writes forward_golden.safetensors: a tiny SEAM network's weights, an input, and what PyTorch computes from them.

The forward below is written from SEAM-METHOD.md (sections 1.1-1.4) with torch.nn.functional, independently of the
Java code; SeamNetworkGoldenTest loads the same weights into SeamNetwork and must reproduce the outputs.

Run with Debian's interpreter (torch 1.13, numpy), from this folder:

    /usr/bin/python3 make_forward_golden.py

Network: the small ResNet-38 with width 1/64 and one unit per stage (every layer 8 channels except b5 16, b6 32,
b7 64), 3 foreground classes + background, all BatchNorms with random running statistics and affine parameters,
evaluation mode (no dropout, running statistics). Input: 2 x 3 x 27 x 21 (odd sizes: h = ceil(H/8)).
Tensors written: every weight under its Java name, "input", and the expected "cam", "cam_rv", "cam_low".
"""
import json
import os
import struct

import numpy as np
import torch
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
rng = np.random.default_rng(20261124)
W = {}


def conv_w(name, out_c, in_c, k):
    W[name] = rng.normal(0.0, np.sqrt(2.0 / (in_c * k * k)), size=(out_c, in_c, k, k)).astype(np.float32)


def bn(name, c):
    W[name + ".weight"] = rng.uniform(0.5, 1.5, c).astype(np.float32)
    W[name + ".bias"] = rng.normal(0.0, 0.2, c).astype(np.float32)
    W[name + ".running_mean"] = rng.normal(0.0, 0.3, c).astype(np.float32)
    W[name + ".running_var"] = rng.uniform(0.5, 2.0, c).astype(np.float32)


# (name, kind, in, mid, out, stride, first dilation, dilation)
UNITS = [("b2", "basic", 8, 8, 8, 2, 1, 1), ("b3", "basic", 8, 8, 8, 2, 1, 1), ("b4", "basic", 8, 8, 8, 2, 1, 1),
         ("b5", "basic", 8, 8, 16, 1, 1, 2), ("b6", "bottleneck", 16, None, 32, 1, 4, 4),
         ("b7", "bottleneck", 32, None, 64, 1, 4, 4)]
CLASSES = 4  # background + 3

conv_w("conv1a.weight", 8, 3, 3)
for name, kind, cin, mid, cout, stride, d1, d in UNITS:
    bn(name + ".bn_branch2a", cin)
    if kind == "basic":
        conv_w(name + ".conv_branch2a.weight", mid, cin, 3)
        bn(name + ".bn_branch2b1", mid)
        conv_w(name + ".conv_branch2b1.weight", cout, mid, 3)
        if cin != cout or stride != 1:
            conv_w(name + ".conv_branch1.weight", cout, cin, 1)
    else:
        conv_w(name + ".conv_branch2a.weight", cout // 4, cin, 1)
        bn(name + ".bn_branch2b1", cout // 4)
        conv_w(name + ".conv_branch2b1.weight", cout // 2, cout // 4, 3)
        bn(name + ".bn_branch2b2", cout // 2)
        conv_w(name + ".conv_branch2b2.weight", cout, cout // 2, 1)
        conv_w(name + ".conv_branch1.weight", cout, cin, 1)
bn("bn7", 64)
conv_w("fc8.weight", CLASSES, 64, 1)
conv_w("f8_3.weight", 8, 8, 1)
conv_w("f8_4.weight", 8, 16, 1)
conv_w("f9.weight", 8, 3 + 8 + 8, 1)
x_np = rng.normal(0.0, 1.0, size=(2, 3, 27, 21)).astype(np.float32)

T = {k: torch.from_numpy(v).double() for k, v in W.items()}  # double: the golden is exact to float rounding


def bn_relu(x, name):
    y = F.batch_norm(x, T[name + ".running_mean"], T[name + ".running_var"], T[name + ".weight"], T[name + ".bias"],
                     training=False, eps=1e-5)
    return F.relu(y)


def conv(x, name, stride=1, dilation=1):
    w = T[name]
    k = w.shape[-1]
    pad = dilation * (k // 2)
    return F.conv2d(x, w, stride=stride, padding=pad, dilation=dilation)


def forward(x):
    H, Wd = x.shape[2:]
    h = conv(x, "conv1a.weight")
    taps = {}
    for name, kind, cin, mid, cout, stride, d1, d in UNITS:
        a = bn_relu(h, name + ".bn_branch2a")  # pre-activation feeds both branches
        taps[name] = a
        if kind == "basic":
            r = conv(a, name + ".conv_branch2a.weight", stride, d1)
            r = conv(bn_relu(r, name + ".bn_branch2b1"), name + ".conv_branch2b1.weight", 1, d)
            sc = conv(a, name + ".conv_branch1.weight", stride) if (cin != cout or stride != 1) else h
        else:
            sc = conv(a, name + ".conv_branch1.weight", stride)
            r = conv(a, name + ".conv_branch2a.weight", stride)
            r = conv(bn_relu(r, name + ".bn_branch2b1"), name + ".conv_branch2b1.weight", 1, d)
            r = conv(bn_relu(r, name + ".bn_branch2b2"), name + ".conv_branch2b2.weight")
        h = sc + r
    conv4, conv5, conv6 = taps["b5"], taps["b6"], bn_relu(h, "bn7")
    cam_low = conv(conv6, "fc8.weight")
    n, k, hh, ww = cam_low.shape
    # PCM input (1.3 step 2): max-normalised ReLU'd CAM, background = 1 - max fg, non-maximal fg zeroed.
    c = F.relu(cam_low)
    m = c.reshape(n, k, -1).max(-1)[0].reshape(n, k, 1, 1) + 1e-5
    ch = F.relu(c - 1e-5) / m
    fg = ch[:, 1:]
    fg_max = fg.max(1, keepdim=True)[0]
    fg = torch.where(fg < fg_max, torch.zeros_like(fg), fg)
    ch = torch.cat([1 - fg_max, fg], 1)
    f = torch.cat([F.interpolate(x, (hh, ww), mode="bilinear", align_corners=True),
                   F.relu(conv(conv4, "f8_3.weight")), F.relu(conv(conv5, "f8_4.weight"))], 1)
    e = conv(f, "f9.weight").reshape(n, -1, hh * ww)
    e = e / (e.norm(dim=1, keepdim=True) + 1e-5)
    aff = F.relu(torch.bmm(e.transpose(1, 2), e))
    aff = aff / (aff.sum(1, keepdim=True) + 1e-5)  # columns sum to 1
    rv = torch.bmm(ch.reshape(n, k, -1), aff).reshape(n, k, hh, ww)
    cam = F.interpolate(cam_low, (H, Wd), mode="bilinear", align_corners=True)
    cam_rv = F.interpolate(rv, (H, Wd), mode="bilinear", align_corners=True)
    return cam, cam_rv, cam_low


with torch.no_grad():
    cam, cam_rv, cam_low = forward(torch.from_numpy(x_np).double())
assert cam_low.shape == (2, CLASSES, 4, 3), cam_low.shape
out = dict(W)
out["input"] = x_np
out["cam"] = cam.float().numpy()
out["cam_rv"] = cam_rv.float().numpy()
out["cam_low"] = cam_low.float().numpy()

# safetensors: 8-byte little-endian header length, JSON header, raw little-endian data.
header, blobs, offset = {}, [], 0
for name in sorted(out):
    a = np.ascontiguousarray(out[name], dtype="<f4")
    header[name] = {"dtype": "F32", "shape": list(a.shape), "data_offsets": [offset, offset + a.nbytes]}
    blobs.append(a.tobytes())
    offset += a.nbytes
header["__metadata__"] = {"made_by": "make_forward_golden.py", "torch": torch.__version__}
hb = json.dumps(header, separators=(",", ":")).encode()
hb += b" " * ((8 - len(hb) % 8) % 8)
with open(os.path.join(HERE, "forward_golden.safetensors"), "wb") as fh:
    fh.write(struct.pack("<Q", len(hb)) + hb + b"".join(blobs))
print("wrote", len(out), "tensors,", offset, "bytes of data")
