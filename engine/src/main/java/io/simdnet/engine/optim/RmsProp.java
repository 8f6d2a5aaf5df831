package io.simdnet.engine.optim;

import io.simdnet.engine.tensor.Tensor;
import java.util.List;
import java.util.Map;

/** RMSprop as PyTorch's: s = αs + (1 − α)g², w −= lr·g/(√s + ε); α = 0.99, ε = 1e-8 by default; g includes wd·w. */
public final class RmsProp extends Optimizer {

    private final double alpha;
    private final double epsilon;
    private final double weightDecay;
    private List<Tensor> squareAverage;

    public RmsProp(double learningRate) {
        this(learningRate, 0.99, 1e-8, 0);
    }

    public RmsProp(double learningRate, double alpha, double epsilon, double weightDecay) {
        super(learningRate);
        if (!(alpha >= 0 && alpha < 1) || !(epsilon > 0) || !(weightDecay >= 0)) {
            throw new IllegalArgumentException("rmsprop: α = " + alpha + ", ε = " + epsilon + ", weight decay = " + weightDecay
                    + "; expected 0 <= α < 1, ε > 0, weight decay >= 0");
        }
        this.alpha = alpha;
        this.epsilon = epsilon;
        this.weightDecay = weightDecay;
    }

    @Override
    protected void createState(List<Tensor> values) {
        squareAverage = zerosLike(values);
    }

    @Override
    protected void update(int index, float[] w, float[] g, int from, int to) {
        float[] s = squareAverage.get(index).floats();
        float a = (float) alpha;
        float lr = (float) learningRate();
        float eps = (float) epsilon;
        float wd = (float) weightDecay;
        for (int i = from; i < to; i++) {
            float grad = g[i] + wd * w[i];
            s[i] = a * s[i] + (1f - a) * grad * grad;
            w[i] -= lr * grad / ((float) Math.sqrt(s[i]) + eps);
        }
    }

    @Override
    protected void update(int index, double[] w, double[] g, int from, int to) {
        double[] s = squareAverage.get(index).doubles();
        double lr = learningRate();
        for (int i = from; i < to; i++) {
            double grad = g[i] + weightDecay * w[i];
            s[i] = alpha * s[i] + (1 - alpha) * grad * grad;
            w[i] -= lr * grad / (Math.sqrt(s[i]) + epsilon);
        }
    }

    @Override
    protected List<String> stateKinds() {
        return List.of("square_avg");
    }

    @Override
    protected Map<String, List<Tensor>> stateTensors() {
        return Map.of("square_avg", squareAverage);
    }

    @Override
    public String name() {
        return "rmsprop";
    }
}
