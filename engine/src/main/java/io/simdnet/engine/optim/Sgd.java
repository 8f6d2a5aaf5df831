package io.simdnet.engine.optim;

import io.simdnet.engine.tensor.Tensor;
import java.util.List;
import java.util.Map;

/**
 * Stochastic gradient descent as PyTorch's {@code SGD}: g = grad + wd·w; with momentum μ, v = μ·v + g and the step
 * uses v (or g + μ·v with Nesterov); w −= lr·step.
 */
public final class Sgd extends Optimizer {

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
    protected void update(int index, float[] w, float[] g, int size) {
        float lr = (float) learningRate();
        float wd = (float) weightDecay;
        float mu = (float) momentum;
        if (momentum == 0) {
            for (int i = 0; i < size; i++) {
                w[i] -= lr * (g[i] + wd * w[i]);
            }
            return;
        }
        float[] v = velocity.get(index).floats();
        for (int i = 0; i < size; i++) {
            float grad = g[i] + wd * w[i];
            v[i] = mu * v[i] + grad;
            w[i] -= lr * (nesterov ? grad + mu * v[i] : v[i]);
        }
    }

    @Override
    protected void update(int index, double[] w, double[] g, int size) {
        double lr = learningRate();
        if (momentum == 0) {
            for (int i = 0; i < size; i++) {
                w[i] -= lr * (g[i] + weightDecay * w[i]);
            }
            return;
        }
        double[] v = velocity.get(index).doubles();
        for (int i = 0; i < size; i++) {
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
