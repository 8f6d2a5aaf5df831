package io.simdnet.engine.layer;

import io.simdnet.engine.init.Rng;
import io.simdnet.engine.kernel.BatchNormKernel;
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
 * non-trainable parameters, so {@code summary()} does too). The passes over the elements are {@link BatchNormKernel}'s:
 * vectorised for float, channels spread over the kernel pool, each channel's sums in one fixed order.
 *
 * <p>When a {@link Relu} takes this layer's output and nothing else does, the model fuses the two when it is built
 * ({@link Fusion}): this layer applies the ReLU in its normalising pass and masks the gradient in its backward passes,
 * the ReLU passes its input and gradient through, and {@code summary()} shows {@code BatchNorm+ReLU}. The results are
 * the same bits; what changes is that this layer's output ({@code Model.lastOutput}) is the ReLU's.
 * {@link #fusible(boolean) fusible(false)} keeps the two apart.
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
    // Per channel, in double whatever the element type: the statistics of the last forward and the sums of the last
    // backward, shared by the float and double element loops.
    private double[] mean;
    private double[] variance;
    private double[] invStd;
    private double[] sumDy;
    private double[] sumDyXhat;
    private BatchNormKernel kernel;
    private Tensor lastInput;
    private boolean lastTraining;
    private boolean fusible = true;
    private boolean fusedRelu;

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

    /** Whether a ReLU after this layer may be fused into it when the model is built (default true). */
    public BatchNorm fusible(boolean value) {
        this.fusible = value;
        return this;
    }

    public boolean fusible() {
        return fusible;
    }

    /** Whether the model fused the ReLU after this layer into it. */
    public boolean fusedRelu() {
        return fusedRelu;
    }

    /** Called by {@link Fusion} only, before the model's first call. */
    void fuseRelu() {
        this.fusedRelu = true;
    }

    @Override
    public String typeName() {
        return fusedRelu ? "BatchNorm+ReLU" : "BatchNorm";
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
        mean = new double[channels];
        variance = new double[channels];
        invStd = new double[channels];
        sumDy = new double[channels];
        sumDyXhat = new double[channels];
        // Made here, not shared with the original by a replica's shallow copy: it holds the current call's arguments.
        kernel = new BatchNormKernel(channels, inner, mean, variance, invStd, sumDy, sumDyXhat);
        return input;
    }

    private Tensor constant(int size, double value) {
        Tensor t = Tensor.zeros(dtype(), size);
        for (int i = 0; i < size; i++) {
            t.set(i, value);
        }
        return t;
    }

    /*
     * The element type matters only where elements are read and written, so the per-channel bookkeeping (running
     * statistics, 1/σ, γ's and β's gradients) is written here once, in double, and each pass over the elements is the
     * kernel's, reading the channel's planes in place: no copies, and float elements computed in float.
     */

    @Override
    public Tensor forward(Tensor x, boolean training) {
        checkInput(x);
        int n = x.batch();
        Tensor y = output.get(n);
        Tensor xhat = normalized.get(n);
        if (training) {
            kernel.statistics(x, n);
        }
        int count = n * inner;
        for (int c = 0; c < channels; c++) {
            if (training) {
                runningMean.value().set(c, (1 - momentum) * runningMean.value().get(c) + momentum * mean[c]);
                runningVar.value().set(c, (1 - momentum) * runningVar.value().get(c) + momentum * forRunning(variance[c], count));
            } else {
                mean[c] = runningMean.value().get(c);
                variance[c] = runningVar.value().get(c);
            }
            invStd[c] = 1 / Math.sqrt(variance[c] + epsilon);
        }
        kernel.normalize(x, xhat, y, n, gamma.value(), beta.value(), fusedRelu);
        lastInput = x;
        lastTraining = training;
        return y;
    }

    @Override
    public Tensor backward(Tensor dy, boolean needInputGradient) {
        int n = lastInput.batch();
        checkGradient(dy, n);
        Tensor xhat = normalized.get(n);
        // With the ReLU fused in, dy is the gradient of the ReLU's output: it counts where that output is positive.
        kernel.channelSums(dy, xhat, n, gamma.value(), beta.value(), fusedRelu);
        for (int c = 0; c < channels; c++) {
            gamma.gradient().set(c, sumDyXhat[c]);
            beta.gradient().set(c, sumDy[c]);
        }
        if (!needInputGradient) {
            return null;
        }
        Tensor dx = inputGradient.get(n);
        kernel.inputGradient(dy, xhat, dx, n, gamma.value(), beta.value(), fusedRelu, lastTraining);
        return dx;
    }

    private double forRunning(double biasedVariance, int count) {
        return runningVariance == RunningVariance.UNBIASED && count > 1 ? biasedVariance * count / (count - 1) : biasedVariance;
    }

    /** No: training normalises with the whole batch's statistics. */
    @Override
    public boolean samplesIndependentInTraining() {
        return false;
    }

    @Override
    public List<Parameter> parameters() {
        return List.of(gamma, beta, runningMean, runningVar);
    }
}
