package io.simdnet.engine.optim;

import io.simdnet.engine.tensor.Tensor;
import java.util.List;
import java.util.Map;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Stochastic gradient descent as PyTorch's {@code SGD}: g = grad + wd·w; with momentum μ, v = μ·v + g and the step
 * uses v (or g + μ·v with Nesterov); w −= lr·step. The float update is one Vector API pass over each parameter, its
 * elements spread over the kernel pool by {@link Optimizer}.
 */
public final class Sgd extends Optimizer {

    private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;

    private final double momentum;
    private final boolean nesterov;
    private final double weightDecay;
    private List<Tensor> velocity;

    public Sgd(double learningRate) {
        this(learningRate, 0, false, 0);
    }

    public Sgd(double learningRate, double momentum, boolean nesterov, double weightDecay) {
        super(learningRate);
        if (!(momentum >= 0 && momentum < 1) || !(weightDecay >= 0) || (nesterov && momentum == 0)) {
            throw new IllegalArgumentException("sgd: momentum = " + momentum + ", weight decay = " + weightDecay + ", nesterov = " + nesterov
                    + "; expected 0 <= momentum < 1, weight decay >= 0, and momentum > 0 for Nesterov");
        }
        this.momentum = momentum;
        this.nesterov = nesterov;
        this.weightDecay = weightDecay;
    }

    @Override
    protected void createState(List<Tensor> values) {
        velocity = momentum > 0 ? zerosLike(values) : List.of();
    }

    @Override
    protected void update(int index, float[] w, float[] g, int from, int to) {
        float lr = (float) learningRate();
        float wd = (float) weightDecay;
        float mu = (float) momentum;
        int i = from;
        int bound = from + SPECIES.loopBound(to - from);
        // The scalar loops finish each parameter with the lanes' operations in the lanes' order, so they round alike.
        if (momentum == 0) {
            for (; i < bound; i += SPECIES.length()) {
                FloatVector weights = FloatVector.fromArray(SPECIES, w, i);
                weights.sub(FloatVector.fromArray(SPECIES, g, i).add(weights.mul(wd)).mul(lr)).intoArray(w, i);
            }
            for (; i < to; i++) {
                w[i] -= (g[i] + w[i] * wd) * lr;
            }
            return;
        }
        float[] v = velocity.get(index).floats();
        for (; i < bound; i += SPECIES.length()) {
            FloatVector weights = FloatVector.fromArray(SPECIES, w, i);
            FloatVector grad = FloatVector.fromArray(SPECIES, g, i).add(weights.mul(wd));
            FloatVector velocities = FloatVector.fromArray(SPECIES, v, i).mul(mu).add(grad);
            velocities.intoArray(v, i);
            FloatVector step = nesterov ? grad.add(velocities.mul(mu)) : velocities;
            weights.sub(step.mul(lr)).intoArray(w, i);
        }
        for (; i < to; i++) {
            float grad = g[i] + w[i] * wd;
            v[i] = v[i] * mu + grad;
            w[i] -= (nesterov ? grad + v[i] * mu : v[i]) * lr;
        }
    }

    @Override
    protected void update(int index, double[] w, double[] g, int from, int to) {
        double lr = learningRate();
        if (momentum == 0) {
            for (int i = from; i < to; i++) {
                w[i] -= lr * (g[i] + weightDecay * w[i]);
            }
            return;
        }
        double[] v = velocity.get(index).doubles();
        for (int i = from; i < to; i++) {
            double grad = g[i] + weightDecay * w[i];
            v[i] = momentum * v[i] + grad;
            w[i] -= lr * (nesterov ? grad + momentum * v[i] : v[i]);
        }
    }

    @Override
    protected List<String> stateKinds() {
        return momentum > 0 ? List.of("momentum_buffer") : List.of();
    }

    @Override
    protected Map<String, List<Tensor>> stateTensors() {
        return momentum > 0 ? Map.of("momentum_buffer", velocity) : Map.of();
    }

    @Override
    public String name() {
        return "sgd";
    }
}
