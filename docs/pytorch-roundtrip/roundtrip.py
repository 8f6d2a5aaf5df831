# Round trip through PyTorch 1.13 without the safetensors package: the format is 8 bytes of header length,
# a JSON header, then raw little-endian tensors.
import json, struct, sys, numpy as np, torch
from torch import nn

def load_file(path):
    raw = open(path, "rb").read()
    n = struct.unpack("<Q", raw[:8])[0]
    header = json.loads(raw[8:8 + n])
    data = raw[8 + n:]
    out = {}
    for k, v in header.items():
        if k == "__metadata__":
            continue
        b, e = v["data_offsets"]
        dt = {"F32": np.float32, "F64": np.float64}[v["dtype"]]
        out[k] = torch.from_numpy(np.frombuffer(data[b:e], dtype=dt).reshape(v["shape"]).copy())
    return out

def save_file(tensors, path):
    header, blobs, off = {"__metadata__": {"format": "pt"}}, [], 0
    for k, t in tensors.items():
        a = t.detach().contiguous().numpy()
        blobs.append(a.tobytes())
        header[k] = {"dtype": {np.dtype("float32"): "F32", np.dtype("float64"): "F64"}[a.dtype], "shape": list(a.shape),
                     "data_offsets": [off, off + a.nbytes]}
        off += a.nbytes
    h = json.dumps(header).encode()
    h += b" " * ((8 - len(h) % 8) % 8)
    open(path, "wb").write(struct.pack("<Q", len(h)) + h + b"".join(blobs))

# simdnet's CourseModels.lenet5(batchNorm=true) written as PyTorch's nn.Sequential
net = nn.Sequential(
    nn.Conv2d(1, 6, 5, padding=2), nn.BatchNorm2d(6), nn.ReLU(), nn.MaxPool2d(2),
    nn.Conv2d(6, 16, 5), nn.BatchNorm2d(16), nn.ReLU(), nn.MaxPool2d(2),
    nn.Conv2d(16, 120, 5), nn.BatchNorm2d(120), nn.ReLU(), nn.Flatten(),
    nn.Linear(120, 84), nn.ReLU(), nn.Linear(84, 10))
print(net.load_state_dict(load_file("lenet_bn.safetensors"), strict=True))
net.eval()
x = torch.from_numpy(np.load("x.npy"))
y = net(x).detach().numpy()
ours = np.load("y_simdnet.npy")
print("simdnet -> PyTorch: max |difference| of outputs", np.abs(y - ours).max())
# and back: perturb the weights in PyTorch, save its state_dict (num_batches_tracked dropped: int64)
with torch.no_grad():
    for p in net.parameters():
        p.add_(0.01 * torch.randn_like(p))
save_file({k: v for k, v in net.state_dict().items() if not k.endswith("num_batches_tracked")}, "from_torch.safetensors")
np.save("y_torch_perturbed.npy", net(x).detach().numpy())
