package io.simdnet.engine.ops;

import io.simdnet.engine.kernel.KernelRegistry;
import io.simdnet.engine.profile.KernelRows;
import io.simdnet.engine.profile.Profiler;
import io.simdnet.engine.tensor.Tensor;
import io.simdnet.kernel.DType;
import io.simdnet.kernel.DoublePool2dKernel;
import io.simdnet.kernel.FloatPool2dKernel;
import io.simdnet.kernel.Kernel;
import io.simdnet.kernel.KernelLookup;
import io.simdnet.kernel.spec.Pool2dSpec;

/**
 * A generated pooling kernel seen through tensors of either element type. Like every op, its methods are the
 * kernel's own, and each call picks the float or double interface by the spec's element type. Every call is timed
 * when the calling thread runs a {@link Profiler}, and costs one volatile read more when none runs.
 */
public final class Pool2dOp {

    private final Pool2dSpec spec;
    private final Kernel kernel;
    private final KernelRows profileRows = new KernelRows("pool forward", "pool backward");

    public Pool2dOp(DType dtype, Pool2dSpec spec) {
        KernelLookup.requireType(spec, dtype);
        this.spec = spec;
        // Pooling has one variant: asked for as tunable only so that runs list it among the kernels served.
        this.kernel = KernelRegistry.global().tunable(spec).kernel(1);
    }

    public Pool2dSpec spec() {
        return spec;
    }

    /** {@code argmax} is null for average pooling. */
    public void forward(int n, Tensor x, Tensor y, int[] argmax) {
        Profiler profiler = Profiler.current();
        long start = profiler == null ? 0 : profiler.kernelStarts();
        if (spec.elementType() == DType.F32) {
            ((FloatPool2dKernel) kernel).forward(n, x.floats(), y.floats(), argmax);
        } else {
            ((DoublePool2dKernel) kernel).forward(n, x.doubles(), y.doubles(), argmax);
        }
        if (profiler != null) {
            profiler.kernelEnds(profileRows, 0, kernel, start);
        }
    }

    public void backward(int n, Tensor dy, int[] argmax, Tensor dx) {
        Profiler profiler = Profiler.current();
        long start = profiler == null ? 0 : profiler.kernelStarts();
        if (spec.elementType() == DType.F32) {
            ((FloatPool2dKernel) kernel).backward(n, dy.floats(), argmax, dx.floats());
        } else {
            ((DoublePool2dKernel) kernel).backward(n, dy.doubles(), argmax, dx.doubles());
        }
        if (profiler != null) {
            profiler.kernelEnds(profileRows, 1, kernel, start);
        }
    }
}
