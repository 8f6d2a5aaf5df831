package io.simdnet.engine.optim;

import io.simdnet.engine.kernel.ParallelRange;
import io.simdnet.engine.tensor.Tensor;
import java.util.List;
import java.util.Map;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Adam and AdamW as in PyTorch: m = β₁m + (1 − β₁)g, v = β₂v + (1 − β₂)g², w −= lr/(1 − β₁ᵗ) · m / (√v/√(1 − β₂ᵗ) + ε).
 * Weight decay is added to the gradient (L2, {@code Adam(weight_decay)}) or, for AdamW, applied to the weights
 * directly: w −= lr·wd·w before the update. The float update is one Vector API pass over each parameter, its
 * elements spread over the kernel pool by {@link Optimizer}.
 */
public final class Adam extends Optimizer {

    private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;

    private final double beta1;
    private final double beta2;
    private final double epsilon;
    private final double weightDecay;
    private final boolean decoupled;
    private List<Tensor> firstMoment;
    private List<Tensor> secondMoment;

    /** Adam with PyTorch's defaults: β = (0.9, 0.999), ε = 1e-8, no weight decay. */
    public Adam(double learningRate) {
        this(learningRate, 0.9, 0.999, 1e-8, 0, false);
    }

    /** AdamW with PyTorch's defaults: β = (0.9, 0.999), ε = 1e-8. */
    public static Adam adamW(double learningRate, double weightDecay) {
        return new Adam(learningRate, 0.9, 0.999, 1e-8, weightDecay, true);
    }

    public Adam(double learningRate, double beta1, double beta2, double epsilon, double weightDecay, boolean decoupled) {
        super(learningRate);
        if (!(beta1 >= 0 && beta1 < 1) || !(beta2 >= 0 && beta2 < 1) || !(epsilon > 0) || !(weightDecay >= 0)) {
            throw new IllegalArgumentException("adam: β₁ = " + beta1 + ", β₂ = " + beta2 + ", ε = " + epsilon + ", weight decay = " + weightDecay
                    + "; expected betas in [0, 1), ε > 0, weight decay >= 0");
        }
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.epsilon = epsilon;
        this.weightDecay = weightDecay;
        this.decoupled = decoupled;
    }

    @Override
    protected void createState(List<Tensor> values) {
        firstMoment = zerosLike(values);
        secondMoment = zerosLike(values);
    }

    @Override
    protected void update(int index, float[] w, float[] g, int from, int to) {
        float[] m = firstMoment.get(index).floats();
        float[] v = secondMoment.get(index).floats();
        float b1 = (float) beta1;
        float b2 = (float) beta2;
        float stepSize = (float) (learningRate() / (1 - Math.pow(beta1, steps())));
        float invSqrtCorrection = (float) (1 / Math.sqrt(1 - Math.pow(beta2, steps())));
        float eps = (float) epsilon;
        float coupled = decoupled ? 0f : (float) weightDecay;
        float shrink = decoupled ? (float) (1 - learningRate() * weightDecay) : 1f;
        int i = from;
        for (int bound = from + SPECIES.loopBound(to - from); i < bound; i += SPECIES.length()) {
            FloatVector weights = FloatVector.fromArray(SPECIES, w, i);
            FloatVector grad = FloatVector.fromArray(SPECIES, g, i).add(weights.mul(coupled));
            FloatVector mi = FloatVector.fromArray(SPECIES, m, i).mul(b1).add(grad.mul(1f - b1));
            FloatVector vi = FloatVector.fromArray(SPECIES, v, i).mul(b2).add(grad.mul(grad).mul(1f - b2));
            mi.intoArray(m, i);
            vi.intoArray(v, i);
            FloatVector denominator = vi.sqrt().mul(invSqrtCorrection).add(eps);
            weights.mul(shrink).sub(mi.mul(stepSize).div(denominator)).intoArray(w, i);
        }
        // The last elements of the parameter with the lanes' operations in the lanes' order, so they round alike.
        for (; i < to; i++) {
            float grad = g[i] + w[i] * coupled;
            m[i] = m[i] * b1 + grad * (1f - b1);
            v[i] = v[i] * b2 + grad * grad * (1f - b2);
            w[i] = w[i] * shrink - m[i] * stepSize / ((float) Math.sqrt(v[i]) * invSqrtCorrection + eps);
        }
    }

    @Override
    protected void update(int index, double[] w, double[] g, int from, int to) {
        double[] m = firstMoment.get(index).doubles();
        double[] v = secondMoment.get(index).doubles();
        double stepSize = learningRate() / (1 - Math.pow(beta1, steps()));
        double invSqrtCorrection = 1 / Math.sqrt(1 - Math.pow(beta2, steps()));
        double coupled = decoupled ? 0 : weightDecay;
        double shrink = decoupled ? 1 - learningRate() * weightDecay : 1;
        for (int i = from; i < to; i++) {
            double grad = g[i] + coupled * w[i];
            m[i] = beta1 * m[i] + (1 - beta1) * grad;
            v[i] = beta2 * v[i] + (1 - beta2) * grad * grad;
            w[i] = w[i] * shrink - stepSize * m[i] / (Math.sqrt(v[i]) * invSqrtCorrection + epsilon);
        }
    }

    /** Four arrays read and three written, and a square root and a division per element. */
    @Override
    protected long elementFlops() {
        return 6 * ParallelRange.ELEMENT_FLOPS;
    }

    @Override
    protected List<String> stateKinds() {
        return List.of("exp_avg", "exp_avg_sq");
    }

    @Override
    protected Map<String, List<Tensor>> stateTensors() {
        return Map.of("exp_avg", firstMoment, "exp_avg_sq", secondMoment);
    }

    @Override
    public String name() {
        return decoupled ? "adamw" : "adam";
    }
}
