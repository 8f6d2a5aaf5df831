package io.simdnet.engine.optim;

import io.simdnet.engine.tensor.Tensor;
import java.util.List;
import java.util.Map;

/** Adagrad as PyTorch's: s += g², w −= lr·g/(√s + ε); ε = 1e-10; g includes wd·w. */
public final class Adagrad extends Optimizer {

    private final double epsilon;
    private final double weightDecay;
    private List<Tensor> sumSquares;

    public Adagrad(double learningRate) {
        this(learningRate, 1e-10, 0);
    }

    public Adagrad(double learningRate, double epsilon, double weightDecay) {
        super(learningRate);
        if (!(epsilon > 0) || !(weightDecay >= 0)) {
            throw new IllegalArgumentException("adagrad: ε = " + epsilon + ", weight decay = " + weightDecay + "; expected ε > 0, weight decay >= 0");
        }
        this.epsilon = epsilon;
        this.weightDecay = weightDecay;
    }

    @Override
    protected void createState(List<Tensor> values) {
        sumSquares = zerosLike(values);
    }

    @Override
    protected void update(int index, float[] w, float[] g, int from, int to) {
        float[] s = sumSquares.get(index).floats();
        float lr = (float) learningRate();
        float eps = (float) epsilon;
        float wd = (float) weightDecay;
        for (int i = from; i < to; i++) {
            float grad = g[i] + wd * w[i];
            s[i] += grad * grad;
            w[i] -= lr * grad / ((float) Math.sqrt(s[i]) + eps);
        }
    }

    @Override
    protected void update(int index, double[] w, double[] g, int from, int to) {
        double[] s = sumSquares.get(index).doubles();
        double lr = learningRate();
        for (int i = from; i < to; i++) {
            double grad = g[i] + weightDecay * w[i];
            s[i] += grad * grad;
            w[i] -= lr * grad / (Math.sqrt(s[i]) + epsilon);
        }
    }

    @Override
    protected List<String> stateKinds() {
        return List.of("sum");
    }

    @Override
    protected Map<String, List<Tensor>> stateTensors() {
        return Map.of("sum", sumSquares);
    }

    @Override
    public String name() {
        return "adagrad";
    }
}
