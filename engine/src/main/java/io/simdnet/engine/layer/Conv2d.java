package io.simdnet.engine.layer;

import io.simdnet.engine.init.Rng;
import io.simdnet.engine.kernel.ElementwiseKernel;
import io.simdnet.engine.ops.Conv2dOp;
import io.simdnet.engine.tensor.BatchBuffer;
import io.simdnet.engine.tensor.Shape;
import io.simdnet.engine.tensor.Tensor;
import io.simdnet.kernel.spec.Conv2dSpec;

/**
 * 2-D convolution over NCHW batches with weights (out, in, kh, kw), as PyTorch, on the generated kernel for its
 * exact geometry. {@link #relu()} fuses a ReLU into the kernel's epilogue (Keras' {@code activation="relu"}),
 * which saves a pass over the output. Defaults as Keras: Glorot-uniform weights (fan-in in·kh·kw, fan-out
 * out·kh·kw), zero bias, stride 1, valid padding.
 */
public final class Conv2d extends WeightedLayer<Conv2d> {

    private final int filters;
    private final int kernelH;
    private final int kernelW;
    private int stride = 1;
    private Padding padding = Padding.valid();
    private boolean useBias = true;
    private boolean relu;

    private Conv2dOp op;
    private BatchBuffer output;
    private BatchBuffer inputGradient;
    private BatchBuffer maskedGradient;
    private ElementwiseKernel elementwise;
    private Tensor lastInput;
    private Tensor lastOutput;

    public Conv2d(int filters, int kernelSize) {
        this(filters, kernelSize, kernelSize);
    }

    public Conv2d(int filters, int kernelH, int kernelW) {
        if (filters <= 0 || kernelH <= 0 || kernelW <= 0) {
            throw new IllegalArgumentException("Conv2d: filters and kernel sizes must be positive, got " + filters + " filters of " + kernelH
                    + "×" + kernelW);
        }
        this.filters = filters;
        this.kernelH = kernelH;
        this.kernelW = kernelW;
    }

    public Conv2d stride(int value) {
        if (value <= 0) {
            throw new IllegalArgumentException("Conv2d: stride = " + value + ", expected > 0");
        }
        this.stride = value;
        return this;
    }

    public Conv2d padding(Padding value) {
        this.padding = value;
        return this;
    }

    public Conv2d bias(boolean value) {
        this.useBias = value;
        return this;
    }

    /** Applies ReLU to the output inside the convolution kernel. */
    public Conv2d relu() {
        this.relu = true;
        return this;
    }

    /** Whether a ReLU is fused into this convolution (a separate {@code nn.ReLU} module in PyTorch). */
    public boolean fusedRelu() {
        return relu;
    }

    @Override
    public String typeName() {
        return relu ? "Conv2d+ReLU" : "Conv2d";
    }

    @Override
    protected Shape onBuild(Shape input, Rng rng) {
        if (input.rank() != 3) {
            throw new IllegalArgumentException("Conv2d \"" + name() + "\": expects (channels, height, width) samples, got " + input);
        }
        int c = input.dim(0);
        int h = input.dim(1);
        int w = input.dim(2);
        Conv2dSpec spec = switch (padding.kind()) {
            case VALID -> Conv2dSpec.valid(dtype(), c, h, w, filters, kernelH, kernelW, stride, useBias, relu);
            case SAME -> Conv2dSpec.same(dtype(), c, h, w, filters, kernelH, kernelW, stride, useBias, relu);
            case EXPLICIT -> new Conv2dSpec(dtype(), c, h, w, filters, kernelH, kernelW, stride, stride, padding.amount(),
                    padding.amount(), padding.amount(), padding.amount(), useBias, relu);
        };
        op = new Conv2dOp(dtype(), spec);
        int fanIn = c * kernelH * kernelW;
        int fanOut = filters * kernelH * kernelW;
        createParameters(Tensor.zeros(dtype(), filters, c, kernelH, kernelW), false, useBias ? filters : 0, fanIn, fanOut, rng);
        Shape out = Shape.of(filters, spec.outHeight(), spec.outWidth());
        output = new BatchBuffer(dtype(), out);
        inputGradient = new BatchBuffer(dtype(), input);
        maskedGradient = relu ? new BatchBuffer(dtype(), out) : null;
        // Its own, not the original's through a replica's shallow copy: it holds the current call's arguments.
        elementwise = relu ? new ElementwiseKernel() : null;
        return out;
    }

    @Override
    public Tensor forward(Tensor x, boolean training) {
        checkInput(x);
        int n = x.batch();
        Tensor y = output.get(n);
        op.forward(n, x, weight().value(), biasValue(), y);
        lastInput = x;
        lastOutput = y;
        return y;
    }

    @Override
    public Tensor backward(Tensor dy, boolean needInputGradient) {
        int n = lastInput.batch();
        checkGradient(dy, n);
        Tensor dz = dy;
        if (relu) {
            dz = maskedGradient.get(n);
            elementwise.mask(lastOutput, dy, dz);
        }
        op.backwardWeights(n, lastInput, dz, weight().gradient(), biasGradient());
        addPenaltyGradient();
        if (!needInputGradient) {
            return null;
        }
        Tensor dx = inputGradient.get(n);
        op.backwardData(n, dz, weight().value(), dx);
        return dx;
    }

    public Conv2dSpec spec() {
        return op.spec();
    }
}
