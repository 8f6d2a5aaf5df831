package io.simdnet.engine.kernel.generic;

import io.simdnet.kernel.DoubleGemmKernel;
import io.simdnet.kernel.FloatGemmKernel;
import io.simdnet.kernel.GemmArguments;
import io.simdnet.kernel.KernelPool;
import io.simdnet.kernel.ParallelTask;
import io.simdnet.kernel.TaskSplit;
import io.simdnet.kernel.spec.GemmSpec;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

/**
 * The unspecialised GEMM that serves a spec when no generated class can be had (run-time compilation
 * unavailable), for float and double. Vectorised over N with sizes read at run time. Each element of C is one
 * FMA chain in k order from the same start as the generated kernels, so it gives the same bits as they do.
 *
 * <p>Like every generic kernel, one class serves both element types: the binding of a call, the task split and
 * the loops are written once, and only the three steps that touch elements (copying Bᵀ, starting the chains,
 * one row's FMAs) are written per type, each a method of its own, so that no vector crosses a method shared by
 * the two types and a warmed-up float call allocates nothing.
 */
public final class GenericGemm implements FloatGemmKernel, DoubleGemmKernel {

    private static final VectorSpecies<Float> FLOATS = FloatVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Double> DOUBLES = DoubleVector.SPECIES_PREFERRED;

    private final GemmSpec spec;
    private final ThreadLocal<Call> calls = ThreadLocal.withInitial(Call::new);

    public GenericGemm(GemmSpec spec) {
        this.spec = spec;
    }

    @Override
    public GemmSpec spec() {
        return spec;
    }

    @Override
    public void gemm(int m, float[] a, int aOffset, float[] b, int bOffset, float[] bias, float[] c, int cOffset) {
        GemmArguments.check(spec, m, a, aOffset, b, bOffset, bias, c, cOffset);
        if (m == 0) {
            return;
        }
        Call call = calls.get();
        if (spec.form().transposeB()) {
            call.floatBT = transposed(b, bOffset, call.floatBT);
            call.run(m, a, aOffset, call.floatBT, 0, bias, c, cOffset);
        } else {
            call.run(m, a, aOffset, b, bOffset, bias, c, cOffset);
        }
    }

    @Override
    public void gemm(int m, double[] a, int aOffset, double[] b, int bOffset, double[] bias, double[] c, int cOffset) {
        GemmArguments.check(spec, m, a, aOffset, b, bOffset, bias, c, cOffset);
        if (m == 0) {
            return;
        }
        Call call = calls.get();
        if (spec.form().transposeB()) {
            call.doubleBT = transposed(b, bOffset, call.doubleBT);
            call.run(m, a, aOffset, call.doubleBT, 0, bias, c, cOffset);
        } else {
            call.run(m, a, aOffset, b, bOffset, bias, c, cOffset);
        }
    }

    /** Bᵀ (stored N × K) as K × N in {@code into}, grown if short: row k of op(B) must be contiguous for the vector loop. */
    private float[] transposed(float[] b, int bOffset, float[] into) {
        int k = spec.k();
        int n = spec.n();
        float[] bT = into.length < k * n ? new float[k * n] : into;
        for (int j = 0; j < n; j++) {
            for (int kk = 0; kk < k; kk++) {
                bT[kk * n + j] = b[bOffset + j * k + kk];
            }
        }
        return bT;
    }

    private double[] transposed(double[] b, int bOffset, double[] into) {
        int k = spec.k();
        int n = spec.n();
        double[] bT = into.length < k * n ? new double[k * n] : into;
        for (int j = 0; j < n; j++) {
            for (int kk = 0; kk < k; kk++) {
                bT[kk * n + j] = b[bOffset + j * k + kk];
            }
        }
        return bT;
    }

    /** The same start of each FMA chain of a row as the generated kernels: C + bias, C, bias or zero. */
    private void startChains(float[] bias, float[] c, int cRow) {
        for (int j = 0; j < spec.n(); j++) {
            float start = spec.accumulate() ? c[cRow + j] : 0f;
            c[cRow + j] = spec.bias() ? start + bias[j] : start;
        }
    }

    private void startChains(double[] bias, double[] c, int cRow) {
        for (int j = 0; j < spec.n(); j++) {
            double start = spec.accumulate() ? c[cRow + j] : 0d;
            c[cRow + j] = spec.bias() ? start + bias[j] : start;
        }
    }

    /** The next link of every chain of a row: C row += a[aIndex] · B row. */
    private void fmaRow(float[] a, int aIndex, float[] b, int bRow, float[] c, int cRow) {
        int n = spec.n();
        FloatVector av = FloatVector.broadcast(FLOATS, a[aIndex]);
        int j = 0;
        for (; j < FLOATS.loopBound(n); j += FLOATS.length()) {
            av.fma(FloatVector.fromArray(FLOATS, b, bRow + j), FloatVector.fromArray(FLOATS, c, cRow + j)).intoArray(c, cRow + j);
        }
        if (j < n) {
            VectorMask<Float> tail = FLOATS.indexInRange(j, n);
            av.fma(FloatVector.fromArray(FLOATS, b, bRow + j, tail), FloatVector.fromArray(FLOATS, c, cRow + j, tail))
                    .intoArray(c, cRow + j, tail);
        }
    }

    private void fmaRow(double[] a, int aIndex, double[] b, int bRow, double[] c, int cRow) {
        int n = spec.n();
        DoubleVector av = DoubleVector.broadcast(DOUBLES, a[aIndex]);
        int j = 0;
        for (; j < DOUBLES.loopBound(n); j += DOUBLES.length()) {
            av.fma(DoubleVector.fromArray(DOUBLES, b, bRow + j), DoubleVector.fromArray(DOUBLES, c, cRow + j)).intoArray(c, cRow + j);
        }
        if (j < n) {
            VectorMask<Double> tail = DOUBLES.indexInRange(j, n);
            av.fma(DoubleVector.fromArray(DOUBLES, b, bRow + j, tail), DoubleVector.fromArray(DOUBLES, c, cRow + j, tail))
                    .intoArray(c, cRow + j, tail);
        }
    }

    /** One calling thread's bound arguments (float[] or double[], held as Object) and its Bᵀ buffers, reused so a call allocates nothing. */
    private final class Call implements ParallelTask {
        int m;
        Object a;
        int aOffset;
        Object b;
        int bOffset;
        Object bias;
        Object c;
        int cOffset;
        int tasks;
        float[] floatBT = new float[0];
        double[] doubleBT = new double[0];

        void run(int rows, Object aArray, int aAt, Object bArray, int bAt, Object biasArray, Object cArray, int cAt) {
            m = rows;
            a = aArray;
            aOffset = aAt;
            b = bArray;
            bOffset = bAt;
            bias = biasArray;
            c = cArray;
            cOffset = cAt;
            tasks = KernelPool.tasksFor(2L * m * spec.n() * spec.k(), m);
            try {
                KernelPool.run(this, tasks);
            } finally {
                a = null;
                b = null;
                bias = null;
                c = null;
            }
        }

        @Override
        public void runTask(int task) {
            int k = spec.k();
            int n = spec.n();
            boolean transposeA = spec.form().transposeA();
            int i0 = TaskSplit.start(m, tasks, task);
            int i1 = TaskSplit.start(m, tasks, task + 1);
            for (int i = i0; i < i1; i++) {
                int cRow = cOffset + i * n;
                if (c instanceof float[] floats) {
                    startChains((float[]) bias, floats, cRow);
                } else {
                    startChains((double[]) bias, (double[]) c, cRow);
                }
                for (int kk = 0; kk < k; kk++) {
                    int aIndex = transposeA ? aOffset + kk * m + i : aOffset + i * k + kk;
                    if (c instanceof float[] floats) {
                        fmaRow((float[]) a, aIndex, (float[]) b, bOffset + kk * n, floats, cRow);
                    } else {
                        fmaRow((double[]) a, aIndex, (double[]) b, bOffset + kk * n, (double[]) c, cRow);
                    }
                }
            }
        }
    }
}
