package io.simdnet.engine.optim;

import io.simdnet.engine.kernel.ParallelRange;
import io.simdnet.engine.layer.Parameter;
import io.simdnet.engine.tensor.Tensor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Updates parameters from their gradients, PyTorch's conventions throughout. Per-parameter state (momentum,
 * moment estimates) is created on the first {@link #step} for that parameter list and reused after, so a step
 * allocates nothing. Optional gradient clipping runs before the update: by global L2 norm
 * ({@code clip_grad_norm_}) or by value ({@code clip_grad_value_}).
 *
 * <p>Each parameter's update is element-wise, so its elements are dealt to the kernel pool in ranges and the result
 * does not depend on the number of threads.
 */
public abstract class Optimizer {

    private double learningRate;
    private double clipNorm;
    private double clipValue;
    private List<Parameter> bound;
    private List<Parameter> lastList;
    private long steps;
    private final Updates updates = new Updates();

    protected Optimizer(double learningRate) {
        setLearningRate(learningRate);
    }

    public final double learningRate() {
        return learningRate;
    }

    /** Changes the rate for the next steps (learning-rate schedules call this). */
    public final void setLearningRate(double rate) {
        if (!(rate > 0) || !Double.isFinite(rate)) {
            throw new IllegalArgumentException(name() + ": learning rate = " + rate + ", expected a finite value > 0");
        }
        this.learningRate = rate;
    }

    /** Scales all gradients together so that their global L2 norm is at most {@code maxNorm}. */
    public final Optimizer clipNorm(double maxNorm) {
        if (!(maxNorm > 0)) {
            throw new IllegalArgumentException(name() + ": clip norm = " + maxNorm + ", expected > 0");
        }
        this.clipNorm = maxNorm;
        return this;
    }

    /** Clamps every gradient element to [−limit, limit]. */
    public final Optimizer clipValue(double limit) {
        if (!(limit > 0)) {
            throw new IllegalArgumentException(name() + ": clip value = " + limit + ", expected > 0");
        }
        this.clipValue = limit;
        return this;
    }

    /** Steps taken so far (Adam's bias correction counts them). */
    public final long steps() {
        return steps;
    }

    /** One update of {@code parameters} (trainable ones, gradients already written by backward). */
    public final void step(List<Parameter> parameters) {
        // The identity check keeps the steady state free of the iterator that equals() creates.
        if (parameters != lastList) {
            if (!parameters.equals(bound)) {
                bind(parameters);
            }
            lastList = parameters;
        }
        if (clipNorm > 0) {
            GradientClipping.byNorm(parameters, clipNorm);
        }
        if (clipValue > 0) {
            GradientClipping.byValue(parameters, clipValue);
        }
        steps++;
        for (int i = 0; i < parameters.size(); i++) {
            updates.run(i, parameters.get(i));
        }
    }

    /** One parameter's update, its elements dealt to the pool. */
    private final class Updates extends ParallelRange {
        private int index;
        private Parameter parameter;

        void run(int index, Parameter parameter) {
            this.index = index;
            this.parameter = parameter;
            try {
                run(parameter.value().size(), ELEMENT_GRANULE, elementFlops());
            } finally {
                this.parameter = null;
            }
        }

        @Override
        protected void range(int from, int to) {
            if (parameter.value().floats() != null) {
                update(index, parameter.value().floats(), parameter.gradient().floats(), from, to);
            } else {
                update(index, parameter.value().doubles(), parameter.gradient().doubles(), from, to);
            }
        }
    }

    /**
     * What updating one element costs, in the flops {@link io.simdnet.kernel.KernelPool#tasksFor} weighs work in:
     * the weight, its gradient and up to two state tensors read, and three of them written.
     */
    protected long elementFlops() {
        return 4 * ParallelRange.ELEMENT_FLOPS;
    }

    private void bind(List<Parameter> parameters) {
        for (Parameter p : parameters) {
            if (!p.trainable()) {
                throw new IllegalArgumentException(name() + ": parameter \"" + p.name() + "\" is not trainable");
            }
        }
        if (bound != null && steps > 0) {
            throw new IllegalStateException(name() + ": already stepping a different parameter list; use one optimizer per model");
        }
        bound = List.copyOf(parameters);
        List<Tensor> values = new ArrayList<>();
        for (Parameter p : parameters) {
            values.add(p.value());
        }
        createState(values);
    }

    /** Allocates the per-parameter state for these parameter values (zero-filled). */
    protected abstract void createState(List<Tensor> values);

    /**
     * Updates elements [from, to) of parameter {@code index} in place; other ranges of the same parameter may be
     * updated at the same time on other threads.
     */
    protected abstract void update(int index, float[] value, float[] gradient, int from, int to);

    protected abstract void update(int index, double[] value, double[] gradient, int from, int to);

    /** The kinds of state {@link #stateTensors} holds, known before the first step (empty for plain SGD). */
    protected abstract List<String> stateKinds();

    /** State tensors by kind, one list entry per parameter in step order (empty for plain SGD). */
    protected abstract Map<String, List<Tensor>> stateTensors();

    /** PyTorch-like name, e.g. {@code adam}. */
    public abstract String name();

    /**
     * The optimiser's state for a checkpoint: {@code <kind>.<parameter name>} → tensor, for the parameters of the
     * last step, plus {@code steps} and the learning rate as metadata.
     */
    public final Map<String, Tensor> state() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        if (bound == null) {
            return out;
        }
        for (Map.Entry<String, List<Tensor>> kind : stateTensors().entrySet()) {
            for (int i = 0; i < bound.size(); i++) {
                out.put(kind.getKey() + "." + bound.get(i).name(), kind.getValue().get(i));
            }
        }
        return out;
    }

    /**
     * Throws, naming the key, unless {@code saved} is exactly the state {@link #loadState} needs for {@code parameters}:
     * every kind for every parameter, of its shape and element type, and nothing else. Changes nothing.
     */
    public final void checkState(List<Parameter> parameters, Map<String, Tensor> saved, long savedSteps) {
        if (savedSteps < 0) {
            throw new IllegalArgumentException(name() + " state: step count " + savedSteps + ", expected >= 0");
        }
        if (saved.isEmpty() && savedSteps == 0) {
            return;
        }
        java.util.Set<String> expected = new java.util.TreeSet<>();
        for (String kind : stateKinds()) {
            for (Parameter p : parameters) {
                String key = kind + "." + p.name();
                expected.add(key);
                Tensor stored = saved.get(key);
                if (stored == null) {
                    throw new IllegalArgumentException(name() + " state: missing \"" + key + "\"");
                }
                if (!stored.shape().equals(p.value().shape())) {
                    throw new IllegalArgumentException(name() + " state \"" + key + "\": expected shape " + p.value().shape() + ", got " + stored.shape());
                }
                if (stored.dtype() != p.value().dtype()) {
                    throw new IllegalArgumentException(name() + " state \"" + key + "\": expected " + p.value().dtype() + ", got " + stored.dtype());
                }
            }
        }
        java.util.Set<String> unexpected = new java.util.TreeSet<>(saved.keySet());
        unexpected.removeAll(expected);
        if (!unexpected.isEmpty()) {
            throw new IllegalArgumentException(name() + " state: unexpected " + unexpected + "; " + name() + " keeps " + stateKinds() + " per parameter");
        }
    }

    /**
     * Restores {@link #state()} saved from an optimizer of the same kind over parameters of the same names and shapes;
     * checked first ({@link #checkState}), so a bad state leaves this optimizer as it was.
     */
    public final void loadState(List<Parameter> parameters, Map<String, Tensor> saved, long savedSteps) {
        checkState(parameters, saved, savedSteps);
        bound = null;
        lastList = null;
        steps = 0;
        if (saved.isEmpty() && savedSteps == 0) {
            // Saved before its first step: no state yet, as in a new optimizer.
            return;
        }
        bind(parameters);
        for (Map.Entry<String, List<Tensor>> kind : stateTensors().entrySet()) {
            for (int i = 0; i < bound.size(); i++) {
                kind.getValue().get(i).copyFrom(saved.get(kind.getKey() + "." + bound.get(i).name()));
            }
        }
        steps = savedSteps;
    }

    /** New zero tensors shaped like {@code values}. */
    protected static List<Tensor> zerosLike(List<Tensor> values) {
        List<Tensor> zeros = new ArrayList<>(values.size());
        for (Tensor v : values) {
            zeros.add(Tensor.zeros(v.dtype(), v.shape()));
        }
        return zeros;
    }
}
