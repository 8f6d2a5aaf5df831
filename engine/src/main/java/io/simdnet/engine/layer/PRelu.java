package io.simdnet.engine.layer;

import io.simdnet.engine.init.Rng;
import io.simdnet.engine.tensor.BatchBuffer;
import io.simdnet.engine.tensor.Shape;
import io.simdnet.engine.tensor.Tensor;
import java.util.List;

/**
 * x for x > 0, else a·x with a learned slope: PyTorch's {@code PReLU(num_parameters, init=0.25)}, one slope for the
 * whole layer by default or one per channel (the sample's first axis: features of (N, D), channels of NCHW) with
 * {@link #perChannel()}. The slope is the parameter {@code weight}, as in PyTorch. (Keras' {@code PReLU} starts at 0
 * and has one slope per element unless {@code shared_axes} is set: set the weight to match.)
 */
public final class PRelu extends Layer {

    private final boolean perChannel;
    private final double initialSlope;
    private Parameter slope;
    private int inner;
    private BatchBuffer output;
    private BatchBuffer inputGradient;
    private Tensor lastInput;

    /** One slope shared by every element, starting at 0.25 (PyTorch's {@code PReLU()}). */
    public PRelu() {
        this(false, 0.25);
    }

    private PRelu(boolean perChannel, double initialSlope) {
        if (!Double.isFinite(initialSlope)) {
            throw new IllegalArgumentException("PReLU: initial slope = " + initialSlope + ", expected a finite number");
        }
        this.perChannel = perChannel;
        this.initialSlope = initialSlope;
    }

    /** One slope per channel, starting at 0.25 (PyTorch's {@code PReLU(num_parameters=C)}). */
    public static PRelu perChannel() {
        return new PRelu(true, 0.25);
    }

    /** The same layer with every slope starting at {@code value} instead of 0.25 (Keras starts at 0). */
    public PRelu initialSlope(double value) {
        return new PRelu(perChannel, value);
    }

    @Override
    public String typeName() {
        return "PReLU";
    }

    @Override
    protected Shape onBuild(Shape input, Rng rng) {
        int slopes = perChannel ? input.dim(0) : 1;
        inner = perChannel ? input.size() / input.dim(0) : input.size();
        Tensor a = Tensor.zeros(dtype(), slopes);
        for (int i = 0; i < slopes; i++) {
            a.set(i, initialSlope);
        }
        slope = shared(Parameter.trainable("weight", a));
        output = new BatchBuffer(dtype(), input);
        inputGradient = new BatchBuffer(dtype(), input);
        return input;
    }

    @Override
    public Tensor forward(Tensor x, boolean training) {
        checkInput(x);
        Tensor y = output.get(x.batch());
        int groups = x.size() / inner;
        int slopes = slope.value().size();
        if (x.floats() != null) {
            float[] in = x.floats();
            float[] out = y.floats();
            for (int g = 0; g < groups; g++) {
                float a = slope.value().floats()[g % slopes];
                for (int i = g * inner, end = i + inner; i < end; i++) {
                    out[i] = in[i] > 0f ? in[i] : a * in[i];
                }
            }
        } else {
            double[] in = x.doubles();
            double[] out = y.doubles();
            for (int g = 0; g < groups; g++) {
                double a = slope.value().doubles()[g % slopes];
                for (int i = g * inner, end = i + inner; i < end; i++) {
                    out[i] = in[i] > 0 ? in[i] : a * in[i];
                }
            }
        }
        lastInput = x;
        return y;
    }

    @Override
    public Tensor backward(Tensor dy, boolean needInputGradient) {
        Tensor x = lastInput;
        checkGradient(dy, x.batch());
        Tensor dx = needInputGradient ? inputGradient.get(x.batch()) : null;
        int groups = x.size() / inner;
        int slopes = slope.value().size();
        // Summed in double, group by group in sample order: the same result on any thread count.
        Tensor grad = slope.gradient();
        grad.fillZero();
        for (int g = 0; g < groups; g++) {
            int c = g % slopes;
            double a = slope.value().get(c);
            double sum = 0;
            for (int i = g * inner, end = i + inner; i < end; i++) {
                double v = x.get(i);
                double d = dy.get(i);
                if (v > 0) {
                    if (dx != null) {
                        dx.set(i, d);
                    }
                } else {
                    sum += d * v;
                    if (dx != null) {
                        dx.set(i, a * d);
                    }
                }
            }
            grad.set(c, grad.get(c) + sum);
        }
        return dx;
    }

    @Override
    public List<Parameter> parameters() {
        return List.of(slope);
    }
}
