#!/usr/bin/python3
"""Writes the weight-import fixtures: one small SEAM network saved the ways users hold real weights, and the CAMs
that PyTorch computes with it. WeightImportTest loads each file through the Java readers and name mapping into
SeamNetwork and must reproduce these CAMs.

Run with Debian's interpreter (torch 1.13, numpy), from this folder:

    /usr/bin/python3 make_fixtures.py

Network: ResNet-38 at width 1/128 (every layer 8 channels except b6 16 and b7 32) with 2, 1, 2 and 2 units in
stages b2..b5 (so the unit names b2_1, b4_1, b5_1 occur), 3 foreground classes + background, BatchNorms with random
running statistics and affine parameters. The state dict comes from nn.Modules built with the reference's module
names (resnet38d.Net + resnet38_SEAM.Net), so its keys, order and BatchNorm num_batches_tracked entries are what
torch.save of the reference network writes.

Files:
  seam_legacy.pth       torch.save(state_dict, _use_new_zipfile_serialization=False): the pre-1.6 format
  seam_zip.pth          torch.save of nn.DataParallel(net).state_dict(): zip format, keys prefixed "module."
  seam.safetensors      the state dict without num_batches_tracked, written by hand (8-byte header length, JSON, data)
  imagenet.params       the backbone under the ImageNet ResNet-38's MXNet names (arg:res2a_branch2a_weight,
                        arg:bn2a_branch2a_gamma, aux:bn2a_branch2a_moving_mean, ..., arg:bn7_beta, and a small
                        linear1000 classifier that the import drops), as an NDArray list written by hand from
                        MXNet's format (no mxnet package needed); arrays alternate between the V2 (0xF993FAC9),
                        V1 (0xF993FAC8) and original (32-bit dims) array forms, which the reader must all handle
  expected.safetensors  "input" (2x3x19x13) and the PyTorch outputs "cam", "cam_rv", "cam_low" (evaluation mode)
"""
import collections
import json
import os
import struct

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
rng = np.random.default_rng(20261205)
CLASSES = 4  # background + 3

# (name, kind, in, mid, out, stride, first dilation, dilation): the Java BackboneConfig(1/128, 2, 1, 2, 2) units;
# at this width b5 keeps its channels, so like the reference's same-shape units it has no conv_branch1.
UNITS = [("b2", "basic", 8, 8, 8, 2, 1, 1), ("b2_1", "basic", 8, 8, 8, 1, 1, 1),
         ("b3", "basic", 8, 8, 8, 2, 1, 1),
         ("b4", "basic", 8, 8, 8, 2, 1, 1), ("b4_1", "basic", 8, 8, 8, 1, 1, 1),
         ("b5", "basic", 8, 8, 8, 1, 1, 2), ("b5_1", "basic", 8, 8, 8, 1, 2, 2),
         ("b6", "bottleneck", 8, None, 16, 1, 4, 4), ("b7", "bottleneck", 16, None, 32, 1, 4, 4)]
FEAT = 32


class ResBlock(nn.Module):  # the reference's module and attribute names; forward is functional below
    def __init__(self, cin, mid, cout, stride):
        super().__init__()
        self.bn_branch2a = nn.BatchNorm2d(cin)
        self.conv_branch2a = nn.Conv2d(cin, mid, 3, stride, bias=False)
        self.bn_branch2b1 = nn.BatchNorm2d(mid)
        self.conv_branch2b1 = nn.Conv2d(mid, cout, 3, bias=False)
        if not (cin == cout and stride == 1):
            self.conv_branch1 = nn.Conv2d(cin, cout, 1, stride, bias=False)


class ResBlockBot(nn.Module):
    def __init__(self, cin, cout):
        super().__init__()
        self.bn_branch2a = nn.BatchNorm2d(cin)
        self.conv_branch2a = nn.Conv2d(cin, cout // 4, 1, bias=False)
        self.bn_branch2b1 = nn.BatchNorm2d(cout // 4)
        self.conv_branch2b1 = nn.Conv2d(cout // 4, cout // 2, 3, bias=False)
        self.bn_branch2b2 = nn.BatchNorm2d(cout // 2)
        self.conv_branch2b2 = nn.Conv2d(cout // 2, cout, 1, bias=False)
        self.conv_branch1 = nn.Conv2d(cin, cout, 1, bias=False)


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1a = nn.Conv2d(3, 8, 3, bias=False)
        for name, kind, cin, mid, cout, stride, _, _ in UNITS:
            setattr(self, name, ResBlock(cin, mid, cout, stride) if kind == "basic" else ResBlockBot(cin, cout))
        self.bn7 = nn.BatchNorm2d(FEAT)
        self.fc8 = nn.Conv2d(FEAT, CLASSES, 1, bias=False)
        self.f8_3 = nn.Conv2d(8, 8, 1, bias=False)
        self.f8_4 = nn.Conv2d(8, 8, 1, bias=False)
        self.f9 = nn.Conv2d(3 + 8 + 8, 8, 1, bias=False)


net = Net()
with torch.no_grad():
    for key, t in net.state_dict().items():
        if key.endswith("num_batches_tracked"):
            t.fill_(int(rng.integers(1, 1000)))
        elif key.endswith("running_mean"):
            t.copy_(torch.from_numpy(rng.normal(0.0, 0.3, t.shape).astype(np.float32)))
        elif key.endswith("running_var"):
            t.copy_(torch.from_numpy(rng.uniform(0.5, 2.0, t.shape).astype(np.float32)))
        elif key.endswith("bias"):
            t.copy_(torch.from_numpy(rng.normal(0.0, 0.2, t.shape).astype(np.float32)))
        elif t.dim() == 1:  # BatchNorm gamma
            t.copy_(torch.from_numpy(rng.uniform(0.5, 1.5, t.shape).astype(np.float32)))
        else:  # convolution: He normal
            fan_in = t.shape[1] * t.shape[2] * t.shape[3]
            t.copy_(torch.from_numpy(rng.normal(0.0, np.sqrt(2.0 / fan_in), t.shape).astype(np.float32)))
sd = net.state_dict()
T = {k: v.double() for k, v in sd.items() if not k.endswith("num_batches_tracked")}


def bn_relu(x, name):
    return F.relu(F.batch_norm(x, T[name + ".running_mean"], T[name + ".running_var"], T[name + ".weight"],
                               T[name + ".bias"], training=False, eps=1e-5))


def conv(x, name, stride=1, dilation=1):
    w = T[name]
    return F.conv2d(x, w, stride=stride, padding=dilation * (w.shape[-1] // 2), dilation=dilation)


def forward(x):
    """The reference forward in evaluation mode (SEAM-METHOD 1.1-1.4), with torch.nn.functional."""
    H, Wd = x.shape[2:]
    h = conv(x, "conv1a.weight")
    taps = {}
    for name, kind, cin, mid, cout, stride, d1, d in UNITS:
        a = bn_relu(h, name + ".bn_branch2a")
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
    aff = aff / (aff.sum(1, keepdim=True) + 1e-5)
    rv = torch.bmm(ch.reshape(n, k, -1), aff).reshape(n, k, hh, ww)
    cam = F.interpolate(cam_low, (H, Wd), mode="bilinear", align_corners=True)
    cam_rv = F.interpolate(rv, (H, Wd), mode="bilinear", align_corners=True)
    return cam, cam_rv, cam_low


def write_safetensors(path, tensors, meta):
    header, blobs, offset = {}, [], 0
    for name, a in tensors.items():
        a = np.ascontiguousarray(a, dtype="<f4")
        header[name] = {"dtype": "F32", "shape": list(a.shape), "data_offsets": [offset, offset + a.nbytes]}
        blobs.append(a.tobytes())
        offset += a.nbytes
    header["__metadata__"] = meta
    hb = json.dumps(header, separators=(",", ":")).encode()
    hb += b" " * ((8 - len(hb) % 8) % 8)
    with open(path, "wb") as fh:
        fh.write(struct.pack("<Q", len(hb)) + hb + b"".join(blobs))


def mxnet_name(key):
    """The ImageNet ResNet-38's MXNet name of a reference backbone key (the inverse of convert_mxnet_to_torch)."""
    bn_suffix = {"weight": "gamma", "bias": "beta", "running_mean": "moving_mean", "running_var": "moving_var"}
    parts = key.split(".")
    if key == "conv1a.weight":
        return "arg:conv1a_weight"
    if parts[0] == "bn7":
        return ("aux:" if parts[1].startswith("running") else "arg:") + "bn7_" + bn_suffix[parts[1]]
    unit, layer, param = parts
    stage, _, index = unit[1:].partition("_")
    unit_tag = stage + ("b" + index if index else "a")
    kind, branch = layer.split("_", 1)
    if kind == "conv":
        return "arg:res" + unit_tag + "_" + branch + "_weight"
    return ("aux:" if param.startswith("running") else "arg:") + "bn" + unit_tag + "_" + branch + "_" + bn_suffix[param]


def write_params(path, arrays):
    """mx.nd.save: list magic 0x112, reserved 0, count + arrays, count + (length, bytes) names."""
    out = [struct.pack("<QQQ", 0x112, 0, len(arrays))]
    for i, (name, a) in enumerate(arrays):
        a = np.ascontiguousarray(a, dtype="<f4")
        form = i % 3
        if form == 0:  # V2: magic, storage type 0 (dense), int32 ndim, int64 dims
            out.append(struct.pack("<Ii", 0xF993FAC9, 0) + struct.pack("<i", a.ndim) + struct.pack("<%dq" % a.ndim, *a.shape))
        elif form == 1:  # V1: magic, int32 ndim, int64 dims
            out.append(struct.pack("<I", 0xF993FAC8) + struct.pack("<i", a.ndim) + struct.pack("<%dq" % a.ndim, *a.shape))
        else:  # original: uint32 ndim, uint32 dims
            out.append(struct.pack("<I", a.ndim) + struct.pack("<%dI" % a.ndim, *a.shape))
        out.append(struct.pack("<iii", 1, 0, 0))  # context cpu(0), type flag 0 = float32
        out.append(a.tobytes())
    out.append(struct.pack("<Q", len(arrays)))
    for name, _ in arrays:
        b = name.encode()
        out.append(struct.pack("<Q", len(b)) + b)
    with open(path, "wb") as fh:
        fh.write(b"".join(out))


x_np = rng.normal(0.0, 1.0, size=(2, 3, 19, 13)).astype(np.float32)
with torch.no_grad():
    cam, cam_rv, cam_low = forward(torch.from_numpy(x_np).double())
assert cam_low.shape == (2, CLASSES, 3, 2), cam_low.shape

torch.save(sd, os.path.join(HERE, "seam_legacy.pth"), _use_new_zipfile_serialization=False)
torch.save(nn.DataParallel(net).state_dict(), os.path.join(HERE, "seam_zip.pth"))
write_safetensors(os.path.join(HERE, "seam.safetensors"), {k: v.numpy() for k, v in T.items()},
                  {"made_by": "make_fixtures.py"})
heads = ("fc8.", "f8_3.", "f8_4.", "f9.")
backbone = [(k, v.float().numpy()) for k, v in T.items() if not k.startswith(heads)]
args = [(mxnet_name(k), v) for k, v in backbone if mxnet_name(k).startswith("arg:")]
aux = [(mxnet_name(k), v) for k, v in backbone if mxnet_name(k).startswith("aux:")]
linear = [("arg:linear1000_weight", rng.normal(0, 0.1, (10, FEAT)).astype(np.float32)),
          ("arg:linear1000_bias", np.zeros(10, np.float32))]
write_params(os.path.join(HERE, "imagenet.params"), args + linear + aux)
write_safetensors(os.path.join(HERE, "expected.safetensors"),
                  {"input": x_np, "cam": cam.float().numpy(), "cam_rv": cam_rv.float().numpy(),
                   "cam_low": cam_low.float().numpy()},
                  {"made_by": "make_fixtures.py", "torch": torch.__version__})
for f in sorted(os.listdir(HERE)):
    print(f, os.path.getsize(os.path.join(HERE, f)))
