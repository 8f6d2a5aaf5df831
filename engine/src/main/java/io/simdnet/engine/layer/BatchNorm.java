package io.simdnet.engine.layer;

import io.simdnet.engine.init.Rng;
import io.simdnet.engine.tensor.BatchBuffer;
import io.simdnet.engine.tensor.Shape;
import io.simdnet.engine.tensor.Tensor;
import java.util.List;

/**
 * Batch normalisation over (N, D) batches (per feature) or NCHW batches (per channel, over N·H·W), with PyTorch's
 * conventions by default: ε = 1e-5; running = (1 − momentum)·running + momentum·batch with momentum 0.1; the running
 * variance is updated with the unbiased batch variance while training normalises with the biased one.
 * {@link #keras()} and {@link #cs231n()} give those conventions (momentum given as the weight of the old running
 * value, {@link #kerasMomentum}; the running variance updated with the biased batch variance, {@link
 * RunningVariance#BIASED}; Keras' ε 1e-3), and each setting can be changed on its own. Training
 * mode uses batch statistics, evaluation the running ones. γ ({@code weight}) and β ({@code bias}) are
 * trainable; {@code running_mean} and {@code running_var} are non-trainable state (Keras counts them as
 * non-trainable parameters, so {@code summary()} does too). Statistics are summed in double, in a fixed order.
 */
public final class BatchNorm extends Layer {

    /** Which batch variance updates the running variance. */
    public enum RunningVariance {
        /** The batch variance times N/(N − 1), PyTorch's {@code BatchNorm2d}. */
        UNBIASED,
        /** The batch variance used to normalise, Keras' {@code BatchNormalization} and CS231n's {@code batchnorm_forward}. */
        BIASED
    }

    private double momentum;
    private double epsilon;
    private RunningVariance runningVariance = RunningVariance.UNBIASED;

    private int channels;
    private int inner;
    private Parameter gamma;
    private Parameter beta;
    private Parameter runningMean;
    private Parameter runningVar;
    private BatchBuffer output;
    private BatchBuffer inputGradient;
    private BatchBuffer normalized;
    private double[] invStd;
    private double[] scratch = new double[0];
    private double[] xhatScratch = new double[0];
    private Tensor lastInput;
    private boolean lastTraining;

    public BatchNorm() {
        this(0.1, 1e-5);
    }

    /** @param momentum PyTorch's: the weight of the new batch in the running statistics (Keras' momentum is 1 minus this) */
    public BatchNorm(double momentum, double epsilon) {
        if (!(momentum >= 0 && momentum <= 1) || !(epsilon > 0)) {
            throw new IllegalArgumentException("BatchNorm: momentum = " + momentum + ", epsilon = " + epsilon
                    + ", expected 0 <= momentum <= 1 and epsilon > 0");
        }
        this.momentum = momentum;
        this.epsilon = epsilon;
    }

    /** Keras' {@code BatchNormalization()}: momentum 0.99 (of the old running value), ε 1e-3, biased running variance. */
    public static BatchNorm keras() {
        return new BatchNorm().kerasMomentum(0.99).epsilon(1e-3).runningVariance(RunningVariance.BIASED);
    }

    /** CS231n's {@code batchnorm_forward}: momentum 0.9 (of the old running value), ε 1e-5, biased running variance. */
    public static BatchNorm cs231n() {
        return new BatchNorm().kerasMomentum(0.9).epsilon(1e-5).runningVariance(RunningVariance.BIASED);
    }

    /** PyTorch's {@code momentum}: running = (1 − m)·running + m·batch. */
    public BatchNorm momentum(double value) {
        if (!(value >= 0 && value <= 1)) {
            throw new IllegalArgumentException("BatchNorm: momentum = " + value + ", expected 0 <= momentum <= 1 (PyTorch's: the new batch's weight)");
        }
        this.momentum = value;
        return this;
    }

    /** Keras' and CS231n's {@code momentum}: running = m·running + (1 − m)·batch, i.e. PyTorch's 1 − m. */
    public BatchNorm kerasMomentum(double value) {
        if (!(value >= 0 && value <= 1)) {
            throw new IllegalArgumentException("BatchNorm: Keras momentum = " + value
                    + ", expected 0 <= momentum <= 1 (Keras' and CS231n's: the old running value's weight)");
        }
        this.momentum = 1 - value;
        return this;
    }

    /** ε, added to the variance (PyTorch's {@code eps}, Keras' {@code epsilon}). */
    public BatchNorm epsilon(double value) {
        if (!(value > 0) || !Double.isFinite(value)) {
            throw new IllegalArgumentException("BatchNorm: epsilon = " + value + ", expected a positive number");
        }
        this.epsilon = value;
        return this;
    }

    public BatchNorm runningVariance(RunningVariance value) {
        this.runningVariance = java.util.Objects.requireNonNull(value, "runningVariance");
        return this;
    }

    /** PyTorch's momentum: the new batch's weight in the running statistics. */
    public double momentum() {
        return momentum;
    }

    public double epsilon() {
        return epsilon;
    }

    public RunningVariance runningVariance() {
        return runningVariance;
    }

    @Override
    protected void onReplicate() {
        scratch = new double[0];
        xhatScratch = new double[0];
    }

    @Override
    protected Shape onBuild(Shape input, Rng rng) {
        if (input.rank() != 1 && input.rank() != 3) {
            throw new IllegalArgumentException("BatchNorm \"" + name() + "\": expects (features,) or (channels, height, width) samples, got " + input);
        }
        channels = input.dim(0);
        inner = input.rank() == 3 ? input.dim(1) * input.dim(2) : 1;
        gamma = shared(Parameter.trainable("weight", constant(channels, 1)));
        beta = shared(Parameter.trainable("bias", constant(channels, 0)));
        runningMean = shared(Parameter.state("running_mean", constant(channels, 0)));
        runningVar = shared(Parameter.state("running_var", constant(channels, 1)));
        output = new BatchBuffer(dtype(), input);
        inputGradient = new BatchBuffer(dtype(), input);
        normalized = new BatchBuffer(dtype(), input);
        invStd = new double[channels];
        return input;
    }

    private Tensor constant(int size, double value) {
        Tensor t = Tensor.zeros(dtype(), size);
        for (int i = 0; i < size; i++) {
            t.set(i, value);
        }
        return t;
    }

    @Override
    public Tensor forward(Tensor x, boolean training) {
        checkInput(x);
        if (x.floats() != null) {
            return forwardFloat(x, training);
        }
        int n = x.batch();
        int count = n * inner;
        if (scratch.length < count) {
            scratch = new double[count];
            xhatScratch = new double[count];
        }
        Tensor y = output.get(n);
        Tensor xhat = normalized.get(n);
        for (int c = 0; c < channels; c++) {
            gather(x, n, c, scratch);
            double mean;
            double variance;
            if (training) {
                mean = 0;
                for (int i = 0; i < count; i++) {
                    mean += scratch[i];
                }
                mean /= count;
                variance = 0;
                for (int i = 0; i < count; i++) {
                    double d = scratch[i] - mean;
                    variance += d * d;
                }
                variance /= count;
                runningMean.value().set(c, (1 - momentum) * runningMean.value().get(c) + momentum * mean);
                runningVar.value().set(c, (1 - momentum) * runningVar.value().get(c) + momentum * forRunning(variance, count));
            } else {
                mean = runningMean.value().get(c);
                variance = runningVar.value().get(c);
            }
            invStd[c] = 1 / Math.sqrt(variance + epsilon);
            for (int i = 0; i < count; i++) {
                scratch[i] = (scratch[i] - mean) * invStd[c];
            }
            scatter(scratch, xhat, n, c);
            double g = gamma.value().get(c);
            double b = beta.value().get(c);
            for (int i = 0; i < count; i++) {
                scratch[i] = g * scratch[i] + b;
            }
            scatter(scratch, y, n, c);
        }
        lastInput = x;
        lastTraining = training;
        return y;
    }

    @Override
    public Tensor backward(Tensor dy, boolean needInputGradient) {
        int n = lastInput.batch();
        checkGradient(dy, n);
        if (dy.floats() != null) {
            return backwardFloat(dy, n, needInputGradient);
        }
        int count = n * inner;
        double[] dyValues = scratch;
        double[] xhatValues = xhatScratch;
        Tensor xhat = normalized.get(n);
        Tensor dx = needInputGradient ? inputGradient.get(n) : null;
        for (int c = 0; c < channels; c++) {
            gather(dy, n, c, dyValues);
            gather(xhat, n, c, xhatValues);
            double sumDy = 0;
            double sumDyXhat = 0;
            for (int i = 0; i < count; i++) {
                sumDy += dyValues[i];
                sumDyXhat += dyValues[i] * xhatValues[i];
            }
            gamma.gradient().set(c, sumDyXhat);
            beta.gradient().set(c, sumDy);
            if (dx == null) {
                continue;
            }
            double scale = gamma.value().get(c) * invStd[c];
            if (lastTraining) {
                double meanDy = sumDy / count;
                double meanDyXhat = sumDyXhat / count;
                for (int i = 0; i < count; i++) {
                    dyValues[i] = scale * (dyValues[i] - meanDy - xhatValues[i] * meanDyXhat);
                }
            } else {
                for (int i = 0; i < count; i++) {
                    dyValues[i] = scale * dyValues[i];
                }
            }
            scatter(dyValues, dx, n, c);
        }
        return dx;
    }

    /**
     * The float path reads each channel's planes in place (no gathering into scratch): statistics in double over
     * two reads, then one pass writing x̂ and y. Same results as the general path up to float rounding order.
     */
    private Tensor forwardFloat(Tensor x, boolean training) {
        int n = x.batch();
        int count = n * inner;
        int stride = channels * inner;
        float[] in = x.floats();
        float[] out = output.get(n).floats();
        float[] xhat = normalized.get(n).floats();
        for (int c = 0; c < channels; c++) {
            double mean;
            double variance;
            if (training) {
                double sum = 0;
                for (int s = 0; s < n; s++) {
                    for (int i = s * stride + c * inner, end = i + inner; i < end; i++) {
                        sum += in[i];
                    }
                }
                mean = sum / count;
                double squares = 0;
                for (int s = 0; s < n; s++) {
                    for (int i = s * stride + c * inner, end = i + inner; i < end; i++) {
                        double d = in[i] - mean;
                        squares += d * d;
                    }
                }
                variance = squares / count;
                runningMean.value().set(c, (1 - momentum) * runningMean.value().get(c) + momentum * mean);
                runningVar.value().set(c, (1 - momentum) * runningVar.value().get(c) + momentum * forRunning(variance, count));
            } else {
                mean = runningMean.value().get(c);
                variance = runningVar.value().get(c);
            }
            invStd[c] = 1 / Math.sqrt(variance + epsilon);
            float inv = (float) invStd[c];
            float shift = (float) mean;
            float g = (float) gamma.value().get(c);
            float b = (float) beta.value().get(c);
            for (int s = 0; s < n; s++) {
                for (int i = s * stride + c * inner, end = i + inner; i < end; i++) {
                    float h = (in[i] - shift) * inv;
                    xhat[i] = h;
                    out[i] = g * h + b;
                }
            }
        }
        lastInput = x;
        lastTraining = training;
        return output.get(n);
    }

    private Tensor backwardFloat(Tensor dy, int n, boolean needInputGradient) {
        int count = n * inner;
        int stride = channels * inner;
        float[] g = dy.floats();
        float[] xhat = normalized.get(n).floats();
        Tensor dxTensor = needInputGradient ? inputGradient.get(n) : null;
        float[] dx = dxTensor == null ? null : dxTensor.floats();
        for (int c = 0; c < channels; c++) {
            double sumDy = 0;
            double sumDyXhat = 0;
            for (int s = 0; s < n; s++) {
                for (int i = s * stride + c * inner, end = i + inner; i < end; i++) {
                    sumDy += g[i];
                    sumDyXhat += g[i] * xhat[i];
                }
            }
            gamma.gradient().set(c, sumDyXhat);
            beta.gradient().set(c, sumDy);
            if (dx == null) {
                continue;
            }
            float scale = (float) (gamma.value().get(c) * invStd[c]);
            float meanDy = lastTraining ? (float) (sumDy / count) : 0f;
            float meanDyXhat = lastTraining ? (float) (sumDyXhat / count) : 0f;
            for (int s = 0; s < n; s++) {
                for (int i = s * stride + c * inner, end = i + inner; i < end; i++) {
                    dx[i] = scale * (g[i] - meanDy - xhat[i] * meanDyXhat);
                }
            }
        }
        return dxTensor;
    }

    private double forRunning(double biasedVariance, int count) {
        return runningVariance == RunningVariance.UNBIASED && count > 1 ? biasedVariance * count / (count - 1) : biasedVariance;
    }

    /** Copies channel c of every sample (N·inner values) into {@code into}, sample by sample. */
    private void gather(Tensor t, int n, int c, double[] into) {
        int stride = channels * inner;
        for (int s = 0; s < n; s++) {
            int from = s * stride + c * inner;
            int to = s * inner;
            if (t.floats() != null) {
                float[] f = t.floats();
                for (int i = 0; i < inner; i++) {
                    into[to + i] = f[from + i];
                }
            } else {
                System.arraycopy(t.doubles(), from, into, to, inner);
            }
        }
    }

    private void scatter(double[] from, Tensor t, int n, int c) {
        int stride = channels * inner;
        for (int s = 0; s < n; s++) {
            int to = s * stride + c * inner;
            int at = s * inner;
            if (t.floats() != null) {
                float[] f = t.floats();
                for (int i = 0; i < inner; i++) {
                    f[to + i] = (float) from[at + i];
                }
            } else {
                System.arraycopy(from, at, t.doubles(), to, inner);
            }
        }
    }

    @Override
    public List<Parameter> parameters() {
        return List.of(gamma, beta, runningMean, runningVar);
    }
}
