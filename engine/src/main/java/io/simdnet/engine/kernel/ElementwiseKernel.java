package io.simdnet.engine.kernel;

import io.simdnet.engine.tensor.Tensor;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Element-wise arithmetic over whole tensors of one element type: the join of a residual block (a sum of inputs, with
 * a ReLU fused in or not) and its fused ReLU's gradient mask, a gradient accumulated into another, dropout's product
 * with its mask. Float with the Vector API, double with plain
 * loops; elements dealt to the pool's tasks in {@link ParallelRange#ELEMENT_GRANULE}s. Every element is computed
 * alone, in the same order of operations wherever its task boundary falls, so results do not depend on the number of
 * threads. One instance per owner (a layer, a model), which keeps the call's arguments in its fields.
 */
public final class ElementwiseKernel extends ParallelRange {

    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final int LANES = F.length();

    private enum Op { SUM, MULTIPLY, MASK }

    private Op op;
    private Tensor first;
    private Tensor second;
    private Tensor[] inputs;
    private int inputCount;
    private Tensor out;
    private boolean relu;

    /** out = inputs[0] + inputs[1] + … + inputs[count − 1], added in that order; out may be inputs[0] (no other input). */
    public void sum(Tensor[] inputs, int count, Tensor out) {
        sum(inputs, count, out, false);
    }

    /** The sum of {@link #sum(Tensor[], int, Tensor)}, then max(·, 0) with {@code relu} (a ReLU fused into a residual join). */
    public void sum(Tensor[] inputs, int count, Tensor out, boolean relu) {
        if (count < 2) {
            throw new IllegalArgumentException("Element-wise sum of " + count + " inputs, expected 2 or more");
        }
        this.inputs = inputs;
        this.inputCount = count;
        this.relu = relu;
        start(Op.SUM, inputs[0], inputs[1], out);
    }

    /** out = dy where output > 0, else 0: the gradient through a fused ReLU, as {@code Relu}'s backward writes it. */
    public void mask(Tensor output, Tensor dy, Tensor out) {
        this.inputs = null;
        start(Op.MASK, output, dy, out);
    }

    /** into += other (the first {@code into.size()} elements of both). */
    public void add(Tensor into, Tensor other) {
        this.inputs = null;
        this.inputCount = 2;
        this.relu = false;
        start(Op.SUM, into, other, into);
    }

    /** out = a ⊙ b; out may be a or b. */
    public void multiply(Tensor a, Tensor b, Tensor out) {
        this.inputs = null;
        start(Op.MULTIPLY, a, b, out);
    }

    private void start(Op op, Tensor a, Tensor b, Tensor out) {
        this.op = op;
        this.first = a;
        this.second = b;
        this.out = out;
        try {
            run(out.size(), ELEMENT_GRANULE, ELEMENT_FLOPS);
        } finally {
            first = second = out = null;
            inputs = null;
            relu = false;
        }
    }

    @Override
    protected void range(int from, int to) {
        if (out.floats() != null) {
            if (op == Op.MULTIPLY) {
                multiply(first.floats(), second.floats(), out.floats(), from, to);
            } else if (op == Op.MASK) {
                maskByOutput(first.floats(), second.floats(), out.floats(), from, to);
            } else {
                add(first.floats(), second.floats(), out.floats(), from, to, relu && inputCount == 2);
                for (int k = 2; k < inputCount; k++) {
                    add(out.floats(), inputs[k].floats(), out.floats(), from, to, relu && k == inputCount - 1);
                }
            }
        } else {
            double[] a = first.doubles();
            double[] b = second.doubles();
            double[] y = out.doubles();
            if (op == Op.MULTIPLY) {
                for (int i = from; i < to; i++) {
                    y[i] = a[i] * b[i];
                }
            } else if (op == Op.MASK) {
                maskByOutput(a, b, y, from, to);
            } else {
                for (int i = from; i < to; i++) {
                    y[i] = a[i] + b[i];
                }
                for (int k = 2; k < inputCount; k++) {
                    double[] c = inputs[k].doubles();
                    for (int i = from; i < to; i++) {
                        y[i] += c[i];
                    }
                }
                if (relu) {
                    for (int i = from; i < to; i++) {
                        y[i] = Math.max(y[i], 0.0);
                    }
                }
            }
        }
    }

    private static void add(float[] a, float[] b, float[] y, int from, int to, boolean relu) {
        int i = from;
        for (int bound = from + F.loopBound(to - from); i < bound; i += LANES) {
            FloatVector sum = FloatVector.fromArray(F, a, i).add(FloatVector.fromArray(F, b, i));
            (relu ? sum.max(0f) : sum).intoArray(y, i);
        }
        for (; i < to; i++) {
            float sum = a[i] + b[i];
            y[i] = relu ? Math.max(sum, 0f) : sum;
        }
    }

    /**
     * y = dy where output > 0, else 0, for elements [from, to): the gradient through a ReLU, which {@code Relu}'s
     * backward and every ReLU fused into the layer before it ({@code Conv2d}, {@code Add}) share. Written with the
     * Vector API: C2 does not vectorise the select, which ran at 1 ns per element.
     */
    public static void maskByOutput(float[] output, float[] dy, float[] y, int from, int to) {
        int i = from;
        FloatVector zero = FloatVector.zero(F);
        for (int bound = from + F.loopBound(to - from); i < bound; i += LANES) {
            zero.blend(FloatVector.fromArray(F, dy, i), FloatVector.fromArray(F, output, i).compare(VectorOperators.GT, 0f)).intoArray(y, i);
        }
        for (; i < to; i++) {
            y[i] = output[i] > 0f ? dy[i] : 0f;
        }
    }

    public static void maskByOutput(double[] output, double[] dy, double[] y, int from, int to) {
        for (int i = from; i < to; i++) {
            y[i] = output[i] > 0.0 ? dy[i] : 0.0;
        }
    }

    private static void multiply(float[] a, float[] b, float[] y, int from, int to) {
        int i = from;
        for (int bound = from + F.loopBound(to - from); i < bound; i += LANES) {
            FloatVector.fromArray(F, a, i).mul(FloatVector.fromArray(F, b, i)).intoArray(y, i);
        }
        for (; i < to; i++) {
            y[i] = a[i] * b[i];
        }
    }
}
