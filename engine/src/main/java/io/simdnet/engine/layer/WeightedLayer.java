package io.simdnet.engine.layer;

import io.simdnet.engine.init.Initializer;
import io.simdnet.engine.init.Rng;
import io.simdnet.engine.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * A layer with a weight tensor and an optional bias (dense and convolution layers): their initialisers (Keras'
 * defaults: Glorot uniform and zeros), an optional weight penalty, and the parameter list.
 *
 * @param <L> the concrete layer, so the fluent setters return it
 */
public abstract class WeightedLayer<L extends WeightedLayer<L>> extends Layer {

    private Initializer weightInit = new Initializer.GlorotUniform();
    private Initializer biasInit = new Initializer.Zeros();
    private Regularizer regularizer;
    private Parameter weight;
    private Parameter bias;

    @SuppressWarnings("unchecked")
    private L self() {
        return (L) this;
    }

    public L weightInit(Initializer init) {
        this.weightInit = init;
        return self();
    }

    public L biasInit(Initializer init) {
        this.biasInit = init;
        return self();
    }

    /** A penalty on the weight (not the bias) added to the loss and its gradient. */
    /** The weight penalty, or null for none. */
    public Regularizer regularizer() {
        return regularizer;
    }

    public L regularizer(Regularizer penalty) {
        this.regularizer = penalty;
        return self();
    }

    /**
     * Creates the parameters: {@code weightValue} filled from the weight initialiser and, when {@code biasSize}
     * is positive, a bias of that size from the bias initialiser, both with these fans.
     */
    protected final void createParameters(Tensor weightValue, boolean pytorchTransposed, int biasSize, int fanIn, int fanOut, Rng rng) {
        fill(weightInit, weightValue, fanIn, fanOut, rng);
        weight = shared(new Parameter("weight", weightValue, Tensor.zeros(dtype(), weightValue.shape()), pytorchTransposed));
        if (biasSize > 0) {
            Tensor b = Tensor.zeros(dtype(), biasSize);
            fill(biasInit, b, fanIn, fanOut, rng);
            bias = shared(Parameter.trainable("bias", b));
        }
    }

    private static void fill(Initializer init, Tensor target, int fanIn, int fanOut, Rng rng) {
        float[] values = new float[target.size()];
        init.fill(values, fanIn, fanOut, rng);
        for (int i = 0; i < values.length; i++) {
            target.set(i, values[i]);
        }
    }

    protected final Parameter weight() {
        return weight;
    }

    /** The bias values, or null without a bias (what the kernels take). */
    protected final Tensor biasValue() {
        return bias == null ? null : bias.value();
    }

    /** The bias gradient, or null without a bias. */
    protected final Tensor biasGradient() {
        return bias == null ? null : bias.gradient();
    }

    /**
     * Adds the penalty's gradient to the weight gradient; call after the layer wrote it. A micro-batch replica adds
     * none: the model's own layer adds it once for the whole step.
     */
    protected final void addPenaltyGradient() {
        if (regularizer != null && !microBatchReplica()) {
            regularizer.addGradient(weight.value(), weight.gradient());
        }
    }

    @Override
    public final List<Parameter> parameters() {
        List<Parameter> all = new ArrayList<>(2);
        all.add(weight);
        if (bias != null) {
            all.add(bias);
        }
        return all;
    }

    @Override
    public final double regularizationLoss() {
        return regularizer == null ? 0 : regularizer.penalty(weight.value());
    }
}
