"""The quick mode's loss kernels written the way the peer libraries compute them in PyTorch, timed the same way.

Reads a workload written by the benchmark project (`--dump-workload DIR`: the seeded float32 logits [8,21,256,256],
confident logits and labels, and SegML's loss values on them), runs each kernel forward and backward with autograd
(plain PyTorch code following smp's, MONAI's and the Lovász reference's formulas, written here; none of those
packages is needed, and SciPy's `distance_transform_edt` where MONAI and Kervadec's code call it), and prints one
JSON line per kernel: the median ms over about `--seconds` of repeated calls (at least three, after up to five
warm-up calls), Mpixel/s, PyTorch's loss value, SegML's and their relative difference (the same value: the same loss).

Needs numpy, SciPy and PyTorch (Debian: `apt-get install python3-torch python3-scipy`, PyTorch 1.13.1). Threads:
`--threads` (default: every core, as SegML uses); `ATEN_CPU_CAPABILITY=default|avx2` picks PyTorch's kernel tier.
"""

import argparse
import json
import os
import statistics
import sys
import time

import numpy as np
import scipy.ndimage
import torch
import torch.nn.functional as F


def load(directory):
    with open(os.path.join(directory, "workload.json"), encoding="utf-8") as f:
        meta = json.load(f)
    n, c, h, w = meta["shape"]
    logits = torch.from_numpy(np.fromfile(os.path.join(directory, "logits.f32"), dtype="<f4").reshape(n, c, h, w))
    confident = torch.from_numpy(np.fromfile(os.path.join(directory, "confident.f32"), dtype="<f4").reshape(n, c, h, w))
    labels = torch.from_numpy(np.fromfile(os.path.join(directory, "labels.i32"), dtype="<i4").reshape(n, h, w)).long()
    return meta, logits, confident, labels


# ---- the peers' formulas --------------------------------------------------------------------------------------------

def smp_region_stats(probabilities, one_hot):
    """smp's multiclass statistics: sums over the batch and the pixels (dims (0, 2)) per class."""
    n, c = probabilities.shape[:2]
    p = probabilities.reshape(n, c, -1)
    t = one_hot.reshape(n, c, -1)
    return p, t


def one_hot_of(labels, classes):
    return F.one_hot(labels, classes).permute(0, 3, 1, 2).to(torch.float32)


def smp_dice(x, labels, sigmoid=False):
    """smp's DiceLoss: "multiclass" (softmax), or "multilabel" (sigmoid; MONAI's sigmoid=True) against the one-hot labels."""
    c = x.shape[1]
    p, t = smp_region_stats(x.sigmoid() if sigmoid else x.softmax(dim=1), one_hot_of(labels, c))
    intersection = (p * t).sum(dim=(0, 2))
    cardinality = (p + t).sum(dim=(0, 2))
    score = (2 * intersection) / cardinality.clamp_min(1e-7)
    loss = (1 - score) * (t.sum(dim=(0, 2)) > 0).to(score.dtype)
    return loss.mean()


def smp_tversky(x, labels, alpha=0.3, beta=0.7):
    c = x.shape[1]
    p, t = smp_region_stats(x.softmax(dim=1), one_hot_of(labels, c))
    tp = (p * t).sum(dim=(0, 2))
    fp = (p * (1 - t)).sum(dim=(0, 2))
    fn = ((1 - p) * t).sum(dim=(0, 2))
    score = tp / (tp + alpha * fp + beta * fn).clamp_min(1e-7)
    loss = (1 - score) * (t.sum(dim=(0, 2)) > 0).to(score.dtype)
    return loss.mean()


def smp_mcc(x, labels, eps=1e-5):
    """smp's MCCLoss (binary only: soft counts over the whole batch, each + eps) on the sigmoid of each channel against
    its one-hot channel, averaged over the channels: SegML's MatthewsCorrelationLoss() defaults."""
    c = x.shape[1]
    p, t = smp_region_stats(x.sigmoid(), one_hot_of(labels, c))
    tp = (p * t).sum(dim=(0, 2)) + eps
    tn = ((1 - p) * (1 - t)).sum(dim=(0, 2)) + eps
    fp = (p * (1 - t)).sum(dim=(0, 2)) + eps
    fn = ((1 - p) * t).sum(dim=(0, 2)) + eps
    mcc = (tp * tn - fp * fn) / torch.sqrt((tp + fp) * (tp + fn) * (tn + fp) * (tn + fn))
    return (1 - mcc).mean()


def mmseg_balanced_bce(x, labels):
    """mmseg's BoundaryLoss (PIDNet's boundary head): BCE with logits, a positive pixel weighted by the negatives' share of
    the batch and a negative one by the positives', the mean over every pixel."""
    t = labels[:, None].to(x.dtype)
    positive, negative = t == 1, t == 0
    p, q = positive.sum(), negative.sum()
    weight = torch.zeros_like(x)
    weight[positive] = (q / (p + q)).to(x.dtype)
    weight[negative] = (p / (p + q)).to(x.dtype)
    return F.binary_cross_entropy_with_logits(x, t, weight, reduction="mean")


def monai_unified_focal(x, labels, weight=0.5, gamma=0.5, delta=0.7, eps=1e-7):
    """MONAI 1.5.0's AsymmetricUnifiedFocalLoss on the softmax of two channels (background, foreground) against the
    one-hot labels: its AsymmetricFocalLoss and AsymmetricFocalTverskyLoss, each clamping p to [eps, 1 - eps]."""
    p = x.softmax(dim=1).clamp(eps, 1 - eps)
    t = one_hot_of(labels, 2)
    cross_entropy = -t * torch.log(p)
    back = (1 - delta) * torch.pow(1 - p[:, 0], gamma) * cross_entropy[:, 0]
    fore = delta * cross_entropy[:, 1]
    focal = torch.mean(back + fore)
    tp = (t * p).sum(dim=(2, 3))
    fn = (t * (1 - p)).sum(dim=(2, 3))
    fp = ((1 - t) * p).sum(dim=(2, 3))
    index = (tp + eps) / (tp + delta * fn + (1 - delta) * fp + eps)
    back_dice = 1 - index[:, 0]
    fore_dice = (1 - index[:, 1]) * torch.pow(1 - index[:, 1], -gamma)
    tversky = torch.mean(torch.stack([back_dice, fore_dice], dim=-1))
    return weight * focal + (1 - weight) * tversky


def monai_gwdl(x, labels, smooth=1e-5):
    """MONAI GeneralizedWassersteinDiceLoss(dist_matrix, weighting_mode="default") per image (PR #8744), its gather of the
    C x C matrix expanded over the batch and pixels at the labels; M = |l - k|/(C - 1) (BenchmarkWorkload.OrdinalDistances)."""
    b, c = x.shape[:2]
    probs = x.reshape(b, c, -1).softmax(dim=1)
    target = labels.reshape(b, -1)
    ar = torch.arange(c, dtype=x.dtype)
    m = (ar[:, None] - ar[None, :]).abs() / (c - 1)
    m_extended = m[None, :, :, None].expand(b, c, c, probs.shape[2])
    index = target[:, None, None, :].expand(b, 1, c, target.shape[1])
    wass = (torch.gather(m_extended, 1, index).squeeze(1) * probs).sum(dim=1)  # (B, N): sum_k M[label, k] p_k
    alpha = torch.ones(b, c, dtype=x.dtype)
    alpha[:, 0] = 0
    alpha_at = torch.gather(alpha, 1, target)
    true_pos = (alpha_at * (1 - wass)).sum(dim=1)
    denominator = 2 * true_pos + wass.sum(dim=1)
    return (1 - (2 * true_pos + smooth) / (denominator + smooth)).mean()


def monai_generalized_dice(x, labels, smooth=1e-5):
    """MONAI GeneralizedDiceLoss(softmax=True, to_onehot_y=True): square weights, per image, mean."""
    c = x.shape[1]
    p = x.softmax(dim=1)
    t = one_hot_of(labels, c)
    intersection = (p * t).sum(dim=(2, 3))
    ground = t.sum(dim=(2, 3))
    denominator = ground + p.sum(dim=(2, 3))
    w = 1.0 / (ground * ground)
    infinite = torch.isinf(w)
    w = torch.where(infinite, torch.zeros_like(w), w)
    w = w + infinite.to(w.dtype) * w.max(dim=1, keepdim=True).values
    numerator = 2.0 * (intersection * w).sum(dim=1) + smooth
    denominator = (denominator * w).sum(dim=1) + smooth
    return (1.0 - numerator / denominator).mean()


def sigmoid_focal(x, t, gamma=2.0, alpha=None, reduced_threshold=None):
    """The sigmoid focal terms as smp's focal_loss_with_logits writes them: BCE with logits times (1 − p_t)^γ with
    p_t = exp(−BCE), α-weighted when α is given (torchvision's sigmoid_focal_loss, the same terms from σ(x), took
    1.4× as long here); with a reduced threshold th, ((1 − p_t)/th)^γ, and 1 where p_t < th."""
    bce = F.binary_cross_entropy_with_logits(x, t, reduction="none")
    pt = torch.exp(-bce)
    if reduced_threshold is None:
        focal_term = (1 - pt).pow(gamma)
    else:
        focal_term = ((1 - pt) / reduced_threshold).pow(gamma).masked_fill(pt < reduced_threshold, 1)
    loss = focal_term * bce
    if alpha is not None:
        loss = loss * (alpha * t + (1 - alpha) * (1 - t))
    return loss


def focal_one_vs_rest(x, labels, ignore_index=None, alpha=None, gamma=2.0, reduced_threshold=None):
    """SegML's FocalLoss() on a label map: the sigmoid focal terms of every channel against the one-hot labels, one
    mean over the kept elements (torchvision's reduction="mean"; smp's FocalLoss("multiclass") is C times it, and its
    loop over channels ran 1.4× slower here, so the faster form is the baseline)."""
    keep = None if ignore_index is None else labels != ignore_index
    t = one_hot_of(torch.where(keep, labels, torch.zeros_like(labels)) if keep is not None else labels, x.shape[1])
    loss = sigmoid_focal(x, t, gamma=gamma, alpha=alpha, reduced_threshold=reduced_threshold)
    if keep is None:
        return loss.mean()
    k = keep[:, None].to(x.dtype)
    return (loss * k).sum() / (k.sum() * x.shape[1])


def mmseg_softmax_focal(x, labels, gamma=2.0):
    """Softmax focal loss −Σ_k t_k (1 − p_k)^γ log p_k per pixel, summed over classes and averaged over pixels."""
    log_p = F.log_softmax(x, dim=1)
    t = one_hot_of(labels, x.shape[1])
    return (-(t * (1 - log_p.exp()).pow(gamma) * log_p)).sum(dim=1).mean()


def ohem_cross_entropy(x, labels, ignore_index, thresh=0.7, min_kept=100000):
    """mmseg's OHEMPixelSampler (by target probability, over the batch) and cross-entropy over the kept pixels,
    averaged over them (SegML's OhemCrossEntropyLoss defaults); the selection without gradient, as mmseg's."""
    with torch.no_grad():
        valid = labels != ignore_index
        safe = torch.where(valid, labels, torch.zeros_like(labels))
        prob = F.softmax(x, 1).gather(1, safe.unsqueeze(1)).squeeze(1)
        sorted_prob, _ = prob[valid].sort()
        floor = sorted_prob[min(min_kept, sorted_prob.numel() - 1)]
        kept = valid & (prob < max(float(floor), thresh))
    loss = F.cross_entropy(x, labels, ignore_index=ignore_index, reduction="none")
    return (loss * kept).sum() / kept.sum()


def lovasz_grad(gt_sorted):
    gts = gt_sorted.sum()
    intersection = gts - gt_sorted.cumsum(0)
    union = gts + (1 - gt_sorted).cumsum(0)
    jaccard = 1.0 - intersection / union
    if len(gt_sorted) > 1:
        jaccard[1:] = jaccard[1:] - jaccard[:-1]
    return jaccard


def lovasz_softmax(x, labels):
    """Berman et al.'s lovasz_softmax(probas, labels, classes='present', per_image=False)."""
    c = x.shape[1]
    probabilities = x.softmax(dim=1).permute(0, 2, 3, 1).reshape(-1, c)
    flat = labels.reshape(-1)
    losses = []
    for k in range(c):
        fg = (flat == k).to(probabilities.dtype)
        if fg.sum() == 0:
            continue
        errors = (fg - probabilities[:, k]).abs()
        errors_sorted, perm = torch.sort(errors, 0, descending=True)
        losses.append(torch.dot(errors_sorted, lovasz_grad(fg[perm])))
    return torch.stack(losses).mean()


def lovasz_hinge(x, labels):
    """Berman et al.'s lovasz_hinge(logits, labels, per_image=True) on one channel."""
    losses = []
    for image in range(x.shape[0]):
        logits = x[image].reshape(-1)
        gt = labels[image].reshape(-1).to(logits.dtype)
        errors = 1.0 - logits * (2.0 * gt - 1.0)
        errors_sorted, perm = torch.sort(errors, dim=0, descending=True)
        losses.append(torch.dot(F.relu(errors_sorted), lovasz_grad(gt[perm])))
    return torch.stack(losses).mean()


def soft_erode(img):
    p1 = -F.max_pool2d(-img, (3, 1), (1, 1), (1, 0))
    p2 = -F.max_pool2d(-img, (1, 3), (1, 1), (0, 1))
    return torch.min(p1, p2)


def soft_dilate(img):
    return F.max_pool2d(img, (3, 3), (1, 1), (1, 1))


def soft_open(img):
    return soft_dilate(soft_erode(img))


def soft_skel(img, iterations):
    """MONAI's soft_skel (2-D)."""
    img1 = soft_open(img)
    skel = F.relu(img - img1)
    for _ in range(iterations):
        img = soft_erode(img)
        img1 = soft_open(img)
        delta = F.relu(img - img1)
        skel = skel + F.relu(delta - skel * delta)
    return skel


def monai_cldice(x, labels, iterations=3, smooth=1.0):
    """MONAI SoftclDiceLoss(iter_=3, smooth=1) on the softmax, the background channel left out of the sums."""
    p = x.softmax(dim=1)
    t = one_hot_of(labels, x.shape[1])
    skel_pred = soft_skel(p, iterations)
    skel_true = soft_skel(t, iterations)
    tprec = (torch.sum((skel_pred * t)[:, 1:]) + smooth) / (torch.sum(skel_pred[:, 1:]) + smooth)
    tsens = (torch.sum((skel_true * p)[:, 1:]) + smooth) / (torch.sum(skel_true[:, 1:]) + smooth)
    return 1.0 - 2.0 * (tprec * tsens) / (tprec + tsens)


def monai_distance_field(planes):
    """MONAI HausdorffDTLoss.distance_field per (image, channel): EDT of the mask plus EDT of its complement."""
    masks = planes.numpy() > 0.5
    field = np.zeros(masks.shape, dtype=np.float32)
    for index in np.ndindex(masks.shape[:2]):
        mask = masks[index]
        if mask.any() and not mask.all():
            field[index] = scipy.ndimage.distance_transform_edt(mask) + scipy.ndimage.distance_transform_edt(~mask)
    return torch.from_numpy(field)


def monai_hausdorff_dt(x, labels, alpha=2.0):
    """MONAI HausdorffDTLoss(softmax=True, to_onehot_y=True, include_background=False, batch=False), mean."""
    p = x.softmax(dim=1)[:, 1:]
    t = one_hot_of(labels, x.shape[1])[:, 1:]
    with torch.no_grad():
        distance = monai_distance_field(p.detach()) ** alpha + monai_distance_field(t) ** alpha
    error = (p - t) ** 2 * distance
    return error.mean(dim=(2, 3)).mean()


def kervadec_boundary(x, labels):
    """Kervadec et al.'s SurfaceLoss on the softmax, classes 1..C−1, with one_hot2dist's maps made each call."""
    p = x.softmax(dim=1)
    t = one_hot_of(labels, x.shape[1]).numpy() > 0.5
    maps = np.zeros(t.shape, dtype=np.float32)
    for index in np.ndindex(t.shape[:2]):
        positive = t[index]
        if positive.any():
            negative = ~positive
            maps[index] = (scipy.ndimage.distance_transform_edt(negative) * negative
                           - (scipy.ndimage.distance_transform_edt(positive) - 1) * positive)
    return (p[:, 1:] * torch.from_numpy(maps[:, 1:])).mean()


def argmax_confusion(x, labels):
    c = x.shape[1]
    predicted = x.argmax(dim=1)
    matrix = torch.bincount((labels.reshape(-1) * c + predicted.reshape(-1)), minlength=c * c).reshape(c, c)
    return matrix.diagonal().sum()


# ---- the kernels, by the quick mode's names -------------------------------------------------------------------------

def kernels(logits, confident, labels, ignore_index):
    c = logits.shape[1]
    n, _, h, w = logits.shape
    binary_logits = logits.reshape(-1)[: n * h * w].reshape(n, 1, h, w)  # the benchmark's: the first N·H·W logits
    binary_labels = (labels % 2)
    two_class_logits = logits.reshape(-1)[: n * 2 * h * w].reshape(n, 2, h, w)  # the benchmark's: the first N·2·H·W logits
    masked = labels.clone().reshape(-1)
    masked[7::20] = ignore_index
    masked = masked.reshape(labels.shape)
    one_hot = one_hot_of(labels, c)
    return {
        "cross_entropy": (logits, lambda x: F.cross_entropy(x, labels)),
        "cross_entropy_confident": (confident, lambda x: F.cross_entropy(x, labels)),
        "dice": (logits, lambda x: smp_dice(x, labels)),
        "dice_confident": (confident, lambda x: smp_dice(x, labels)),
        "dice_sigmoid": (logits, lambda x: smp_dice(x, labels, sigmoid=True)),
        "dice_dense": (logits, lambda x: smp_dice(x, labels)),  # smp builds the one-hot targets itself either way
        "focal": (logits, lambda x: focal_one_vs_rest(x, labels)),
        "focal_confident": (confident, lambda x: focal_one_vs_rest(x, labels)),
        "focal_gamma_1_5": (logits, lambda x: focal_one_vs_rest(x, labels, gamma=1.5)),
        "focal_reduced": (logits, lambda x: focal_one_vs_rest(x, labels, reduced_threshold=0.5)),
        "focal_masked": (logits, lambda x: focal_one_vs_rest(x, masked, ignore_index=ignore_index, alpha=0.25)),
        "ohem_masked": (logits, lambda x: ohem_cross_entropy(x, masked, ignore_index)),
        "focal_dense": (logits, lambda x: sigmoid_focal(x, one_hot).mean()),
        "focal_dense_confident": (confident, lambda x: sigmoid_focal(x, one_hot).mean()),
        "focal_dense_gamma_1_5": (logits, lambda x: sigmoid_focal(x, one_hot, gamma=1.5).mean()),
        "focal_softmax": (logits, lambda x: mmseg_softmax_focal(x, labels)),
        "tversky": (logits, lambda x: smp_tversky(x, labels)),
        "generalized_dice": (logits, lambda x: monai_generalized_dice(x, labels)),
        "mcc": (logits, lambda x: smp_mcc(x, labels)),
        "gwdl": (logits, lambda x: monai_gwdl(x, labels)),
        "lovasz_softmax": (logits, lambda x: lovasz_softmax(x, labels)),
        "cldice": (logits, lambda x: monai_cldice(x, labels)),
        "hausdorff_dt": (logits, lambda x: monai_hausdorff_dt(x, labels)),
        "boundary": (logits, lambda x: kervadec_boundary(x, labels)),
        "lovasz_hinge": (binary_logits, lambda x: lovasz_hinge(x, binary_labels)),
        "balanced_bce": (binary_logits, lambda x: mmseg_balanced_bce(x, binary_labels)),
        "unified_focal": (two_class_logits, lambda x: monai_unified_focal(x, binary_labels)),
        "binary_cross_entropy": (binary_logits, lambda x: F.binary_cross_entropy_with_logits(x, binary_labels[:, None].to(x.dtype))),
        "binary_cross_entropy_dense": (logits, lambda x: F.binary_cross_entropy_with_logits(x, one_hot)),
        # pos_weight per channel, 1 + k/4 (BenchmarkWorkload.PositiveWeights), broadcast over H and W
        "binary_cross_entropy_dense_weighted": (logits, lambda x: F.binary_cross_entropy_with_logits(
            x, one_hot, pos_weight=(1 + torch.arange(c, dtype=x.dtype) / 4).reshape(c, 1, 1))),
        "argmax_confusion": (logits, None),
    }


def forward_backward(source, loss_of):
    x = source.detach().requires_grad_(True)
    loss = loss_of(x)
    loss.backward()
    return float(loss)


def time_kernel(run, seconds):
    # Up to five warm-up calls (fewer for kernels of seconds: at least one and 3 s): in a fresh process PyTorch's
    # first calls page-fault their new 44 MB buffers, which made a kernel timed first up to 3× slower than in a
    # training loop's steady state, the figure compared here.
    start = time.perf_counter()
    for _ in range(5):
        run()
        if time.perf_counter() - start > 3:
            break
    times = []
    start = time.perf_counter()
    while len(times) < 3 or (time.perf_counter() - start < seconds and len(times) < 1000):
        t0 = time.perf_counter()
        run()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), len(times)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("directory", help="what --dump-workload wrote")
    parser.add_argument("--kernels", help="comma-separated quick-mode kernel names (default: all)")
    parser.add_argument("--seconds", type=float, default=1.0)
    parser.add_argument("--threads", type=int, default=os.cpu_count())
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    meta, logits, confident, labels = load(args.directory)
    table = kernels(logits, confident, labels, meta["masked_ignore_index"])
    names = args.kernels.split(",") if args.kernels else list(table)
    unknown = [n for n in names if n not in table]
    if unknown:
        sys.exit(f"unknown kernel(s) {', '.join(unknown)}; known: {', '.join(table)}")
    capability = os.environ.get("ATEN_CPU_CAPABILITY", "default_build")
    for name in names:
        source, loss_of = table[name]
        if loss_of is None:
            run = lambda: float(argmax_confusion(source, labels))
        else:
            run = lambda: forward_backward(source, loss_of)
        value = run()
        median, runs = time_kernel(run, args.seconds)
        pixels = source.shape[0] * source.shape[2] * source.shape[3]
        segml = meta["values"].get(name)
        line = {
            "kernel": name, "side": "pytorch", "shape": "[" + ",".join(map(str, source.shape)) + "]", "runs": runs,
            "median_ms": round(median * 1e3, 2), "mpixel_per_s": round(pixels / median / 1e6, 3), "loss": value,
            "segml_loss": segml,
            "relative_difference": None if segml is None else abs(value - segml) / max(abs(segml), 1e-30),
            "torch": torch.__version__, "threads": torch.get_num_threads(), "aten_cpu_capability": capability,
        }
        print(json.dumps(line), flush=True)


if __name__ == "__main__":
    main()
