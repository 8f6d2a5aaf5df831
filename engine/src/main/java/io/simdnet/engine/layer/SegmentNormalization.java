package io.simdnet.engine.layer;

import io.simdnet.engine.init.Rng;
import io.simdnet.engine.tensor.BatchBuffer;
import io.simdnet.engine.tensor.Shape;
import io.simdnet.engine.tensor.Tensor;
import java.util.List;

/**
 * Normalisation over contiguous segments of each sample, the same in training and evaluation: LayerNorm (one
 * segment, the whole sample, with γ and β per element) and GroupNorm (G segments of C/G channels, γ and β per
 * channel). Statistics in double; the variance is the biased one, as in PyTorch; ε = 1e-5 (PyTorch's default;
 * Keras' {@code LayerNormalization} uses 1e-3), settable with {@link #epsilon(double)}.
 */
abstract class SegmentNormalization extends Layer {

    private double epsilon = 1e-5;

    private int segments;
    private int segmentLength;
    private int affineStride;
    private Parameter gamma;
    private Parameter beta;
    private BatchBuffer output;
    private BatchBuffer inputGradient;
    private BatchBuffer normalized;
    private double[] invStd = new double[0];
    private double[] values;
    private double[] xhatValues;
    private double[] gammaGradient;
    private double[] betaGradient;
    private Tensor lastInput;

    /** Sets ε, added to the variance (PyTorch's {@code eps}, Keras' {@code epsilon}). */
    public SegmentNormalization epsilon(double value) {
        if (!(value > 0) || !Double.isFinite(value)) {
            throw new IllegalArgumentException(typeName() + ": epsilon = " + value + ", expected a positive number");
        }
        this.epsilon = value;
        return this;
    }

    public double epsilon() {
        return epsilon;
    }

    /** Segments per sample for this input shape (checked). */
    protected abstract int segments(Shape input);

    /** How many consecutive elements share one γ and β (1 for LayerNorm; H·W for GroupNorm). */
    protected abstract int affineStride(Shape input);

    @Override
    protected void onReplicate() {
        invStd = new double[0];
    }

    @Override
    protected Shape onBuild(Shape input, Rng rng) {
        segments = segments(input);
        segmentLength = input.size() / segments;
        affineStride = affineStride(input);
        int affineSize = input.size() / affineStride;
        Tensor g = Tensor.zeros(dtype(), affineSize);
        for (int i = 0; i < affineSize; i++) {
            g.set(i, 1);
        }
        gamma = shared(Parameter.trainable("weight", g));
        beta = shared(Parameter.trainable("bias", Tensor.zeros(dtype(), affineSize)));
        output = new BatchBuffer(dtype(), input);
        inputGradient = new BatchBuffer(dtype(), input);
        normalized = new BatchBuffer(dtype(), input);
        values = new double[segmentLength];
        xhatValues = new double[segmentLength];
        gammaGradient = new double[affineSize];
        betaGradient = new double[affineSize];
        return input;
    }

    @Override
    public Tensor forward(Tensor x, boolean training) {
        checkInput(x);
        int n = x.batch();
        if (invStd.length < n * segments) {
            invStd = new double[n * segments];
        }
        Tensor y = output.get(n);
        Tensor xhat = normalized.get(n);
        int sampleSize = segments * segmentLength;
        for (int s = 0; s < n; s++) {
            for (int g = 0; g < segments; g++) {
                int start = s * sampleSize + g * segmentLength;
                x.read(start, values);
                double mean = 0;
                for (double v : values) {
                    mean += v;
                }
                mean /= segmentLength;
                double variance = 0;
                for (double v : values) {
                    variance += (v - mean) * (v - mean);
                }
                variance /= segmentLength;
                double inv = 1 / Math.sqrt(variance + epsilon);
                invStd[s * segments + g] = inv;
                for (int i = 0; i < segmentLength; i++) {
                    values[i] = (values[i] - mean) * inv;
                }
                xhat.write(values, start);
                int affineBase = g * segmentLength;
                for (int i = 0; i < segmentLength; i++) {
                    int a = (affineBase + i) / affineStride;
                    values[i] = gamma.value().get(a) * values[i] + beta.value().get(a);
                }
                y.write(values, start);
            }
        }
        lastInput = x;
        return y;
    }

    @Override
    public Tensor backward(Tensor dy, boolean needInputGradient) {
        int n = lastInput.batch();
        checkGradient(dy, n);
        Tensor xhat = normalized.get(n);
        Tensor dx = needInputGradient ? inputGradient.get(n) : null;
        java.util.Arrays.fill(gammaGradient, 0);
        java.util.Arrays.fill(betaGradient, 0);
        int sampleSize = segments * segmentLength;
        for (int s = 0; s < n; s++) {
            for (int g = 0; g < segments; g++) {
                int start = s * sampleSize + g * segmentLength;
                dy.read(start, values);
                xhat.read(start, xhatValues);
                int affineBase = g * segmentLength;
                double meanG = 0;
                double meanGXhat = 0;
                for (int i = 0; i < segmentLength; i++) {
                    int a = (affineBase + i) / affineStride;
                    gammaGradient[a] += values[i] * xhatValues[i];
                    betaGradient[a] += values[i];
                    double gi = values[i] * gamma.value().get(a);
                    values[i] = gi;
                    meanG += gi;
                    meanGXhat += gi * xhatValues[i];
                }
                if (dx == null) {
                    continue;
                }
                meanG /= segmentLength;
                meanGXhat /= segmentLength;
                double inv = invStd[s * segments + g];
                for (int i = 0; i < segmentLength; i++) {
                    values[i] = inv * (values[i] - meanG - xhatValues[i] * meanGXhat);
                }
                dx.write(values, start);
            }
        }
        for (int a = 0; a < gammaGradient.length; a++) {
            gamma.gradient().set(a, gammaGradient[a]);
            beta.gradient().set(a, betaGradient[a]);
        }
        return dx;
    }

    @Override
    public List<Parameter> parameters() {
        return List.of(gamma, beta);
    }
}
