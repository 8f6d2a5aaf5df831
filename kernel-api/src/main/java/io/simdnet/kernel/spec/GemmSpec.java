package io.simdnet.kernel.spec;

import io.simdnet.kernel.DType;

/**
 * C = op(A)·op(B) (+ bias) (+ C if {@code accumulate}), with K and N fixed and the row count M given at run
 * time (M is the batch-like dimension). Bias has length N and is added to every row.
 *
 * <p>String form, as written in the catalog and returned by {@link #key()}:
 * {@code gemm f32 NN k=784 n=128 bias=true accumulate=false mr=6 nrv=4 kc=256 nc=128 mc=96 bits=512 regs=32 packA=false packB=false}.
 * {@code bits} and {@code regs} (the {@link VectorTarget}) default to the host's.
 * When parsing, every key after {@code n} may be left out and takes its default.
 */
public record GemmSpec(DType elementType, GemmForm form, int k, int n, boolean bias, boolean accumulate, GemmTiling tiling)
        implements KernelSpec {

    public GemmSpec {
        if (elementType == null || form == null || tiling == null) {
            throw new IllegalArgumentException("GEMM spec: element type, form and tiling are required");
        }
        if (k <= 0 || n <= 0) {
            throw new IllegalArgumentException("GEMM spec: K and N must be positive, got K = " + k + ", N = " + n);
        }
        if (tiling.nc() % tiling.nr(elementType) != 0) {
            throw new IllegalArgumentException("GEMM spec: nc = " + tiling.nc() + " must be a multiple of the micro-tile width "
                    + tiling.nr(elementType) + " (nrv = " + tiling.nrVectors() + " vectors of " + elementType.lanes(tiling.vectorBits()) + " lanes)");
        }
    }

    /** A spec with the default tiling for its shape. */
    public static GemmSpec of(DType type, GemmForm form, int k, int n, boolean bias, boolean accumulate) {
        return of(type, form, k, n, bias, accumulate, VectorTarget.host());
    }

    /** A spec with the default tiling for its shape on {@code target}. */
    public static GemmSpec of(DType type, GemmForm form, int k, int n, boolean bias, boolean accumulate, VectorTarget target) {
        return new GemmSpec(type, form, k, n, bias, accumulate, GemmTiling.defaultsFor(type, form, k, n, target));
    }

    public VectorTarget target() {
        return tiling.target();
    }

    /** The same computation with another blocking. */
    public GemmSpec withTiling(GemmTiling newTiling) {
        return new GemmSpec(elementType, form, k, n, bias, accumulate, newTiling);
    }

    @Override
    public String key() {
        return "gemm " + elementType.token() + " " + form + " k=" + k + " n=" + n + " bias=" + bias + " accumulate=" + accumulate
                + " mr=" + tiling.mr() + " nrv=" + tiling.nrVectors() + " kc=" + tiling.kc() + " nc=" + tiling.nc()
                + " mc=" + tiling.mc() + " " + tiling.target().key() + " packA=" + tiling.packA() + " packB=" + tiling.packB();
    }

    @Override
    public String className() {
        GemmTiling t = tiling;
        return "Gemm" + (elementType == DType.F32 ? "F32" : "F64") + form + "K" + k + "N" + n
                + (bias ? "Bias" : "") + (accumulate ? "Acc" : "")
                + "_" + t.mr() + "x" + t.nrVectors() + t.target().classNameSuffix() + "_kc" + t.kc() + "nc" + t.nc() + "mc" + t.mc()
                + (t.packA() ? "P" : "D") + (t.packB() ? "P" : "D");
    }

    /** Parses the string form described on the class. */
    public static GemmSpec parse(String text) {
        String[] words = text.strip().split("\\s+");
        if (words.length < 3 || !words[0].equals("gemm")) {
            throw new IllegalArgumentException("GEMM spec '" + text + "': expected 'gemm <f32|f64> <NN|NT|TN> k=<K> n=<N> [key=value ...]'");
        }
        DType type = DType.fromToken(words[1]);
        GemmForm form;
        try {
            form = GemmForm.valueOf(words[2]);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("GEMM spec '" + text + "': form '" + words[2] + "', expected NN, NT or TN");
        }
        SpecOptions o = SpecOptions.of("GEMM", text, words, 3);
        int k = o.integer("k", null);
        int n = o.integer("n", null);
        boolean bias = o.bool("bias", false);
        boolean accumulate = o.bool("accumulate", false);
        VectorTarget target = VectorTarget.parse(o);
        GemmTiling d = GemmTiling.defaultsFor(type, form, Math.max(k, 1), Math.max(n, 1), target);
        int mr = o.integer("mr", d.mr());
        int nrVectors = o.integer("nrv", d.nrVectors());
        int bits = target.bits();
        // Block sizes left out follow the register tile that was given.
        int nr = nrVectors * type.lanes(bits);
        GemmTiling tiling = new GemmTiling(mr, nrVectors,
                o.integer("kc", d.kc()),
                o.integer("nc", nr == d.nr(type) ? d.nc() : GemmTiling.defaultNc(Math.max(n, 1), Math.max(nr, 1))),
                o.integer("mc", mr == d.mr() ? d.mc() : GemmTiling.defaultMc(Math.max(mr, 1))),
                target,
                o.bool("packA", d.packA()),
                o.bool("packB", d.packB()));
        o.requireAllUsed("k n bias accumulate mr nrv kc nc mc bits regs packA packB");
        return new GemmSpec(type, form, k, n, bias, accumulate, tiling);
    }
}
