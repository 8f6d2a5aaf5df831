package io.simdnet.engine.layer;

import io.simdnet.engine.init.Rng;
import io.simdnet.engine.ops.Pool2dOp;
import io.simdnet.engine.tensor.BatchBuffer;
import io.simdnet.engine.tensor.Shape;
import io.simdnet.engine.tensor.Tensor;
import io.simdnet.kernel.spec.Pool2dSpec;

/** Shared body of the pooling layers: one generated pooling kernel, its output, arg-max and gradient buffers. */
abstract class Pooling extends Layer {

    private Pool2dOp op;
    private BatchBuffer output;
    private BatchBuffer inputGradient;
    private int[] argmax;

    @Override
    protected void onReplicate() {
        argmax = null;
    }
    private Tensor lastInput;

    /** The kernel geometry for (channels, height, width) samples. */
    protected abstract Pool2dSpec spec(int channels, int height, int width);

    /** The output sample shape for the kernel's (channels, outH, outW). */
    protected Shape outputShape(Pool2dSpec spec) {
        return Shape.of(spec.channels(), spec.outHeight(), spec.outWidth());
    }

    @Override
    protected Shape onBuild(Shape input, Rng rng) {
        if (input.rank() != 3) {
            throw new IllegalArgumentException(typeName() + " \"" + name() + "\": expects (channels, height, width) samples, got " + input);
        }
        Pool2dSpec spec = spec(input.dim(0), input.dim(1), input.dim(2));
        op = new Pool2dOp(dtype(), spec);
        Shape out = outputShape(spec);
        output = new BatchBuffer(dtype(), out);
        inputGradient = new BatchBuffer(dtype(), input);
        return out;
    }

    @Override
    public Tensor forward(Tensor x, boolean training) {
        checkInput(x);
        int n = x.batch();
        Tensor y = output.get(n);
        int[] indices = null;
        if (op.spec().kind() == Pool2dSpec.Kind.MAX) {
            if (argmax == null || argmax.length < y.size()) {
                argmax = new int[y.size()];
            }
            indices = argmax;
        }
        op.forward(n, x, y, indices);
        lastInput = x;
        return y;
    }

    @Override
    public Tensor backward(Tensor dy, boolean needInputGradient) {
        int n = lastInput.batch();
        checkGradient(dy, n);
        if (!needInputGradient) {
            return null;
        }
        Tensor dx = inputGradient.get(n);
        op.backward(n, dy, argmax, dx);
        return dx;
    }
}
