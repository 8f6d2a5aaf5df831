package io.simdnet.engine.ops;

import io.simdnet.engine.kernel.KernelRegistry;
import io.simdnet.engine.tensor.Tensor;
import io.simdnet.kernel.DType;
import io.simdnet.kernel.DoubleGemmKernel;
import io.simdnet.kernel.FloatGemmKernel;
import io.simdnet.kernel.spec.GemmForm;
import io.simdnet.kernel.spec.GemmSpec;

/** A generated GEMM kernel seen through tensors of either element type: the one place layers pick float or double. */
public final class GemmOp {

    private final GemmSpec spec;
    private final FloatGemmKernel floatKernel;
    private final DoubleGemmKernel doubleKernel;

    private GemmOp(GemmSpec spec, FloatGemmKernel floatKernel, DoubleGemmKernel doubleKernel) {
        this.spec = spec;
        this.floatKernel = floatKernel;
        this.doubleKernel = doubleKernel;
    }

    /** The registry's kernel for C(m×n) = op(A)·op(B) (+ bias) (+ C), K and N fixed, M given per call. */
    public static GemmOp of(DType dtype, GemmForm form, int k, int n, boolean bias, boolean accumulate) {
        GemmSpec spec = GemmSpec.of(dtype, form, k, n, bias, accumulate);
        KernelRegistry registry = KernelRegistry.global();
        return dtype == DType.F32 ? new GemmOp(spec, registry.floatGemm(spec), null) : new GemmOp(spec, null, registry.doubleGemm(spec));
    }

    public GemmSpec spec() {
        return spec;
    }

    /** C = op(A)·op(B) (+ bias) over m rows; {@code bias} is null when the spec has none. */
    public void run(int m, Tensor a, Tensor b, Tensor bias, Tensor c) {
        if (floatKernel != null) {
            floatKernel.gemm(m, a.floats(), 0, b.floats(), 0, bias == null ? null : bias.floats(), c.floats(), 0);
        } else {
            doubleKernel.gemm(m, a.doubles(), 0, b.doubles(), 0, bias == null ? null : bias.doubles(), c.doubles(), 0);
        }
    }
}
