package io.simdnet.engine.kernel;

import io.simdnet.engine.tensor.Tensor;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Element-wise arithmetic over whole tensors of one element type: the join of a residual block (a sum of inputs),
 * a gradient accumulated into another, dropout's product with its mask. Float with the Vector API, double with plain
 * loops; elements dealt to the pool's tasks in {@link ParallelRange#ELEMENT_GRANULE}s. Every element is computed
 * alone, in the same order of operations wherever its task boundary falls, so results do not depend on the number of
 * threads. One instance per owner (a layer, a model), which keeps the call's arguments in its fields.
 */
public final class ElementwiseKernel extends ParallelRange {

    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final int LANES = F.length();

    private enum Op { SUM, MULTIPLY }

    private Op op;
    private Tensor first;
    private Tensor second;
    private Tensor[] inputs;
    private int inputCount;
    private Tensor out;

    /** out = inputs[0] + inputs[1] + … + inputs[count − 1], added in that order; out may be inputs[0] (no other input). */
    public void sum(Tensor[] inputs, int count, Tensor out) {
        if (count < 2) {
            throw new IllegalArgumentException("Element-wise sum of " + count + " inputs, expected 2 or more");
        }
        this.inputs = inputs;
        this.inputCount = count;
        start(Op.SUM, inputs[0], inputs[1], out);
    }

    /** into += other (the first {@code into.size()} elements of both). */
    public void add(Tensor into, Tensor other) {
        this.inputs = null;
        this.inputCount = 2;
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
        }
    }

    @Override
    protected void range(int from, int to) {
        if (out.floats() != null) {
            if (op == Op.MULTIPLY) {
                multiply(first.floats(), second.floats(), out.floats(), from, to);
            } else {
                add(first.floats(), second.floats(), out.floats(), from, to);
                for (int k = 2; k < inputCount; k++) {
                    add(out.floats(), inputs[k].floats(), out.floats(), from, to);
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
            }
        }
    }

    private static void add(float[] a, float[] b, float[] y, int from, int to) {
        int i = from;
        for (int bound = from + F.loopBound(to - from); i < bound; i += LANES) {
            FloatVector.fromArray(F, a, i).add(FloatVector.fromArray(F, b, i)).intoArray(y, i);
        }
        for (; i < to; i++) {
            y[i] = a[i] + b[i];
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
