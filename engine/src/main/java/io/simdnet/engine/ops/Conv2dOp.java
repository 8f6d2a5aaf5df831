package io.simdnet.engine.ops;

import io.simdnet.engine.kernel.KernelRegistry;
import io.simdnet.engine.kernel.tuning.TunableKernel;
import io.simdnet.engine.profile.KernelRows;
import io.simdnet.engine.profile.Profiler;
import io.simdnet.engine.tensor.Tensor;
import io.simdnet.kernel.DType;
import io.simdnet.kernel.DoubleConv2dKernel;
import io.simdnet.kernel.FloatConv2dKernel;
import io.simdnet.kernel.Kernel;
import io.simdnet.kernel.KernelLookup;
import io.simdnet.kernel.spec.Conv2dSpec;

/**
 * A generated convolution kernel seen through tensors of either element type (tuned at the first call's batch size).
 * Like every op, its methods are the kernel's own, and each call picks the float or double interface by the spec's
 * element type. Every call is timed when the calling thread runs a {@link Profiler}, and costs one volatile read
 * more when none runs.
 */
public final class Conv2dOp {

    private static final int FORWARD = 0;
    private static final int BACKWARD_DATA = 1;
    private static final int BACKWARD_WEIGHTS = 2;

    private final Conv2dSpec spec;
    private final TunableKernel kernel;
    private final KernelRows profileRows = new KernelRows("conv forward", "conv backward-data", "conv backward-weights");

    /** The registry's kernels for {@code spec}, whose element type must match {@code dtype}. */
    public Conv2dOp(DType dtype, Conv2dSpec spec) {
        KernelLookup.requireType(spec, dtype);
        this.spec = spec;
        this.kernel = KernelRegistry.global().tunable(spec);
    }

    public Conv2dSpec spec() {
        return spec;
    }

    public void forward(int n, Tensor x, Tensor weight, Tensor bias, Tensor y) {
        Profiler profiler = Profiler.current();
        long start = profiler == null ? 0 : profiler.kernelStarts();
        Kernel k = kernel.kernel(n);
        if (spec.elementType() == DType.F32) {
            ((FloatConv2dKernel) k).forward(n, x.floats(), weight.floats(), bias == null ? null : bias.floats(), y.floats());
        } else {
            ((DoubleConv2dKernel) k).forward(n, x.doubles(), weight.doubles(), bias == null ? null : bias.doubles(), y.doubles());
        }
        if (profiler != null) {
            profiler.kernelEnds(profileRows, FORWARD, k, start);
        }
    }

    public void backwardData(int n, Tensor dy, Tensor weight, Tensor dx) {
        Profiler profiler = Profiler.current();
        long start = profiler == null ? 0 : profiler.kernelStarts();
        Kernel k = kernel.kernel(n);
        if (spec.elementType() == DType.F32) {
            ((FloatConv2dKernel) k).backwardData(n, dy.floats(), weight.floats(), dx.floats());
        } else {
            ((DoubleConv2dKernel) k).backwardData(n, dy.doubles(), weight.doubles(), dx.doubles());
        }
        if (profiler != null) {
            profiler.kernelEnds(profileRows, BACKWARD_DATA, k, start);
        }
    }

    public void backwardWeights(int n, Tensor x, Tensor dy, Tensor dWeight, Tensor dBias) {
        Profiler profiler = Profiler.current();
        long start = profiler == null ? 0 : profiler.kernelStarts();
        Kernel k = kernel.kernel(n);
        if (spec.elementType() == DType.F32) {
            ((FloatConv2dKernel) k).backwardWeights(n, x.floats(), dy.floats(), dWeight.floats(), dBias == null ? null : dBias.floats());
        } else {
            ((DoubleConv2dKernel) k).backwardWeights(n, x.doubles(), dy.doubles(), dWeight.doubles(), dBias == null ? null : dBias.doubles());
        }
        if (profiler != null) {
            profiler.kernelEnds(profileRows, BACKWARD_WEIGHTS, k, start);
        }
    }
}
