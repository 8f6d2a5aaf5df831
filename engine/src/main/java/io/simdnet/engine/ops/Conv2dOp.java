package io.simdnet.engine.ops;

import io.simdnet.engine.kernel.KernelRegistry;
import io.simdnet.engine.kernel.tuning.TunableKernel;
import io.simdnet.engine.tensor.Tensor;
import io.simdnet.kernel.DType;
import io.simdnet.kernel.DoubleConv2dKernel;
import io.simdnet.kernel.FloatConv2dKernel;
import io.simdnet.kernel.KernelLookup;
import io.simdnet.kernel.spec.Conv2dSpec;

/**
 * A generated convolution kernel seen through tensors of either element type (tuned at the first call's batch size).
 * Like every op, its methods are the kernel's own, and each call picks the float or double interface by the spec's
 * element type.
 */
public final class Conv2dOp {

    private final Conv2dSpec spec;
    private final TunableKernel kernel;

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
        if (spec.elementType() == DType.F32) {
            ((FloatConv2dKernel) kernel.kernel(n)).forward(n, x.floats(), weight.floats(), bias == null ? null : bias.floats(), y.floats());
        } else {
            ((DoubleConv2dKernel) kernel.kernel(n)).forward(n, x.doubles(), weight.doubles(), bias == null ? null : bias.doubles(), y.doubles());
        }
    }

    public void backwardData(int n, Tensor dy, Tensor weight, Tensor dx) {
        if (spec.elementType() == DType.F32) {
            ((FloatConv2dKernel) kernel.kernel(n)).backwardData(n, dy.floats(), weight.floats(), dx.floats());
        } else {
            ((DoubleConv2dKernel) kernel.kernel(n)).backwardData(n, dy.doubles(), weight.doubles(), dx.doubles());
        }
    }

    public void backwardWeights(int n, Tensor x, Tensor dy, Tensor dWeight, Tensor dBias) {
        if (spec.elementType() == DType.F32) {
            ((FloatConv2dKernel) kernel.kernel(n)).backwardWeights(n, x.floats(), dy.floats(), dWeight.floats(), dBias == null ? null : dBias.floats());
        } else {
            ((DoubleConv2dKernel) kernel.kernel(n)).backwardWeights(n, x.doubles(), dy.doubles(), dWeight.doubles(),
                    dBias == null ? null : dBias.doubles());
        }
    }
}
