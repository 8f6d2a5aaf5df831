package io.simdnet.engine.layer;

import io.simdnet.codegen.spec.GemmForm;
import io.simdnet.engine.init.Initializer;
import io.simdnet.engine.init.Rng;
import io.simdnet.engine.ops.GemmOp;
import io.simdnet.engine.tensor.BatchBuffer;
import io.simdnet.engine.tensor.Shape;
import io.simdnet.engine.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * Affine layer y = x·W + b on (N, in) inputs. W is kept as (in, out), Keras' kernel layout, so the forward pass
 * is one NN GEMM with the bias fused; backward is dX = dY·Wᵀ (NT) and dW = Xᵀ·dY (TN, whose K is the batch
 * size, so that kernel is looked up per batch size). Checkpoints store W as PyTorch's (out, in).
 * Defaults as Keras: Glorot-uniform weights, zero bias.
 */
public final class Dense extends Layer {

    private final int units;
    private final boolean useBias;
    private Initializer weightInit = new Initializer.GlorotUniform();
    private Initializer biasInit = new Initializer.Zeros();
    private Regularizer regularizer;

    private Parameter weight;
    private Parameter bias;
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

    public Dense weightInit(Initializer init) {
        this.weightInit = init;
        return this;
    }

    public Dense biasInit(Initializer init) {
        this.biasInit = init;
        return this;
    }

    /** A penalty on W added to the loss and its gradient. */
    public Dense regularizer(Regularizer penalty) {
        this.regularizer = penalty;
        return this;
    }

    @Override
    protected Shape onBuild(Shape input, Rng rng) {
        if (input.rank() != 1) {
            throw new IllegalArgumentException("Dense \"" + name() + "\": expects flat samples (features,), got " + input + "; add a Flatten first");
        }
        int in = input.dim(0);
        Tensor w = Tensor.zeros(dtype(), in, units);
        fill(weightInit, w, in, units, rng);
        weight = new Parameter("weight", w, Tensor.zeros(dtype(), in, units), true);
        if (useBias) {
            Tensor b = Tensor.zeros(dtype(), units);
            fill(biasInit, b, in, units, rng);
            bias = Parameter.trainable("bias", b);
        }
        forwardGemm = GemmOp.of(dtype(), GemmForm.NN, in, units, useBias, false);
        inputGradientGemm = GemmOp.of(dtype(), GemmForm.NT, units, in, false, false);
        output = new BatchBuffer(dtype(), Shape.of(units));
        inputGradient = new BatchBuffer(dtype(), input);
        return Shape.of(units);
    }

    static void fill(Initializer init, Tensor target, int fanIn, int fanOut, Rng rng) {
        float[] values = new float[target.size()];
        init.fill(values, fanIn, fanOut, rng);
        for (int i = 0; i < values.length; i++) {
            target.set(i, values[i]);
        }
    }

    @Override
    public Tensor forward(Tensor x, boolean training) {
        checkInput(x);
        int n = x.batch();
        Tensor y = output.get(n);
        forwardGemm.run(n, x, weight.value(), useBias ? bias.value() : null, y);
        lastInput = x;
        return y;
    }

    @Override
    public Tensor backward(Tensor dy, boolean needInputGradient) {
        int n = lastInput.batch();
        checkGradient(dy, n);
        weightGradientGemm(n).run(inputShape().dim(0), lastInput, dy, null, weight.gradient());
        if (regularizer != null) {
            regularizer.addGradient(weight.value(), weight.gradient());
        }
        if (useBias) {
            ColumnSums.of(dy, n, units, bias.gradient());
        }
        if (!needInputGradient) {
            return null;
        }
        Tensor dx = inputGradient.get(n);
        inputGradientGemm.run(n, dy, weight.value(), null, dx);
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

    @Override
    public List<Parameter> parameters() {
        List<Parameter> all = new ArrayList<>(2);
        all.add(weight);
        if (useBias) {
            all.add(bias);
        }
        return all;
    }

    @Override
    public double regularizationLoss() {
        return regularizer == null ? 0 : regularizer.penalty(weight.value());
    }

    public int units() {
        return units;
    }
}
