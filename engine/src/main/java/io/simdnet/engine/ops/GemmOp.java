package io.simdnet.engine.ops;

import io.simdnet.engine.kernel.KernelRegistry;
import io.simdnet.engine.kernel.tuning.TunableKernel;
import io.simdnet.engine.profile.KernelRows;
import io.simdnet.engine.profile.Profiler;
import io.simdnet.engine.tensor.Tensor;
import io.simdnet.kernel.DType;
import io.simdnet.kernel.DoubleGemmKernel;
import io.simdnet.kernel.FloatGemmKernel;
import io.simdnet.kernel.Kernel;
import io.simdnet.kernel.KernelLookup;
import io.simdnet.kernel.spec.GemmForm;
import io.simdnet.kernel.spec.GemmSpec;

/**
 * A generated GEMM kernel seen through tensors of either element type. Like every op, its method is the kernel's
 * own ({@code gemm}), and each call picks the float or double interface by the spec's element type: the one place
 * layers pick float or double. Every call is timed when the calling thread runs a {@link Profiler}, and costs one
 * volatile read more when none runs.
 */
public final class GemmOp {

    private final GemmSpec spec;
    private final TunableKernel kernel;
    private final KernelRows profileRows;

    private GemmOp(GemmSpec spec, TunableKernel kernel) {
        this.spec = spec;
        this.kernel = kernel;
        this.profileRows = new KernelRows("gemm " + spec.form());
    }

    /** The registry's kernel for C(m×n) = op(A)·op(B) (+ bias) (+ C), K and N fixed, M given per call (and tuned at the first call's M). */
    public static GemmOp of(DType dtype, GemmForm form, int k, int n, boolean bias, boolean accumulate) {
        GemmSpec spec = GemmSpec.of(dtype, form, k, n, bias, accumulate);
        KernelLookup.requireType(spec, dtype);
        return new GemmOp(spec, KernelRegistry.global().tunable(spec));
    }

    public GemmSpec spec() {
        return spec;
    }

    /** C = op(A)·op(B) (+ bias) over m rows; {@code bias} is null when the spec has none. */
    public void gemm(int m, Tensor a, Tensor b, Tensor bias, Tensor c) {
        Profiler profiler = Profiler.current();
        long start = profiler == null ? 0 : profiler.kernelStarts();
        Kernel k = kernel.kernel(m);
        if (spec.elementType() == DType.F32) {
            ((FloatGemmKernel) k).gemm(m, a.floats(), 0, b.floats(), 0, bias == null ? null : bias.floats(), c.floats(), 0);
        } else {
            ((DoubleGemmKernel) k).gemm(m, a.doubles(), 0, b.doubles(), 0, bias == null ? null : bias.doubles(), c.doubles(), 0);
        }
        if (profiler != null) {
            profiler.kernelEnds(profileRows, 0, k, start);
        }
    }
}
