#!/usr/bin/python3
# Figures from one ntksweep result file: rates, widths, the theta tent, network against kernel.
#
# usage: /usr/bin/python3 jobs/plot.py FILE.h5 [-o DIR] [--dpi N]
#
# Writes into DIR (default: next to FILE, FILE-without-.h5 + "_plots/"):
#   rates.png    mean error against T (log-log) per rate group: replicates, mean, the fitted
#                line over its window, the predicted slope, the plateau, the kernel reference
#   widths.png   mean error against width M at every fixed T, the kernel reference, the plateau
#                eps(M), and M*(T) against T with the fitted q            (when >= 2 widths)
#   tent.png     fitted slope against theta with its interval, beside the predicted tent
#                min(theta, 2r(1-theta))                                    (when >= 2 thetas)
#   kernel.png   network and kernel reference mean curves at every checkpoint, and their ratio
#                                                                           (when the kernel ran)
# Errors are read at the grid horizons T from /curves (a collapsed "anytime" task reports every
# T as a checkpoint; /grid/report_steps lists them). Diverged tasks are left out at every T, as
# in `ntksweep fit`. Fitted lines come from /fits: run
# `ntksweep fit FILE.h5` first (without /fits the data are plotted alone).
# Needs Debian's python3-h5py, python3-numpy and python3-matplotlib (Agg backend, no display).
import argparse
import math
import os
import sys

import matplotlib

matplotlib.use("Agg")
import h5py  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

KEYS = ("source", "activation", "eta", "theta", "lambda_coef", "lambda_power")
MAX_PANELS = 12  # per figure; more groups go to rates_2.png, ...


def fail(message):
    print(f"plot.py: {message}", file=sys.stderr)
    sys.exit(2)


def text(v):
    return v.decode() if isinstance(v, bytes) else str(v)


def read(path):
    """Task table, curves at grid T, and the fit tables of one file."""
    try:
        f = h5py.File(path, "r")
    except OSError as e:
        fail(f"cannot open '{path}' as HDF5: {e}")
    with f:
        if text(f.attrs.get("format", b"")) != "ntksweep results":
            fail(f"'{path}' is not an ntksweep result file (root attribute 'format')")
        for name in ("tasks", "curves/step", "curves/error", "grid/report_steps"):
            if name not in f:
                fail(f"'{path}': dataset or group '/{name}' is missing")
        tasks = {k: f["tasks"][k][()] for k in f["tasks"]}
        tasks["activation"] = np.array([text(a) for a in tasks["activation"]])
        curves = {k: f["curves"][k][()] for k in f["curves"]}
        report = f["grid/report_steps"][()]
        fits = {}
        if "fits" in f:
            def table(g):
                return {k: (np.array([text(x) for x in g[k][()]]) if g[k].dtype.kind in "OS" else g[k][()])
                        for k in g if isinstance(g[k], h5py.Dataset)}
            fits["rates"] = table(f["fits"])
            for sub in ("local", "widths", "mstar", "width_exponent"):
                if sub in f["fits"]:
                    fits[sub] = table(f["fits"][sub])
    return tasks, curves, report, fits


def cells(tasks, curves, report, series="error"):
    """{task row: {T: value}} at the grid horizons of each finished task (diverged tasks left out)."""
    out = {}
    if series not in curves:
        return out
    steps, values = curves["step"], curves[series]
    for i in range(len(tasks["status"])):
        status = tasks["status"][i]
        if status != 1:
            continue
        row = {}
        for t in report[i]:
            if t < 0:
                break
            j = np.nonzero(steps[i] == t)[0]
            if len(j) and np.isfinite(values[i, j[0]]) and values[i, j[0]] > 0:
                row[int(t)] = float(values[i, j[0]])
        out[i] = row
    return out


def groups(tasks, with_width=True):
    """Rows of each group in order of first appearance; key = KEYS (+ width)."""
    keys = KEYS + (("width",) if with_width else ())
    order, members = [], {}
    for i in range(len(tasks["status"])):
        k = tuple(tasks[c][i].item() if hasattr(tasks[c][i], "item") else tasks[c][i] for c in keys)
        if k not in members:
            members[k] = []
            order.append(k)
        members[k].append(i)
    return [(k, members[k]) for k in order]


def means(rows, values):
    """Sorted T, mean over replicates, and the per-replicate values for scatter."""
    per_t = {}
    for i in rows:
        for t, v in values.get(i, {}).items():
            per_t.setdefault(t, []).append(v)
    ts = sorted(per_t)
    return np.array(ts, float), np.array([np.mean(per_t[t]) for t in ts]), per_t


def label(k, with_width=True):
    r, act, eta, theta, c, p = k[:6]
    s = f"r={r:g} {act} η₁={eta:g} θ={theta:.3g}"
    if c:
        s += f" λ={c:g}T^-{p:.3g}" if p else f" λ={c:g}"
    if with_width and len(k) > 6:
        s += f" M={k[6]}"
    return s


def fit_row(fits, k):
    """The /fits row of group key k, as a dict, or None."""
    t = fits.get("rates")
    if not t or "slope" not in t:
        return None
    n = len(t["slope"])
    for j in range(n):
        if (math.isclose(t["source"][j], k[0]) and t["activation"][j] == k[1] and math.isclose(t["eta"][j], k[2])
                and math.isclose(t["theta"][j], k[3]) and math.isclose(t["lambda_coef"][j], k[4])
                and math.isclose(t["lambda_power"][j], k[5]) and (len(k) < 7 or t["width"][j] == k[6])):
            return {c: t[c][j] for c in t}
    return None


def grid(n):
    cols = min(n, 3)
    rows = math.ceil(n / cols)
    fig, axes = plt.subplots(rows, cols, figsize=(5.2 * cols, 4.0 * rows), squeeze=False)
    for a in axes.flat[n:]:
        a.set_visible(False)
    return fig, list(axes.flat[:n])


def save(fig, out, name, written):
    path = os.path.join(out, name)
    fig.tight_layout()
    fig.savefig(path, dpi=ARGS.dpi)
    plt.close(fig)
    written.append(path)


def plot_rates(tasks, net, ker, fits, out, written):
    gs = [(k, rows) for k, rows in groups(tasks) if means(rows, net)[0].size > 0]
    for part in range(0, len(gs), MAX_PANELS):
        chunk = gs[part:part + MAX_PANELS]
        fig, axes = grid(len(chunk))
        for ax, (k, rows) in zip(axes, chunk):
            ts, m, per_t = means(rows, net)
            for t, vs in per_t.items():
                ax.scatter([t] * len(vs), vs, s=8, color="tab:blue", alpha=0.25, linewidths=0)
            ax.plot(ts, m, "o", color="tab:blue", ms=5, label="network (mean)", zorder=4)
            kt, km, _ = means(rows, ker)
            if km.size:
                ax.plot(kt, km, "s--", color="tab:gray", ms=4, lw=1, label="kernel reference")
            fr = fit_row(fits, k)
            if fr is not None and np.isfinite(fr["slope"]):
                t0, t1 = fr["t_min"], fr["t_max"]
                tt = np.geomspace(t0, t1, 20)
                ax.plot(tt, np.exp(fr["log_amplitude"]) * tt ** (-fr["slope"]), "-", color="tab:red", lw=2,
                        label=f"fit {fr['slope']:.3f} [{fr['ci_low']:.3f}, {fr['ci_high']:.3f}]")
                # Predicted slope drawn through the fitted line's middle, over the whole T range.
                tm = math.sqrt(t0 * t1)
                em = math.exp(fr["log_amplitude"]) * tm ** (-fr["slope"])
                tt = np.geomspace(ts[0], ts[-1], 20)
                ax.plot(tt, em * (tt / tm) ** (-fr["predicted"]), ":", color="k", lw=1.5,
                        label=f"predicted slope {fr['predicted']:.3f}")
                if np.isfinite(fr.get("kernel_slope", np.nan)):
                    ax.plot([], [], " ", label=f"kernel slope {fr['kernel_slope']:.3f}")
                # Finite-width error: network − kernel at the largest T when the kernel ran, else the
                # fitted plateau; drawn only when near the data (else it would squash the axis).
                kernel_gap = fr.get("plateau_source", "") == "kernel_gap"
                eps = fr.get("finite_width_gap", np.nan) if kernel_gap else fr["plateau"]
                what = "ε = network − kernel at T_max" if kernel_gap else "fitted plateau ε"
                if eps > 0.2 * m.min():
                    ax.axhline(eps, color="tab:orange", lw=1, ls="-.", label=f"{what} = {eps:.2g}")
                elif eps > 0:
                    ax.plot([], [], " ", label=f"{what} = {eps:.2g} (below the axis)")
                if fr.get("n_plateau_excluded", 0) > 0:
                    ax.plot([], [], " ", label=f"{fr['n_plateau_excluded']} T left out (within a factor of ε)")
                ax.axvspan(t0, t1, color="tab:red", alpha=0.06, lw=0)
            ax.set_xscale("log")
            ax.set_yscale("log")
            ax.set_xlabel("T (samples = steps)")
            ax.set_ylabel("excess risk ‖g − g_ρ‖²")
            ax.set_title(label(k), fontsize=9)
            ax.grid(True, which="both", alpha=0.2)
            ax.legend(fontsize=7, loc="lower left")
        name = "rates.png" if part == 0 else f"rates_{part // MAX_PANELS + 1}.png"
        fig.suptitle("error against T; shaded: fit window", fontsize=10)
        save(fig, out, name, written)


def plot_widths(tasks, net, ker, fits, out, written):
    fams = []
    for k, rows in groups(tasks, with_width=False):
        widths = sorted(set(int(tasks["width"][i]) for i in rows))
        if len(widths) >= 2:
            fams.append((k, rows, widths))
    if not fams:
        return
    fams = fams[:6]
    fig, axes = plt.subplots(len(fams), 2, figsize=(11, 4.2 * len(fams)), squeeze=False)
    for (k, rows, widths), (ax, axm) in zip(fams, axes):
        by_w = {w: [i for i in rows if tasks["width"][i] == w] for w in widths}
        horizons = sorted({t for i in rows for t in net.get(i, {})})
        colors = plt.cm.viridis(np.linspace(0, 0.9, max(len(horizons), 1)))
        for c, t in zip(colors, horizons):
            ms = [np.mean([net[i][t] for i in by_w[w] if t in net.get(i, {})] or [np.nan]) for w in widths]
            ax.plot(widths, ms, "o-", color=c, ms=4, lw=1.2, label=f"T={t}")
            kv = [ker[i][t] for i in rows if t in ker.get(i, {})]
            if kv:
                ax.axhline(np.mean(kv), color=c, ls="--", lw=0.8)
        pw = fits.get("widths")
        if pw is not None:
            sel = [j for j in range(len(pw["width"])) if math.isclose(pw["source"][j], k[0]) and pw["activation"][j] == k[1]
                   and math.isclose(pw["eta"][j], k[2]) and math.isclose(pw["theta"][j], k[3])
                   and math.isclose(pw["lambda_coef"][j], k[4]) and math.isclose(pw["lambda_power"][j], k[5])]
            # ε(M): network − kernel at the largest T when the kernel ran, else the fitted plateau.
            plat, t_last = {}, max(pw["horizon"][j] for j in sel) if sel else None
            gap = "gap" in pw and any(np.isfinite(pw["gap"][j]) for j in sel)
            for j in sel:
                if not gap:
                    plat[int(pw["width"][j])] = pw["plateau"][j]
                elif pw["horizon"][j] == t_last:
                    plat[int(pw["width"][j])] = pw["gap"][j]
            wv = [w for w in widths if w in plat and plat[w] > 0]
            if wv:
                ax.plot(wv, [plat[w] for w in wv], "k^-", ms=6, lw=1.5,
                        label=f"ε(M) = network − kernel, T={int(t_last)}" if gap else "fitted plateau ε(M)")
        ax.set_xscale("log", base=2)
        ax.set_yscale("log")
        ax.set_xlabel("width M")
        ax.set_ylabel("mean excess risk at T")
        ax.set_title(label(k, False) + "\n(dashed: kernel reference at the same T)", fontsize=9)
        ax.grid(True, which="both", alpha=0.2)
        ax.legend(fontsize=7, ncol=2, loc="best")
        ms_t = fits.get("mstar")
        if ms_t is not None:
            sel = [j for j in range(len(ms_t["m_star"])) if math.isclose(ms_t["source"][j], k[0])
                   and ms_t["activation"][j] == k[1] and math.isclose(ms_t["eta"][j], k[2])
                   and math.isclose(ms_t["theta"][j], k[3]) and math.isclose(ms_t["lambda_coef"][j], k[4])
                   and math.isclose(ms_t["lambda_power"][j], k[5])]
            t_ok = [ms_t["horizon"][j] for j in sel if ms_t["censoring"][j] == "none"]
            m_ok = [ms_t["m_star"][j] for j in sel if ms_t["censoring"][j] == "none"]
            t_hi = [ms_t["horizon"][j] for j in sel if ms_t["censoring"][j] == "above_widest"]
            t_lo = [ms_t["horizon"][j] for j in sel if ms_t["censoring"][j] == "at_most_smallest"]
            axm.plot(t_ok, m_ok, "o", color="tab:green", label="M*(T)")
            if t_hi:
                axm.plot(t_hi, [widths[-1]] * len(t_hi), "^", color="tab:red", label=f"M* > {widths[-1]} (censored)")
            if t_lo:
                axm.plot(t_lo, [widths[0]] * len(t_lo), "v", color="tab:purple", label=f"M* ≤ {widths[0]} (censored)")
            q = fits.get("width_exponent")
            if q is not None:
                for j in range(len(q["q"])):
                    if (math.isclose(q["source"][j], k[0]) and q["activation"][j] == k[1] and math.isclose(q["eta"][j], k[2])
                            and math.isclose(q["theta"][j], k[3]) and np.isfinite(q["q"][j]) and len(t_ok) >= 2):
                        tt = np.geomspace(min(t_ok), max(t_ok), 20)
                        # log M* = a + q log T: a from the points (the file stores q and its interval).
                        a = np.mean(np.log(m_ok) - q["q"][j] * np.log(t_ok))
                        axm.plot(tt, np.exp(a) * tt ** q["q"][j], "-", color="tab:green",
                                 label=f"q = {q['q'][j]:.2f} [{q['q_ci_low'][j]:.2f}, {q['q_ci_high'][j]:.2f}]")
            axm.set_xscale("log")
            axm.set_yscale("log", base=2)
            axm.set_ylim(widths[0] / 1.5, widths[-1] * 1.5)
            axm.set_xlabel("T")
            axm.set_ylabel("M*(T)")
            axm.set_title("smallest width within tolerance of the reference", fontsize=9)
            axm.grid(True, which="both", alpha=0.2)
            axm.legend(fontsize=7)
        else:
            axm.set_visible(False)
    save(fig, out, "widths.png", written)


def plot_tent(fits, out, written):
    t = fits.get("rates")
    if not t or "slope" not in t:
        return
    fam = {}
    for j in range(len(t["slope"])):
        k = (float(t["source"][j]), t["activation"][j], float(t["eta"][j]), float(t["lambda_coef"][j]),
             float(t["lambda_power"][j]), int(t["width"][j]))
        fam.setdefault(k, []).append(j)
    fam = {k: v for k, v in fam.items() if len({float(t["theta"][j]) for j in v}) >= 2}
    if not fam:
        return
    fig, ax = plt.subplots(figsize=(6.5, 4.5))
    rs = sorted({k[0] for k in fam})
    th = np.linspace(0, 1, 201)
    for r in rs:
        ax.plot(th, np.minimum(th, 2 * r * (1 - th)), "k-" if len(rs) == 1 else "-", lw=1,
                label=f"predicted min(θ, 2r(1−θ)), r={r:g}")
    for n, (k, js) in enumerate(sorted(fam.items(), key=lambda kv: kv[0])):
        js = sorted(js, key=lambda j: t["theta"][j])
        x = np.array([t["theta"][j] for j in js])
        y = np.array([t["slope"][j] for j in js])
        lo = np.array([t["ci_low"][j] for j in js])
        hi = np.array([t["ci_high"][j] for j in js])
        err = np.vstack([np.nan_to_num(y - lo), np.nan_to_num(hi - y)])
        ax.errorbar(x + 0.004 * n, y, yerr=err, fmt="o-", ms=4, capsize=3,
                    label=f"network r={k[0]:g} {k[1]} η₁={k[2]:g} M={k[5]}")
        if "kernel_slope" in t:
            ky = np.array([t["kernel_slope"][j] for j in js])
            if np.isfinite(ky).any():
                ax.plot(x, ky, "s--", ms=4, lw=1, color="tab:gray", label=f"kernel reference r={k[0]:g}")
    ax.set_xlabel("θ  (η_t = η₁ t^−θ)")
    ax.set_ylabel("slope p: error ∝ T^−p")
    ax.set_xlim(0, 1)
    ax.set_title("fitted slope against θ (95% bootstrap intervals)", fontsize=10)
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize=7)
    save(fig, out, "tent.png", written)


def plot_kernel(tasks, curves, fits, out, written):
    if "kernel_error" not in curves:
        return
    gs = [(k, rows) for k, rows in groups(tasks) if any(tasks["status"][i] == 1 for i in rows)][:MAX_PANELS]
    if not gs:
        return
    fig, axes = grid(len(gs))
    for ax, (k, rows) in zip(axes, gs):
        # Mean curves over the finished replicates at every checkpoint of the longest run.
        done = [i for i in rows if tasks["status"][i] == 1]
        per = {}
        for i in done:
            for s, e, ke in zip(curves["step"][i], curves["error"][i], curves["kernel_error"][i]):
                if s > 0 and np.isfinite(e) and np.isfinite(ke):
                    per.setdefault(int(s), []).append((e, ke))
        steps = np.array(sorted(per))
        ne = np.array([np.mean([a for a, _ in per[s]]) for s in steps])
        ke = np.array([np.mean([b for _, b in per[s]]) for s in steps])
        ax.plot(steps, ne, "-", color="tab:blue", lw=1.5, label="network")
        ax.plot(steps, ke, "--", color="tab:gray", lw=1.5, label="kernel reference (same samples)")
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel("step t")
        ax.set_ylabel("mean excess risk")
        ax.set_title(label(k), fontsize=9)
        ax.grid(True, which="both", alpha=0.2)
        ax2 = ax.twinx()
        ax2.plot(steps, ne / ke, ":", color="tab:red", lw=1.2, label="network / kernel")
        ax2.axhline(1.0, color="tab:red", lw=0.5, alpha=0.5)
        ax2.set_ylabel("network / kernel", color="tab:red")
        ax2.tick_params(axis="y", colors="tab:red")
        h1, l1 = ax.get_legend_handles_labels()
        h2, l2 = ax2.get_legend_handles_labels()
        ax.legend(h1 + h2, l1 + l2, fontsize=7, loc="lower left")
    fig.suptitle("network against the infinite-width kernel reference", fontsize=10)
    save(fig, out, "kernel.png", written)


def main():
    global ARGS
    p = argparse.ArgumentParser(description="Figures from an ntksweep result file (see the header of this script).")
    p.add_argument("file", help="result file FILE.h5")
    p.add_argument("-o", "--output", help="output directory (default: FILE without .h5 + _plots)")
    p.add_argument("--dpi", type=int, default=110, help="resolution of the PNGs (default 110)")
    ARGS = p.parse_args()
    if not os.path.isfile(ARGS.file):
        fail(f"result file '{ARGS.file}' does not exist")
    out = ARGS.output or os.path.splitext(ARGS.file)[0] + "_plots"
    os.makedirs(out, exist_ok=True)
    tasks, curves, report, fits = read(ARGS.file)
    if not fits:
        print(f"plot.py: no /fits in '{ARGS.file}': plotting data only (run `ntksweep fit {ARGS.file}` for fitted lines)",
              file=sys.stderr)
    net = cells(tasks, curves, report, "error")
    ker = cells(tasks, curves, report, "kernel_error")
    written = []
    plot_rates(tasks, net, ker, fits, out, written)
    plot_widths(tasks, net, ker, fits, out, written)
    plot_tent(fits, out, written)
    plot_kernel(tasks, curves, fits, out, written)
    for w in written:
        print(w)
    if not written:
        fail(f"nothing to plot in '{ARGS.file}' (no finished tasks)")


ARGS = None
if __name__ == "__main__":
    main()
