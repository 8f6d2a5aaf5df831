package io.simdnet.engine.layer;

import io.simdnet.engine.init.Rng;
import io.simdnet.engine.ops.GemmOp;
import io.simdnet.engine.tensor.BatchBuffer;
import io.simdnet.engine.tensor.Shape;
import io.simdnet.engine.tensor.Tensor;
import io.simdnet.kernel.spec.GemmForm;

/**
 * Affine layer y = x·W + b on (N, in) inputs. W is kept as (in, out), Keras' kernel layout, so the forward pass
 * is one NN GEMM with the bias fused; backward is dX = dY·Wᵀ (NT) and dW = Xᵀ·dY (TN, whose K is the batch
 * size, so that kernel is looked up per batch size). Checkpoints store W as PyTorch's (out, in).
 * Defaults as Keras: Glorot-uniform weights, zero bias.
 */
public final class Dense extends WeightedLayer<Dense> {

    private final int units;
    private final boolean useBias;
    private GemmOp forwardGemm;
    private GemmOp inputGradientGemm;
    private final GemmOp[] weightGradientGemms = new GemmOp[2];
    private BatchBuffer output;
    private BatchBuffer inputGradient;
    private Tensor lastInput;

    public Dense(int units) {
        this(units, true);
    }

    public Dense(int units, boolean useBias) {
        if (units <= 0) {
            throw new IllegalArgumentException("Dense: units = " + units + ", expected > 0");
        }
        this.units = units;
        this.useBias = useBias;
    }

    @Override
    protected Shape onBuild(Shape input, Rng rng) {
        if (input.rank() != 1) {
            throw new IllegalArgumentException("Dense \"" + name() + "\": expects flat samples (features,), got " + input + "; add a Flatten first");
        }
        int in = input.dim(0);
        createParameters(Tensor.zeros(dtype(), in, units), true, useBias ? units : 0, in, units, rng);
        forwardGemm = GemmOp.of(dtype(), GemmForm.NN, in, units, useBias, false);
        inputGradientGemm = GemmOp.of(dtype(), GemmForm.NT, units, in, false, false);
        output = new BatchBuffer(dtype(), Shape.of(units));
        inputGradient = new BatchBuffer(dtype(), input);
        return Shape.of(units);
    }

    @Override
    public Tensor forward(Tensor x, boolean training) {
        checkInput(x);
        int n = x.batch();
        Tensor y = output.get(n);
        forwardGemm.gemm(n, x, weight().value(), biasValue(), y);
        lastInput = x;
        return y;
    }

    @Override
    public Tensor backward(Tensor dy, boolean needInputGradient) {
        int n = lastInput.batch();
        checkGradient(dy, n);
        weightGradientGemm(n).gemm(inputShape().dim(0), lastInput, dy, null, weight().gradient());
        addPenaltyGradient();
        if (useBias) {
            ColumnSums.of(dy, n, units, biasGradient());
        }
        if (!needInputGradient) {
            return null;
        }
        Tensor dx = inputGradient.get(n);
        inputGradientGemm.gemm(n, dy, weight().value(), null, dx);
        return dx;
    }

    /** dW (in × out) = Xᵀ·dY: a TN GEMM with K = n, cached for the two most recent batch sizes. */
    private GemmOp weightGradientGemm(int n) {
        for (GemmOp op : weightGradientGemms) {
            if (op != null && op.spec().k() == n) {
                return op;
            }
        }
        GemmOp op = GemmOp.of(dtype(), GemmForm.TN, n, units, false, false);
        weightGradientGemms[1] = weightGradientGemms[0];
        weightGradientGemms[0] = op;
        return op;
    }

    public int units() {
        return units;
    }
}
